/**
 * A machine's state over time, rebuilt from its retained history: the state metric's values (bad quality = offline),
 * overlaid with offline where the device produced no good data for longer than `staleAfter` (or since a death that
 * no later data contradicts). Pure: the same history and `now` always give the same timeline, which is what makes
 * late data and restarts produce identical windows.
 */
import type { Liveness, Series } from './series.js';
import type { StateMapping } from './state-map.js';
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

export interface TimelineInput {
  state: Series;
  liveness: Liveness;
  /** sorted death times */
  deaths: readonly number[];
  mapping: StateMapping;
  unknownState: MachineState;
  microStopMs: number;
  now: number;
}

interface Seg {
  start: number;
  state: MachineState;
  code?: number;
}

export function buildTimeline(input: TimelineInput): StateRecord[] {
  const { state, liveness, deaths, mapping, unknownState, now } = input;
  // 1. Step function of the state metric.
  const base: Seg[] = [];
  for (let i = 0; i < state.length; i++) {
    const t = state.times[i] as number;
    if (t > now) break;
    const v = state.values[i] ?? null;
    let seg: Seg;
    if (v === null) seg = { start: t, state: 'offline' };
    else {
      const m = mapping.map(v);
      seg = m ? { start: t, ...m } : { start: t, state: unknownState };
    }
    base.push(seg);
  }
  // 2. Offline gaps from liveness and deaths.
  const gaps = offlineGaps(liveness, deaths, now);
  // 3. Overlay: walk the base segments, cutting out the gaps.
  const segs: Seg[] = [];
  const push = (s: Seg) => {
    let last = segs[segs.length - 1];
    if (last && last.start === s.start) {
      segs.pop();
      last = segs[segs.length - 1];
    }
    if (last && last.state === s.state && last.code === s.code) return;
    segs.push(s);
  };
  const points = new Set<number>();
  for (const s of base) points.add(s.start);
  for (const g of gaps) {
    points.add(g.start);
    if (g.end !== null) points.add(g.end);
  }
  const sorted = [...points].filter((t) => t <= now).sort((a, b) => a - b);
  let bi = -1;
  let gi = 0;
  for (const t of sorted) {
    while (bi + 1 < base.length && (base[bi + 1] as Seg).start <= t) bi++;
    while (gi < gaps.length && (gaps[gi]?.end ?? Number.POSITIVE_INFINITY) <= t) gi++;
    const g = gaps[gi];
    const inGap = g !== undefined && g.start <= t && (g.end === null || t < g.end);
    const b = base[bi];
    if (inGap || !b) push({ start: t, state: 'offline' });
    else
      push(b.code === undefined ? { start: t, state: b.state } : { start: t, state: b.state, code: b.code });
  }
  // 4. Records with ends and micro-stop flags.
  return segs.map((s, i) => {
    const next = segs[i + 1];
    const end = next ? next.start : null;
    const stop = s.state === 'idle' || s.state === 'down';
    const rec: StateRecord = {
      start: s.start,
      end,
      state: s.state,
      micro: stop && (end ?? now) - s.start <= input.microStopMs,
    };
    if (s.code !== undefined) rec.code = s.code;
    return rec;
  });
}

/** Offline intervals: gaps between liveness runs (from the last sample + staleAfter, or an earlier death). */
export function offlineGaps(
  liveness: Liveness,
  deaths: readonly number[],
  now: number,
): { start: number; end: number | null }[] {
  const out: { start: number; end: number | null }[] = [];
  const runs = liveness.runs;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as { first: number; last: number };
    const next = runs[i + 1];
    let start = run.last + liveness.staleAfter;
    const death = firstAfter(deaths, run.last);
    if (death !== undefined && death < start && (next === undefined || death < next.first)) start = death;
    if (next) {
      if (start < next.first) out.push({ start, end: next.first });
    } else if (start <= now) out.push({ start, end: null });
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
