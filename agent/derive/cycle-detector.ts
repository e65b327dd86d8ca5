/**
 * Machine cycles from a load signal: a rise above `threshold` that stays up at least `minDurationMs`
 * is one cycle (one part). Crossing times are interpolated between readings, so the measured cycle
 * time is finer than the poll interval. Pure and clock-free.
 */
export interface CycleOptions {
  threshold: number;
  hysteresis: number;
  minDurationMs: number;
  /** starts further apart than this give no cycle time (the machine paused in between) */
  maxCycleMs: number;
}

export interface CycleEvent {
  /** interpolated start and end of the load peak */
  start: number;
  end: number;
  /** start-to-start time from the previous counted cycle, when it is at most maxCycleMs */
  cycleTimeMs?: number;
}

export type CycleStep =
  | { kind: 'none' }
  | { kind: 'cycle'; cycle: CycleEvent }
  | { kind: 'too-short'; start: number; end: number };

export class CycleDetector {
  private readonly o: CycleOptions;
  private prev: { t: number; v: number } | undefined;
  private riseAt: number | undefined;
  private lastCountedStart: number | undefined;

  constructor(opts: CycleOptions) {
    this.o = opts;
  }

  /** Feeds one reading (null when bad or missing: no interpolation across it). */
  push(t: number, value: number | null): CycleStep {
    if (value === null) {
      this.prev = undefined;
      return { kind: 'none' };
    }
    const prev = this.prev;
    this.prev = { t, v: value };
    const hi = this.o.threshold;
    const lo = this.o.threshold - this.o.hysteresis;
    if (this.riseAt === undefined) {
      if (value > hi) this.riseAt = prev === undefined ? t : crossing(prev, { t, v: value }, hi);
      return { kind: 'none' };
    }
    if (value >= lo) return { kind: 'none' };
    const start = this.riseAt;
    const end = prev === undefined ? t : Math.max(start, crossing(prev, { t, v: value }, lo));
    this.riseAt = undefined;
    if (end - start < this.o.minDurationMs) return { kind: 'too-short', start, end };
    const cycle: CycleEvent = { start, end };
    if (this.lastCountedStart !== undefined && start - this.lastCountedStart <= this.o.maxCycleMs) {
      cycle.cycleTimeMs = start - this.lastCountedStart;
    }
    this.lastCountedStart = start;
    return { kind: 'cycle', cycle };
  }
}

/** Time at which the straight line between two readings crosses `level`. */
function crossing(a: { t: number; v: number }, b: { t: number; v: number }, level: number): number {
  if (b.v === a.v) return b.t;
  const f = (level - a.v) / (b.v - a.v);
  return a.t + Math.min(1, Math.max(0, f)) * (b.t - a.t);
}
