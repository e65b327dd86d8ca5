/**
 * A machine's state over time, rebuilt from its retained history: the state metric's values (bad quality = offline),
 * overlaid with offline where the device produced no good data for longer than `staleAfter` (or since a death that
 * no later data contradicts). Pure: the same history and `now` always give the same timeline, which is what makes
 * late data and restarts produce identical windows.
 */
import type { Liveness } from './series.js';
import type { MachineState } from './types.js';

export interface StateRecord {
  start: number;
  /** null while the state lasts */
  end: number | null;
  state: MachineState;
  code?: number;
  /** a stop (idle or down) no longer than the micro-stop threshold (tentative while open) */
  micro: boolean;
}

/** A change of the state metric's mapped state (consecutive equal values are not changes). */
export interface BaseChange {
  t: number;
  state: MachineState;
  code?: number;
}

export interface TimelineInput {
  changes: readonly BaseChange[];
  liveness: Liveness;
  /** sorted death times */
  deaths: readonly number[];
  /** sorted birth (online) times */
  births?: readonly number[];
  now: number;
  /** build from this time on (the state at `from` opens the result); default: from the beginning */
  from?: number;
}

interface Seg {
  start: number;
  state: MachineState;
  code?: number;
}

/** Segments (start, state, code) from `input.from` on; merged, without ends. */
export function buildSegments(input: TimelineInput): Seg[] {
  const { changes, liveness, deaths, now } = input;
  const from = input.from ?? Number.NEGATIVE_INFINITY;
  const gaps = offlineGaps(liveness, deaths, now, input.births).filter((g) => g.end === null || g.end > from);
  const segs: Seg[] = [];
  const push = (s: Seg) => {
    const last = segs[segs.length - 1];
    if (last && last.state === s.state && last.code === s.code) return;
    segs.push(s);
  };
  const points = new Set<number>();
  if (Number.isFinite(from)) points.add(from);
  let bi = lastAtOrBefore(changes, from);
  for (let i = Math.max(0, bi + 1); i < changes.length; i++) points.add((changes[i] as BaseChange).t);
  for (const g of gaps) {
    if (g.start >= from) points.add(g.start);
    if (g.end !== null) points.add(g.end);
  }
  const sorted = [...points].filter((t) => t <= now && t >= from).sort((a, b) => a - b);
  let gi = 0;
  for (const t of sorted) {
    while (bi + 1 < changes.length && (changes[bi + 1] as BaseChange).t <= t) bi++;
    while (gi < gaps.length && (gaps[gi]?.end ?? Number.POSITIVE_INFINITY) <= t) gi++;
    const g = gaps[gi];
    const inGap = g !== undefined && g.start <= t && (g.end === null || t < g.end);
    const b = changes[bi];
    if (inGap || !b) push({ start: t, state: 'offline' });
    else
      push(b.code === undefined ? { start: t, state: b.state } : { start: t, state: b.state, code: b.code });
  }
  return segs;
}

/** Records with ends and micro-stop flags from merged segments. */
export function toRecords(segs: readonly Seg[], microStopMs: number, now: number): StateRecord[] {
  return segs.map((s, i) => {
    const next = segs[i + 1];
    const end = next ? next.start : null;
    const stop = s.state === 'idle' || s.state === 'down';
    const rec: StateRecord = {
      start: s.start,
      end,
      state: s.state,
      micro: stop && (end ?? now) - s.start <= microStopMs,
    };
    if (s.code !== undefined) rec.code = s.code;
    return rec;
  });
}

/**
 * The timeline after a change at `changedFrom`: records wholly before the record covering it are kept, the rest is
 * rebuilt. Equal to a full rebuild, at the cost of the tail only.
 */
export function rebuildTimeline(
  prev: readonly StateRecord[],
  input: Omit<TimelineInput, 'from'>,
  changedFrom: number,
  microStopMs: number,
): StateRecord[] {
  const cover = recordAt(prev, changedFrom);
  const first = prev[0];
  const from = !first || changedFrom < first.start || !cover ? Number.NEGATIVE_INFINITY : cover.start;
  const kept: Seg[] = [];
  for (const r of prev) {
    if (r.start >= from) break;
    kept.push(
      r.code === undefined
        ? { start: r.start, state: r.state }
        : { start: r.start, state: r.state, code: r.code },
    );
  }
  const tail = buildSegments({ ...input, from });
  const all = [...kept];
  for (const s of tail) {
    const last = all[all.length - 1];
    if (last && last.state === s.state && last.code === s.code) continue;
    all.push(s);
  }
  return toRecords(all, microStopMs, input.now);
}

