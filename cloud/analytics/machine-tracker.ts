/**
 * One machine's retained history and what is derived from it: the state timeline and per-minute OEE components
 * (cached; invalidated from the earliest time late data or a state change touched).
 */
import type { Machine } from '../../config/schemas/analytics.js';
import type { ShiftCalendar } from './calendar.js';
import { type CounterRules, forEachIncrease } from './counters.js';
import { add, bookStates, type Components, zero } from './oee.js';
import { Liveness, Series, type StoredValue } from './series.js';
import { createStateMapping, type StateMapping } from './state-map.js';
import {
  type BaseChange,
  buildSegments,
  diffTimelines,
  rebuildTimeline,
  type StateRecord,
  type TimelineDiff,
  toRecords,
} from './state-timeline.js';
import type { MachineState } from './types.js';
import { HOUR, MINUTE } from './windows.js';

export type MachineRole = 'state' | 'total' | 'good' | 'scrap' | 'program';

export interface MachineOptions {
  microStopMs: number;
  staleAfterMs: number;
  calendar: ShiftCalendar;
}

export class MachineTracker {
  readonly device: string;
  readonly line: string | undefined;
  site: string | undefined;
  /** edge node the machine's data last came through (a node death takes its machines offline) */
  node: string | undefined;
  readonly series: Record<MachineRole, Series | undefined>;
  readonly metricRoles = new Map<string, MachineRole[]>();
  readonly liveness: Liveness;
  readonly deaths: number[] = [];
  readonly births: number[] = [];
  timeline: StateRecord[] = [];
  /** earliest time whose windows must be recomputed; +Infinity when none */
  dirtyFrom = Number.POSITIVE_INFINITY;
  readonly goodSource: 'counter' | 'scrap' | 'total';
  readonly mapping: StateMapping;
  readonly unknownState: MachineState;
  readonly rules: Record<'total' | 'good' | 'scrap', CounterRules>;
  private readonly buckets = new Map<number, Components>();
  private readonly hours = new Map<number, Components>();
  /** changes of the state metric's mapped state, maintained on every insert */
  private changes: BaseChange[] = [];
  /** earliest time whose state may have changed since the last timeline refresh */
  private timelineFrom = Number.POSITIVE_INFINITY;
  private readonly idealMs: number;
  private readonly idealByProgram: Map<string, number>;

