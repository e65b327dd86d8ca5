/**
 * One machine's retained history and what is derived from it: the state timeline and per-minute OEE components
 * (cached; invalidated from the earliest time late data or a state change touched).
 */
import type { Machine } from '../../config/schemas/analytics.js';
import { toMs } from '../../config/schemas/common.js';
import type { ShiftCalendar } from './calendar.js';
import { type CounterRules, forEachIncrease } from './counters.js';
import { add, bookStates, type Components, zero } from './oee.js';
import { Liveness, Series, type StoredValue } from './series.js';
import { createStateMapping, type StateMapping } from './state-map.js';
import { buildTimeline, diffTimelines, type StateRecord, type TimelineDiff } from './state-timeline.js';
import type { MachineState } from './types.js';
import { MINUTE } from './windows.js';

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
  readonly series: Record<MachineRole, Series | undefined>;
  readonly metricRoles = new Map<string, MachineRole[]>();
  readonly liveness: Liveness;
  readonly deaths: number[] = [];
  timeline: StateRecord[] = [];
  /** earliest time whose windows must be recomputed; +Infinity when none */
  dirtyFrom = Number.POSITIVE_INFINITY;
  readonly goodSource: 'counter' | 'scrap' | 'total';
  readonly mapping: StateMapping;
  readonly unknownState: MachineState;
  readonly rules: Record<'total' | 'good' | 'scrap', CounterRules>;
  private readonly buckets = new Map<number, Components>();
  private readonly idealMs: number;
  private readonly idealByProgram: Map<string, number>;

  constructor(
    readonly cfg: Machine,
    private readonly opts: MachineOptions,
  ) {
    this.device = cfg.device;
    this.line = cfg.line;
    this.liveness = new Liveness(cfg.staleAfter === undefined ? opts.staleAfterMs : toMs(cfg.staleAfter));
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
    this.unknownState = cfg.state.unknown ?? 'down';
    const rules = (c: { bits?: 16 | 32 | 64; maxDelta?: number } | undefined): CounterRules => {
      const r: CounterRules = {};
      if (c?.bits !== undefined) r.bits = c.bits;
      if (c?.maxDelta !== undefined) r.maxDelta = c.maxDelta;
      return r;
    };
    this.rules = { total: rules(cfg.total), good: rules(cfg.good), scrap: rules(cfg.scrap) };
    this.idealMs = toMs(cfg.idealCycle);
    this.idealByProgram = new Map(
      Object.entries(cfg.program?.idealCycles ?? {}).map(([k, v]) => [k.trim().toLowerCase(), toMs(v)]),
    );
  }

  /** Stores a value for one role; returns true when history changed. */
  store(role: MachineRole, t: number, v: StoredValue): boolean {
    const s = this.series[role];
    if (!s?.insert(t, v)) return false;
    this.markDirty(t);
    return true;
  }

  alive(t: number): void {
    if (this.liveness.insert(t)) this.markDirty(t);
  }

  death(t: number): void {
    let i = this.deaths.length;
    while (i > 0 && (this.deaths[i - 1] as number) > t) i--;
    if (this.deaths[i - 1] === t) return;
    this.deaths.splice(i, 0, t);
    this.markDirty(t);
  }

  markDirty(t: number): void {
    if (t < this.dirtyFrom) this.dirtyFrom = t;
  }

  /** Rebuilds the timeline at `now`; returns what changed against the previous one. */
  refreshTimeline(now: number): TimelineDiff {
    const next = this.buildTimeline(now);
    const diff = diffTimelines(this.timeline, next);
    this.timeline = next;
    this.markDirty(diff.dirtyFrom);
    return diff;
  }

  buildTimeline(now: number): StateRecord[] {
    return buildTimeline({
      state: this.series.state as Series,
      liveness: this.liveness,
      deaths: this.deaths,
      mapping: this.mapping,
      unknownState: this.unknownState,
      microStopMs: this.opts.microStopMs,
      now,
    });
  }

  /** Drops cached minutes from `from` on. */
  invalidate(from: number): void {
    if (!Number.isFinite(from)) return;
    const cut = Math.floor(from / MINUTE) * MINUTE;
    for (const k of this.buckets.keys()) if (k >= cut) this.buckets.delete(k);
  }

  /** Summed components of [from, to) (minute-aligned) as of `now`. */
  components(from: number, to: number, now: number): Components {
    const c = zero();
    for (let a = from; a < to && a <= now; a += MINUTE) add(c, this.bucket(a, now));
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
    this.liveness.trim(cutoff);
    let d = 0;
    while (d < this.deaths.length && (this.deaths[d] as number) < cutoff) d++;
    this.deaths.splice(0, d);
    for (const k of this.buckets.keys()) if (k < cutoff - MINUTE) this.buckets.delete(k);
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
