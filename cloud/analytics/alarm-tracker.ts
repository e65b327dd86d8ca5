/**
 * Limit alarms with hysteresis on any metric (stack monitors: NOx, SO2, particulates, noise; or anything else):
 * raised when a value goes above `high` (below `low`), cleared only once it is back by `hysteresis`. Transitions
 * are recomputed from the retained, time-ordered history, so late data puts them where they belong.
 */
import type { AlarmRule } from '../../config/schemas/analytics.js';
import { numeric } from './counters.js';
import { Series, type StoredValue } from './series.js';

export interface AlarmTransition {
  t: number;
  active: boolean;
  value: number;
  limit: number;
  /** time of the raise this transition belongs to */
  raisedAt: number;
}

type Side = 'none' | 'high' | 'low';

export class AlarmTracker {
  readonly series = new Series();
  site: string | undefined;
  transitions: AlarmTransition[] = [];
  /** state before the first retained sample (restored from the alarms series on rebuild) */
  initial: { side: Side; raisedAt: number } = { side: 'none', raisedAt: 0 };

  /** earliest sample time inserted since the last compute */
  private changedFrom = Number.NEGATIVE_INFINITY;

  constructor(readonly rule: AlarmRule) {}

  insert(t: number, v: StoredValue): boolean {
    if (!this.series.insert(t, v)) return false;
    this.changedFrom = Math.min(this.changedFrom, t);
    return true;
  }

  /** Transitions over the retained history; only samples from the earliest change on are re-evaluated. */
  compute(): AlarmTransition[] {
    const { high, low } = this.rule;
    const hyst = this.rule.hysteresis ?? 0;
    const from = this.changedFrom;
    this.changedFrom = Number.POSITIVE_INFINITY;
    const out = this.transitions.filter((tr) => tr.t < from);
    const last = out[out.length - 1];
    let side: Side = this.initial.side;
    let raisedAt = this.initial.raisedAt;
    if (last) {
      side = last.active ? (last.value > last.limit ? 'high' : 'low') : 'none';
      raisedAt = last.raisedAt;
    }
    for (let i = Number.isFinite(from) ? this.series.lowerBound(from) : 0; i < this.series.length; i++) {
      const v = numeric(this.series.values[i]);
      if (v === undefined) continue;
      const t = this.series.times[i] as number;
      let next: Side = side;
      if (side === 'none') {
        if (high !== undefined && v > high) next = 'high';
        else if (low !== undefined && v < low) next = 'low';
      } else if (side === 'high' && high !== undefined && v <= high - hyst) {
        next = low !== undefined && v < low ? 'low' : 'none';
      } else if (side === 'low' && low !== undefined && v >= low + hyst) {
        next = high !== undefined && v > high ? 'high' : 'none';
      }
      if (next === side) continue;
      const limitSide = next === 'none' ? side : next;
      const limit = (limitSide === 'high' ? high : low) ?? 0;
      if (next !== 'none') raisedAt = t;
      out.push({ t, active: next !== 'none', value: v, limit, raisedAt });
      side = next;
    }
    return out;
  }

  message(tr: AlarmTransition): string {
    if (this.rule.message) return this.rule.message;
    const { metric } = this.rule;
    if (!tr.active) return `${metric} back within limits (${tr.value})`;
    return tr.value > tr.limit
      ? `${metric} ${tr.value} above high limit ${tr.limit}`
      : `${metric} ${tr.value} below low limit ${tr.limit}`;
  }

  /** Drops history before `cutoff`, carrying the alarm state at the cutoff into `initial`. */
  trim(cutoff: number): void {
    const before = this.transitions.filter((tr) => tr.t < cutoff);
    const last = before[before.length - 1];
    const keepIdx = this.series.lowerBound(cutoff);
    if (keepIdx === 0) return;
    // The state just before the first kept sample: recompute from the transitions up to it.
    const firstKept = this.series.times[keepIdx] ?? Number.POSITIVE_INFINITY;
    const upTo = this.transitions.filter((tr) => tr.t < firstKept);
    const at = upTo[upTo.length - 1] ?? last;
    if (at) {
      this.initial = at.active
        ? { side: at.value > at.limit ? 'high' : 'low', raisedAt: at.raisedAt }
        : { side: 'none', raisedAt: at.raisedAt };
    }
    this.series.times.splice(0, keepIdx);
    this.series.values.splice(0, keepIdx);
    this.transitions = this.transitions.filter((tr) => tr.t >= firstKept);
    this.changedFrom = Number.NEGATIVE_INFINITY;
  }
}
