/**
 * Increases of cumulative counters (part counts, energy registers) with wrap and reset handling
 * (docs/architecture.md#counters-rollover-and-reset): a drop from the top quarter of an n-bit range to the
 * bottom quarter is a wrap, Δ = cur − prev + 2^n; any other drop is a reset and the counter has counted `cur`
 * since. An increase above `maxDelta` is implausible and quarantined. Pure.
 */
import type { Series, StoredValue } from './series.js';

export interface CounterRules {
  bits?: 16 | 32 | 64;
  maxDelta?: number;
}

export type DeltaKind = 'normal' | 'wrap' | 'reset' | 'quarantined';

export function counterDelta(
  prev: number,
  cur: number,
  rules: CounterRules,
): { delta: number; kind: DeltaKind } {
  let delta: number;
  let kind: DeltaKind = 'normal';
  if (cur >= prev) delta = cur - prev;
  else if (rules.bits !== undefined && prev >= 0.75 * 2 ** rules.bits && cur < 0.25 * 2 ** rules.bits) {
    delta = cur - prev + 2 ** rules.bits;
    kind = 'wrap';
  } else {
    delta = Math.max(0, cur);
    kind = 'reset';
  }
  if (rules.maxDelta !== undefined && delta > rules.maxDelta) return { delta: 0, kind: 'quarantined' };
  return { delta, kind };
}

export function numeric(v: StoredValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/** Previous numeric value before index i (skipping bad samples), with its time. */
function prevNumeric(s: Series, i: number): { t: number; v: number } | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const v = numeric(s.values[j]);
    if (v !== undefined) return { t: s.times[j] as number, v };
  }
  return undefined;
}

/** Calls `fn(t, delta)` for every counter increase attributed to a sample time in [from, to). */
export function forEachIncrease(
  s: Series,
  from: number,
  to: number,
  rules: CounterRules,
  fn: (t: number, delta: number) => void,
): void {
  const startIdx = s.lowerBound(from);
  let prev = prevNumeric(s, startIdx);
  for (let i = startIdx; i < s.length; i++) {
    const t = s.times[i] as number;
    if (t >= to) break;
    const v = numeric(s.values[i]);
    if (v === undefined) continue;
    if (prev !== undefined) {
      const { delta } = counterDelta(prev.v, v, rules);
      if (delta > 0) fn(t, delta);
    }
    prev = { t, v };
  }
}

/**
 * Consumption of a cumulative register within [from, to), each increase spread evenly over the time since the
 * previous reading (so 15-minute demand does not depend on when the meter happened to report).
 */
export function spreadIncrease(s: Series, from: number, to: number, rules: CounterRules): number {
  let sum = 0;
  let i = s.lowerBound(from + 1);
  let prev = prevNumeric(s, i);
  for (; i < s.length; i++) {
    const t = s.times[i] as number;
    const v = numeric(s.values[i]);
    if (v === undefined) continue;
    if (prev !== undefined) {
      if (prev.t >= to) break;
      const { delta } = counterDelta(prev.v, v, rules);
      const span = t - prev.t;
      if (delta > 0 && span > 0) {
        const o = Math.min(t, to) - Math.max(prev.t, from);
        if (o > 0) sum += (delta * o) / span;
      }
    }
    prev = { t, v };
  }
  return sum;
}

/**
 * Integral of a rate (per hour: kW → kWh, m³/h → m³) over [from, to) by the trapezoid rule with linear
 * interpolation at the bounds. A span longer than `maxGapMs`, or next to a bad reading, is not bridged.
 */
export function integrateRate(s: Series, from: number, to: number, maxGapMs: number): number {
  let sum = 0;
  let i = Math.max(0, s.lowerBound(from + 1) - 1);
  for (; i + 1 < s.length; i++) {
    const t0 = s.times[i] as number;
    if (t0 >= to) break;
    const t1 = s.times[i + 1] as number;
    const v0 = numeric(s.values[i]);
    const v1 = numeric(s.values[i + 1]);
    const span = t1 - t0;
    if (v0 === undefined || v1 === undefined || span <= 0 || span > maxGapMs) continue;
    const a = Math.max(t0, from);
    const b = Math.min(t1, to);
    if (b <= a) continue;
    const va = v0 + ((v1 - v0) * (a - t0)) / span;
    const vb = v0 + ((v1 - v0) * (b - t0)) / span;
    sum += ((va + vb) / 2) * ((b - a) / 3_600_000);
  }
  return sum;
}
