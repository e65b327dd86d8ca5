import type { Quality } from '../../protocols/sample.js';
import type { SignalType } from './derive-spec.js';

/**
 * Analogue loop → engineering value, with out-of-range detection (NAMUR NE 43 limits for 4–20 mA).
 * Pure. A broken wire gives a bad reading, never a zero.
 */
export interface LoopLimits {
  /** loop value at the bottom and top of the measuring range */
  lo: number;
  hi: number;
  /** readings in [validLo, validHi] are good (slight under/over-range is linear, as NE 43 allows) */
  validLo: number;
  validHi: number;
  /** readings outside [faultLo, faultHi] are failures (broken wire, short circuit): bad, no value */
  faultLo: number;
  faultHi: number;
  unit: 'mA' | 'V';
}

export const LOOP_LIMITS: { readonly [K in SignalType]: LoopLimits } = {
  // NE 43: measuring 3.8–20.5 mA; failure ≤ 3.6 mA (wire break) or ≥ 21 mA (short circuit)
  '4-20mA': { lo: 4, hi: 20, validLo: 3.8, validHi: 20.5, faultLo: 3.6, faultHi: 21, unit: 'mA' },
  // live zero at 2 V, same proportions as NE 43
  '2-10V': { lo: 2, hi: 10, validLo: 1.9, validHi: 10.25, faultLo: 1.8, faultHi: 10.5, unit: 'V' },
  // no live zero: a broken wire reads 0 V, which is also a legal reading. Only over-range and a clearly
  // negative input are detectable; use the module's wire-break bit (`fault`) or a live-zero loop instead.
  '0-10V': { lo: 0, hi: 10, validLo: -0.1, validHi: 10.25, faultLo: -0.2, faultHi: 10.5, unit: 'V' },
};

export type ScaleOutcome =
  | { ok: true; value: number; quality: Quality }
  | { ok: false; reason: 'BROKEN_WIRE' | 'OVER_RANGE' | 'UNDER_RANGE' | 'NOT_A_NUMBER'; message: string };

export interface ScaleSpec {
  type: SignalType;
  min: number;
  max: number;
}

/** Scales one loop reading. Readings between the valid and fault limits are kept but marked uncertain. */
export function scaleSignal(raw: unknown, spec: ScaleSpec): ScaleOutcome {
  const lim = LOOP_LIMITS[spec.type];
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    return { ok: false, reason: 'NOT_A_NUMBER', message: `loop reading ${String(raw)} is not a number` };
  }
  if (raw <= lim.faultLo) {
    const liveZero = spec.type !== '0-10V';
    return {
      ok: false,
      reason: liveZero ? 'BROKEN_WIRE' : 'UNDER_RANGE',
      message: liveZero
        ? `${raw} ${lim.unit} is at or below ${lim.faultLo} ${lim.unit}: broken wire or sensor failure`
        : `${raw} ${lim.unit} is below ${lim.faultLo} ${lim.unit}: wiring fault`,
    };
  }
  if (raw >= lim.faultHi) {
    return {
      ok: false,
      reason: 'OVER_RANGE',
      message: `${raw} ${lim.unit} is at or above ${lim.faultHi} ${lim.unit}: short circuit or sensor failure`,
    };
  }
  const value = spec.min + ((raw - lim.lo) / (lim.hi - lim.lo)) * (spec.max - spec.min);
  const quality: Quality = raw < lim.validLo || raw > lim.validHi ? 'uncertain' : 'good';
  return { ok: true, value, quality };
}