  constructor(
    readonly cfg: Machine,
    private readonly opts: MachineOptions,
  ) {
    this.device = cfg.device;
    this.line = cfg.line;
    this.liveness = new Liveness(cfg.staleAfter ?? opts.staleAfterMs);
    this.series = {
      state: new Series(),
      total: new Series(),
      good: cfg.good ? new Series() : undefined,
      scrap: cfg.scrap ? new Series() : undefined,
      program: cfg.program ? new Series() : undefined,
    };
    const refs: [MachineRole, string | undefined][] = [
      ['state', cfg.state.metric],
      ['total', cfg.total.metric],
      ['good', cfg.good?.metric],
      ['scrap', cfg.scrap?.metric],
      ['program', cfg.program?.metric],
    ];
    for (const [role, metric] of refs) {
      if (metric === undefined) continue;
      this.metricRoles.set(metric, [...(this.metricRoles.get(metric) ?? []), role]);
    }
    this.goodSource = cfg.good ? 'counter' : cfg.scrap ? 'scrap' : 'total';
    this.mapping = createStateMapping(cfg.state.kind, cfg.state.map);
    this.unknownState = cfg.state.unknown;
    const rules = (c: { bits?: 16 | 32 | 64; maxDelta?: number } | undefined): CounterRules => {
      const r: CounterRules = {};
      if (c?.bits !== undefined) r.bits = c.bits;
      if (c?.maxDelta !== undefined) r.maxDelta = c.maxDelta;
      return r;
    };
    this.rules = { total: rules(cfg.total), good: rules(cfg.good), scrap: rules(cfg.scrap) };
    this.idealMs = cfg.idealCycle;
    this.idealByProgram = new Map(
      Object.entries(cfg.program?.idealCycles ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]),
    );
  }

  /** Stores a value for one role; returns true when history changed. */
  store(role: MachineRole, t: number, v: StoredValue): boolean {
    const s = this.series[role];
    if (!s?.insert(t, v)) return false;
    this.markDirty(t);
    if (role === 'state') {
      this.updateChangesAround(t);
      this.timelineFrom = Math.min(this.timelineFrom, t);
    }
    return true;
  }

  alive(t: number): void {
    if (this.liveness.insert(t)) {
      this.markDirty(t);
      // A run boundary moved: the gaps it bounds start no earlier than staleAfter before t.
      this.timelineFrom = Math.min(this.timelineFrom, t - this.liveness.staleAfter);
    }
  }

  death(t: number): void {
    this.status(this.deaths, t);
  }

  /** A birth (online): the device counts as alive until its next death, even when report by exception is silent. */
  birth(t: number): void {
    this.status(this.births, t);
  }

  private status(list: number[], t: number): void {
    let i = list.length;
    while (i > 0 && (list[i - 1] as number) > t) i--;
    if (list[i - 1] === t) return;
    list.splice(i, 0, t);
    this.markDirty(t);
    this.timelineFrom = Math.min(this.timelineFrom, t);
  }

  markDirty(t: number): void {
    if (t < this.dirtyFrom) this.dirtyFrom = t;
  }

  /** Rebuilds the timeline at `now`; returns what changed against the previous one. */
  refreshTimeline(now: number): TimelineDiff {
    const next = rebuildTimeline(
      this.timeline,
      { changes: this.changes, liveness: this.liveness, deaths: this.deaths, births: this.births, now },
      this.timelineFrom,
      this.opts.microStopMs,
    );
    this.timelineFrom = Number.POSITIVE_INFINITY;
    const diff = diffTimelines(this.timeline, next);
    this.timeline = next;
    this.markDirty(diff.dirtyFrom);
    return diff;
  }

  /** The whole timeline at `now`, from scratch. */
  buildTimeline(now: number): StateRecord[] {
    this.timelineFrom = Number.POSITIVE_INFINITY;
    const segs = buildSegments({
      changes: this.changes,
      liveness: this.liveness,
      deaths: this.deaths,
      births: this.births,
      now,
    });
    return toRecords(segs, this.opts.microStopMs, now);
  }

  private mappedAt(j: number): BaseChange | undefined {
    const s = this.series.state as Series;
    const t = s.times[j];
    if (t === undefined) return undefined;
    const v = s.values[j] ?? null;
    if (v === null) return { t, state: 'offline' };
    const m = this.mapping.map(v);
    if (!m) return { t, state: this.unknownState };
    return m.code === undefined ? { t, state: m.state } : { t, state: m.state, code: m.code };
  }

  /** Re-derives whether the samples at t and right after it are state changes. */
  private updateChangesAround(t: number): void {
    const s = this.series.state as Series;
    const i = s.lowerBound(t);
    for (const j of [i, i + 1]) {
      const cur = this.mappedAt(j);
      if (!cur) continue;
      const k = this.changeIndex(cur.t);
      if (this.changes[k]?.t === cur.t) this.changes.splice(k, 1);
      const prev = j > 0 ? this.mappedAt(j - 1) : undefined;
      if (!prev || prev.state !== cur.state || prev.code !== cur.code) this.changes.splice(k, 0, cur);
    }
  }

  private rebuildChanges(): void {
    this.changes = [];
    const s = this.series.state as Series;
    let prev: BaseChange | undefined;
    for (let j = 0; j < s.length; j++) {
      const cur = this.mappedAt(j) as BaseChange;
      if (!prev || prev.state !== cur.state || prev.code !== cur.code) this.changes.push(cur);
      prev = cur;
    }
  }

  private changeIndex(t: number): number {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.changes[mid] as BaseChange).t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Time of the first retained data (a state value or any good sample); +Infinity when none. */
  firstData(): number {
    const state = this.series.state?.times[0] ?? Number.POSITIVE_INFINITY;
    const run = this.liveness.runs[0]?.first ?? Number.POSITIVE_INFINITY;
    return Math.min(state, run);
  }

  /** Drops cached minutes from `from` on. */
  invalidate(from: number): void {
    if (!Number.isFinite(from)) return;
    const cut = Math.floor(from / MINUTE) * MINUTE;
    for (const k of this.buckets.keys()) if (k >= cut) this.buckets.delete(k);
    const hourCut = Math.floor(from / HOUR) * HOUR;
    for (const k of this.hours.keys()) if (k >= hourCut) this.hours.delete(k);
  }

  /** Summed components of [from, to) (minute-aligned) as of `now`; whole past hours come from an hour cache. */
  components(from: number, to: number, now: number): Components {
    const c = zero();
    let a = from;
    while (a < to && a <= now) {
      if (a % HOUR === 0 && a + HOUR <= to && a + HOUR <= now) {
        add(c, this.hour(a, now));
        a += HOUR;
      } else {
        add(c, this.bucket(a, now));
        a += MINUTE;
      }
    }
    return c;
  }

  private hour(h: number, now: number): Components {
    const hit = this.hours.get(h);
    if (hit) return hit;
    const c = zero();
    for (let a = h; a < h + HOUR; a += MINUTE) add(c, this.bucket(a, now));
    this.hours.set(h, c);
    return c;
  }

  idealAt(t: number): number {
    const program = this.series.program;
    if (!program) return this.idealMs;
    const v = program.values[program.atOrBefore(t)];
    if (v === undefined || v === null) return this.idealMs;
    return this.idealByProgram.get(String(v).trim().toLowerCase()) ?? this.idealMs;
  }

  trim(cutoff: number): void {
    for (const s of Object.values(this.series)) s?.trim(cutoff);
    this.rebuildChanges();
    this.liveness.trim(cutoff);
    let d = 0;
    // Keep the last death before the cutoff: it ends the online lease of a birth before it.
    while (d < this.deaths.length - 1 && (this.deaths[d + 1] as number) < cutoff) d++;
    this.deaths.splice(0, d);
    // Keep the last birth before the cutoff: it may still be the device's current online lease.
    let b = 0;
    while (b < this.births.length - 1 && (this.births[b + 1] as number) < cutoff) b++;
    this.births.splice(0, b);
    for (const k of this.buckets.keys()) if (k < cutoff - MINUTE) this.buckets.delete(k);
    for (const k of this.hours.keys()) if (k < cutoff - HOUR) this.hours.delete(k);
  }

  private bucket(a: number, now: number): Components {
    const hit = this.buckets.get(a);
    if (hit) return hit;
    const b = a + MINUTE;
    const c = zero();
    bookStates(c, this.timeline, this.opts.calendar.planned(this.device, a, b), a, b, now);
    forEachIncrease(this.series.total as Series, a, b, this.rules.total, (t, d) => {
      c.total += d;
      c.idealTotalMs += d * this.idealAt(t);
    });
    if (this.series.good) {
      forEachIncrease(this.series.good, a, b, this.rules.good, (t, d) => {
        c.good += d;
        c.idealGoodMs += d * this.idealAt(t);
      });
    }
    if (this.series.scrap) {
      forEachIncrease(this.series.scrap, a, b, this.rules.scrap, (t, d) => {
        c.scrap += d;
        c.idealScrapMs += d * this.idealAt(t);
      });
    }
    if (b <= now) this.buckets.set(a, c);
    return c;
  }
}
