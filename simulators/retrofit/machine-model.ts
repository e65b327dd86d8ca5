/**
 * A machine with no controller, as a retrofit sensor kit sees it: the motor current on one phase (what a
 * CT clamp measures) and a photo-eye that sees each finished part. Deterministic from a seed, and it keeps
 * its ground truth (the true state timeline and part count) so tests can score what the agent derives.
 *
 * Model time is ms from 0. The current waveform:
 *  - off: residual draw ≈ 0 A;
 *  - idle (powered, spindle stopped): control cabinet, coolant and hydraulics ≈ idleA, with the hydraulic
 *    pump cutting in for a few seconds now and then; a short transformer inrush at power-on;
 *  - running: cycles of cutting (spindle inrush at start, spindle base load, cutting passes with peaks)
 *    separated by a short part change at idle draw (shorter than any sensible dwell time: still running).
 *    A longer pause between cycles (operator away, material wait) is a micro-stop: truly idle.
 * One photo-eye pulse per cycle, shortly after the cut ends (the part drops onto the conveyor).
 */
import { between, hash01, mulberry32 } from './prng.js';

export type TrueState = 'off' | 'idle' | 'running';
type Range = readonly [number, number];

export interface TruthSegment {
  state: TrueState;
  start: number;
  end: number;
}

export interface MachineProfile {
  offA: number;
  idleA: number;
  /** spindle turning, not cutting */
  spindleA: number;
  /** peak current of a cutting pass */
  cutPeakA: Range;
  /** standard deviation of the measurement noise */
  noiseA: number;
  powerOnInrushA: number;
  powerOnInrushMs: number;
  spindleInrushA: number;
  spindleInrushMs: number;
  /** the hydraulic pump cutting in while idle */
  hydraulicA: number;
  hydraulicMs: number;
  hydraulicEveryMs: number;
  cutMs: Range;
  passes: Range;
  handlingMs: Range;
  cyclesPerRun: Range;
  microStopChance: number;
  microStopMs: Range;
  idleMs: Range;
  offMs: Range;
  /** chance that the machine is switched off after a run (otherwise it idles until the next run) */
  offChance: number;
  pulseDelayMs: Range;
  pulseWidthMs: number;
}

/** A CNC lathe on a 380 V three-phase supply, clamped on one phase of the main feed. */
export const LATHE: MachineProfile = {
  offA: 0.05,
  idleA: 3.2,
  spindleA: 9,
  cutPeakA: [14, 24],
  noiseA: 0.25,
  powerOnInrushA: 14,
  powerOnInrushMs: 300,
  spindleInrushA: 28,
  spindleInrushMs: 250,
  hydraulicA: 1.2,
  hydraulicMs: 3_000,
  hydraulicEveryMs: 30_000,
  cutMs: [18_000, 32_000],
  passes: [2, 4],
  handlingMs: [2_000, 3_500],
  cyclesPerRun: [3, 25],
  microStopChance: 0.08,
  microStopMs: [15_000, 90_000],
  idleMs: [20_000, 240_000],
  offMs: [60_000, 600_000],
  offChance: 0.3,
  pulseDelayMs: [300, 1_000],
  pulseWidthMs: 150,
};

/** The lathe, ten times faster: for end-to-end runs in real time (derive with minDwell ≈ 1s). */
export const FAST_LATHE: MachineProfile = {
  ...LATHE,
  powerOnInrushMs: 150,
  spindleInrushMs: 100,
  hydraulicMs: 500,
  hydraulicEveryMs: 5_000,
  cutMs: [2_500, 4_000],
  handlingMs: [400, 600],
  cyclesPerRun: [2, 5],
  microStopChance: 0.15,
  microStopMs: [3_000, 5_000],
  idleMs: [3_000, 6_000],
  offMs: [3_000, 6_000],
  pulseDelayMs: [100, 200],
  pulseWidthMs: 100,
};

interface Pass {
  start: number;
  end: number;
  peak: number;
}

interface Cycle {
  start: number;
  end: number;
  passes: Pass[];
}

const NOISE_BUCKET_MS = 100;
const LOOKAHEAD_MS = 600_000;

export class MachineModel {
  readonly profile: MachineProfile;
  private readonly seed: number;
  private readonly rand: () => number;
  private readonly segments: TruthSegment[] = [];
  private readonly cycleList: Cycle[] = [];
  private readonly pulses: number[] = [];
  private readonly powerOns: number[] = [];
  private horizon = 0;

  constructor(profile: MachineProfile, seed: number) {
    this.profile = profile;
    this.seed = seed >>> 0;
    this.rand = mulberry32(seed);
  }

  /** The true state at t. */
  stateAt(t: number): TrueState {
    this.ensure(t);
    const i = lastAtOrBefore(this.segments, t, (s) => s.start);
    return this.segments[i]?.state ?? 'idle';
  }

  /** The true state timeline over [from, to), clipped. */
  truth(from: number, to: number): TruthSegment[] {
    this.ensure(to);
    return this.segments
      .filter((s) => s.end > from && s.start < to)
      .map((s) => ({ state: s.state, start: Math.max(s.start, from), end: Math.min(s.end, to) }));
  }

  /** Parts made (photo-eye pulses begun) in [0, t]. */
  partsUntil(t: number): number {
    this.ensure(t);
    return lastAtOrBefore(this.pulses, t, (p) => p) + 1;
  }