function lastAtOrBefore(changes: readonly BaseChange[], t: number): number {
  let lo = 0;
  let hi = changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((changes[mid] as BaseChange).t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Offline intervals: gaps between liveness runs (from the last sample + staleAfter, or an earlier death), minus the
 * time the device was declared online by a birth and not dead since (report by exception may be silent for long).
 */
export function offlineGaps(
  liveness: Liveness,
  deaths: readonly number[],
  now: number,
  births: readonly number[] = [],
): { start: number; end: number | null }[] {
  const gaps: { start: number; end: number | null }[] = [];
  const runs = liveness.runs;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as { first: number; last: number };
    const next = runs[i + 1];
    let start = run.last + liveness.staleAfter;
    const death = firstAfter(deaths, run.last);
    if (death !== undefined && death < start && (next === undefined || death < next.first)) start = death;
    if (next) {
      if (start < next.first) gaps.push({ start, end: next.first });
    } else if (start <= now) gaps.push({ start, end: null });
  }
  if (births.length === 0) return gaps;
  const online: { start: number; end: number }[] = births.map((b) => ({
    start: b,
    end: firstAfter(deaths, b) ?? Number.POSITIVE_INFINITY,
  }));
  const out: { start: number; end: number | null }[] = [];
  for (const g of gaps) {
    let pieces = [{ start: g.start, end: g.end ?? Number.POSITIVE_INFINITY }];
    for (const o of online) {
      pieces = pieces.flatMap((p) => {
        if (o.end <= p.start || o.start >= p.end) return [p];
        const keep: { start: number; end: number }[] = [];
        if (o.start > p.start) keep.push({ start: p.start, end: o.start });
        if (o.end < p.end) keep.push({ start: o.end, end: p.end });
        return keep;
      });
    }
    for (const p of pieces) {
      if (p.start <= now) out.push({ start: p.start, end: Number.isFinite(p.end) ? p.end : null });
    }
  }
  return out;
}

function firstAfter(sorted: readonly number[], t: number): number | undefined {
  for (const d of sorted) if (d > t) return d;
  return undefined;
}

/** The record covering `t`, if any. */
export function recordAt(timeline: readonly StateRecord[], t: number): StateRecord | undefined {
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((timeline[mid] as StateRecord).start <= t) lo = mid + 1;
    else hi = mid;
  }
  const r = timeline[lo - 1];
  if (!r || (r.end !== null && r.end <= t)) return undefined;
  return r;
}

export interface TimelineDiff {
  /** earliest time whose derived windows may have changed; +Infinity when nothing did */
  dirtyFrom: number;
  /** records (new timeline) to (re)write as machine_state points */
  changed: StateRecord[];
  /** state starts that were written before and are no longer state changes */
  retracted: number[];
  /** records that are genuinely new state changes (for the live stream) */
  started: StateRecord[];
}

function same(a: StateRecord, b: StateRecord): boolean {
  return (
    a.start === b.start && a.end === b.end && a.state === b.state && a.code === b.code && a.micro === b.micro
  );
}

export function diffTimelines(prev: readonly StateRecord[], next: readonly StateRecord[]): TimelineDiff {
  let i = 0;
  while (i < prev.length && i < next.length && same(prev[i] as StateRecord, next[i] as StateRecord)) i++;
  if (i === prev.length && i === next.length) {
    return { dirtyFrom: Number.POSITIVE_INFINITY, changed: [], retracted: [], started: [] };
  }
  const p = prev[i];
  const n = next[i];
  let dirtyFrom: number;
  if (p && n && p.start === n.start && p.state === n.state && p.code === n.code && p.micro === n.micro) {
    // Only the end moved (an open state closed, or a later change moved it).
    dirtyFrom = Math.min(p.end ?? Number.POSITIVE_INFINITY, n.end ?? Number.POSITIVE_INFINITY);
  } else dirtyFrom = Math.min(p?.start ?? Number.POSITIVE_INFINITY, n?.start ?? Number.POSITIVE_INFINITY);
  const changed = next.slice(i);
  const newStarts = new Set(changed.map((r) => r.start));
  const oldStarts = new Set(prev.slice(i).map((r) => r.start));
  const retracted = prev
    .slice(i)
    .map((r) => r.start)
    .filter((t) => !newStarts.has(t));
  const started = changed.filter((r) => !oldStarts.has(r.start));
  return { dirtyFrom, changed, retracted, started };
}
