/**
 * Power estimated from phase current, and energy integrated from power (trapezoid). Pure.
 *
 * Three phase (balanced load, one clamped phase): P = √3 × I × V_LL × PF. Single phase: P = I × V × PF.
 * A current clamp measures magnitude only, so a negative reading (an under-ranged loop) counts as 0 A.
 */
export interface PhaseModel {
  phases: 1 | 3;
  voltage: number;
  powerFactor: number;
}

export function powerKw(currentA: number, m: PhaseModel): number {
  const i = Math.max(0, currentA);
  const p = i * m.voltage * m.powerFactor * (m.phases === 3 ? Math.sqrt(3) : 1);
  return p / 1000;
}

/** Larger than any machine (a big arc furnace draws ~100 MW): readings above it are wiring or scaling faults. */
export const MAX_PLAUSIBLE_KW = 1e6;

export interface EnergyState {
  kwh: number;
  /** last good power reading, so a restart within maxGap still bridges the gap */
  lastT?: number;
  lastKw?: number;
}

export type EnergyStep =
  | { kind: 'first'; kwh: number }
  | { kind: 'integrated'; kwh: number; addedKwh: number }
  | { kind: 'gap'; kwh: number; gapMs: number }
  | { kind: 'invalid'; kwh: number };

export class EnergyIntegrator {
  private readonly maxGapMs: number;
  private kwh: number;
  private last: { t: number; kw: number } | undefined;

  constructor(maxGapMs: number, restored?: EnergyState) {
    this.maxGapMs = maxGapMs;
    this.kwh = restored?.kwh ?? 0;
    if (restored?.lastT !== undefined && restored.lastKw !== undefined) {
      this.last = { t: restored.lastT, kw: restored.lastKw };
    }
  }

  get state(): EnergyState {
    const s: EnergyState = { kwh: this.kwh };
    if (this.last) {
      s.lastT = this.last.t;
      s.lastKw = this.last.kw;
    }
    return s;
  }

  /**
   * Adds the area since the previous good reading, unless the gap is longer than maxGapMs. A reading that is not
   * a plausible power (non-finite, negative, above MAX_PLAUSIBLE_KW) is refused and leaves the total untouched.
   */
  push(t: number, kw: number): EnergyStep {
    if (!Number.isFinite(kw) || kw < 0 || kw > MAX_PLAUSIBLE_KW) return { kind: 'invalid', kwh: this.kwh };
    const prev = this.last;
    this.last = { t, kw };
    if (prev === undefined) return { kind: 'first', kwh: this.kwh };
    const dt = t - prev.t;
    if (dt > this.maxGapMs) return { kind: 'gap', kwh: this.kwh, gapMs: dt };
    const addedKwh = (((prev.kw + kw) / 2) * dt) / 3_600_000;
    this.kwh += addedKwh;
    return { kind: 'integrated', kwh: this.kwh, addedKwh };
  }
}