  /** Is the photo-eye beam blocked at t (a part passing)? */
  photoEyeAt(t: number): boolean {
    this.ensure(t);
    const p = this.pulses[lastAtOrBefore(this.pulses, t, (x) => x)];
    return p !== undefined && t < p + this.profile.pulseWidthMs;
  }

  /** The motor current on the clamped phase at t, in A (noise included, never negative). */
  currentAt(t: number): number {
    this.ensure(t);
    const p = this.profile;
    const noise = this.noise(t) * p.noiseA;
    const state = this.stateAt(t);
    if (state === 'off') return Math.max(0, p.offA + 0.2 * noise);
    const on = this.powerOns[lastAtOrBefore(this.powerOns, t, (x) => x)];
    if (on !== undefined && t - on < p.powerOnInrushMs) return p.powerOnInrushA + noise;
    const c = this.cycleList[lastAtOrBefore(this.cycleList, t, (x) => x.start)];
    if (c !== undefined && t < c.end) {
      if (t - c.start < p.spindleInrushMs) return p.spindleInrushA + noise;
      const pass = c.passes.find((x) => t >= x.start && t < x.end);
      if (pass === undefined) return p.spindleA + noise;
      // load builds over the first second of a pass and wobbles with the tool engagement
      const ramp = Math.min(1, (t - pass.start) / 1_000);
      const wobble = 1 + 0.06 * Math.sin(t / 170);
      return p.spindleA + (pass.peak - p.spindleA) * ramp * wobble + noise;
    }
    return p.idleA + this.hydraulic(t) + noise;
  }

  /** The true machine cycles (cutting phases) that start in [from, to). */
  cycles(from: number, to: number): { start: number; end: number }[] {
    this.ensure(to);
    return this.cycleList
      .filter((c) => c.start >= from && c.start < to)
      .map((c) => ({ start: c.start, end: c.end }));
  }

  /** Numeric integral of f(current) over [from, to) at `stepMs` resolution: the true energy for a power model. */
  integrate(from: number, to: number, f: (amps: number) => number, stepMs = 50): number {
    let sum = 0;
    for (let t = from; t < to; t += stepMs) sum += f(this.currentAt(t)) * Math.min(stepMs, to - t);
    return sum;
  }

  // ---- generation ------------------------------------------------------------------------------------------

  private ensure(t: number): void {
    while (this.horizon <= t + LOOKAHEAD_MS) this.generateRun();
  }

  /** Idle, a production run, then either idle or a power-off and power-on. */
  private generateRun(): void {
    const p = this.profile;
    const r = this.rand;
    let t = this.horizon;
    t = this.add('idle', t, between(r, p.idleMs));
    const n = Math.round(between(r, p.cyclesPerRun));
    for (let c = 0; c < n; c++) {
      const cut = between(r, p.cutMs);
      this.cycleList.push({ start: t, end: t + cut, passes: this.passes(t, cut) });
      this.pulses.push(t + cut + between(r, p.pulseDelayMs));
      t = this.add('running', t, cut);
      if (c === n - 1) break;
      if (r() < p.microStopChance) t = this.add('idle', t, between(r, p.microStopMs));
      else t = this.add('running', t, between(r, p.handlingMs));
    }
    // after the run the machine idles a little (the last part leaves, the operator tidies up)
    t = this.add('idle', t, between(r, p.idleMs));
    if (r() < p.offChance) {
      t = this.add('off', t, between(r, p.offMs));
      this.powerOns.push(t);
    }
    this.horizon = t;
  }

  private passes(start: number, cut: number): Pass[] {
    const p = this.profile;
    const r = this.rand;
    const n = Math.round(between(r, p.passes));
    const slot = (cut - p.spindleInrushMs) / n;
    const out: Pass[] = [];
    for (let i = 0; i < n; i++) {
      // each slot: a rapid move at spindle base load, then the cut
      const s = start + p.spindleInrushMs + i * slot + slot * between(r, [0.1, 0.3]);
      out.push({ start: s, end: start + p.spindleInrushMs + (i + 1) * slot, peak: between(r, p.cutPeakA) });
    }
    return out;
  }

  private add(state: TrueState, start: number, duration: number): number {
    const end = start + Math.round(duration);
    const last = this.segments.at(-1);
    if (last !== undefined && last.state === state && last.end === start) last.end = end;
    else this.segments.push({ state, start, end });
    return end;
  }

  /** About N(0, 1), piecewise constant over 100 ms, a function of t alone. */
  private noise(t: number): number {
    const k = Math.floor(t / NOISE_BUCKET_MS) * 3;
    return (hash01(this.seed, k) + hash01(this.seed, k + 1) + hash01(this.seed, k + 2) - 1.5) * 2;
  }

  private hydraulic(t: number): number {
    const p = this.profile;
    const k = Math.floor(t / p.hydraulicEveryMs);
    const at =
      k * p.hydraulicEveryMs + hash01(this.seed ^ 0x5bd1e995, k) * (p.hydraulicEveryMs - p.hydraulicMs);
    return t >= at && t < at + p.hydraulicMs ? p.hydraulicA : 0;
  }
}

/** Index of the last element whose key is ≤ t (−1 when none); `list` is sorted by key. */
function lastAtOrBefore<T>(list: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = list.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const item = list[mid] as T;
    if (key(item) <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
