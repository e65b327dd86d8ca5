/**
 * One simulated electricity meter: a power profile over time, energy that integrates it (per tariff by the hour of
 * day), voltages, currents, power factor, frequency and the maximum demand with its time, served by data identifier
 * in the meter's protocol version.
 */
import {
  type Dlt645Version,
  findDataIdentifier,
  pointLayout,
} from '../../protocols/dlt645/data-identifiers.js';
import { encodePointValue } from '../../protocols/dlt645/point-value.js';

/** kW at simulated time t (ms since the epoch); the default swings around `base` with a period. */
export type PowerProfile = (tMs: number) => number;

export interface SimMeterSpec {
  /** 12 digits */
  address: string;
  version?: Dlt645Version;
  /** constant kW, or a function of time (default: 40 kW ± 10 kW over 10 minutes) */
  power?: number | PowerProfile;
  /** forward active energy at start, kWh (default 1000) */
  energyKwh?: number;
  /** line-to-neutral voltage, V (default 230) */
  voltage?: number;
  powerFactor?: number;
  /** extra or overridden identifiers: the value and, outside the table, its format */
  extra?: Record<string, { value: number; format?: string; signed?: boolean }>;
}

/** Tariff of an hour (1 sharp, 2 peak, 3 flat, 4 valley), a typical Chongqing industrial time-of-use split. */
export function tariffOfHour(hour: number): 1 | 2 | 3 | 4 {
  if (hour >= 23 || hour < 7) return 4;
  if ((hour >= 10 && hour < 12) || (hour >= 19 && hour < 21)) return 1;
  if ((hour >= 8 && hour < 10) || (hour >= 17 && hour < 19)) return 2;
  return 3;
}

export const defaultProfile: PowerProfile = (t) => 40 + 10 * Math.sin((2 * Math.PI * t) / 600_000);

/** Integration step: energy is the trapezoid sum of the profile at this spacing. */
const STEP_MS = 1000;

export class SimMeter {
  readonly address: string;
  readonly version: Dlt645Version;
  private readonly profile: PowerProfile;
  private readonly voltage: number;
  private readonly pf: number;
  private readonly extra: NonNullable<SimMeterSpec['extra']>;
  private t: number;
  /** index 0 total, 1–4 tariffs */
  private readonly energy: number[];
  private maxDemand = 0;
  private maxDemandAt: number;

  constructor(spec: SimMeterSpec, startMs: number) {
    this.address = spec.address;
    this.version = spec.version ?? 2007;
    const p = spec.power ?? defaultProfile;
    this.profile = typeof p === 'number' ? () => p : p;
    this.voltage = spec.voltage ?? 230;
    this.pf = spec.powerFactor ?? 0.92;
    this.extra = spec.extra ?? {};
    this.t = startMs;
    this.maxDemandAt = startMs;
    const e = spec.energyKwh ?? 1000;
    this.energy = [e, 0, 0, e, 0];
  }

  /** Simulated time moves to `tMs`: energy integrates the power profile up to it. */
  advance(tMs: number): void {
    while (this.t < tMs) {
      const next = Math.min(tMs, this.t + STEP_MS);
      const kw = (this.profile(this.t) + this.profile(next)) / 2;
      const kwh = (kw * (next - this.t)) / 3_600_000;
      const tariff = tariffOfHour(new Date(this.t).getHours());
      this.energy[0] = (this.energy[0] ?? 0) + kwh;
      this.energy[tariff] = (this.energy[tariff] ?? 0) + kwh;
      if (kw > this.maxDemand) {
        this.maxDemand = kw;
        this.maxDemandAt = next;
      }
      this.t = next;
    }
  }

  powerKw(): number {
    return this.profile(this.t);
  }

  energyKwh(tariff: 0 | 1 | 2 | 3 | 4 = 0): number {
    return this.energy[tariff] ?? 0;
  }

  /** The value of an identifier now, or undefined when this meter does not have it (it answers "no data"). */
  value(di: string): { value: number; time?: string } | undefined {
    const key = di.toUpperCase();
    const extra = this.extra[key];
    if (extra !== undefined) return { value: extra.value };
    const kw = this.powerKw();
    const phaseKw = kw / 3;
    const amps = (phaseKw * 1000) / (this.voltage * this.pf);
    const r = (n: number, d: number) => Number(n.toFixed(d));
    if (this.version === 2007) {
      const energy = /^000[01]0([0-4])00$/.exec(key);
      if (energy) return { value: r(this.energyKwh(Number(energy[1]) as 0 | 1 | 2 | 3 | 4), 2) };
      if (key === '00020000') return { value: 0 };
      if (/^020101|^020102|^020103/.test(key)) return { value: r(this.voltage, 1) };
      if (/^02020[123]00$/.test(key)) return { value: r(amps, 3) };
      if (key === '02030000') return { value: r(kw, 4) };
      if (/^02030[123]00$/.test(key)) return { value: r(phaseKw, 4) };
      if (key === '02040000') return { value: r(kw * Math.tan(Math.acos(this.pf)), 4) };
      if (key === '02060000' || /^02060[123]00$/.test(key)) return { value: r(this.pf, 3) };
      if (key === '02800002') return { value: 50 };
      if (key === '01010000')
        return { value: r(this.maxDemand, 4), time: new Date(this.maxDemandAt).toISOString() };
      return undefined;
    }
    const energy = /^901([0-4])$/.exec(key);
    if (energy) return { value: r(this.energyKwh(Number(energy[1]) as 0 | 1 | 2 | 3 | 4), 2) };
    if (/^B61[123]$/.test(key)) return { value: Math.round(this.voltage) };
    if (/^B62[123]$/.test(key)) return { value: r(amps, 2) };
    if (key === 'B630') return { value: r(kw, 4) };
    if (/^B63[123]$/.test(key)) return { value: r(phaseKw, 4) };
    if (key === 'B650') return { value: r(this.pf, 3) };
    return undefined;
  }

  /** The data bytes (after the DI) a real meter sends for `di`, or undefined for "no such data". */
  encode(di: string): Uint8Array | undefined {
    const v = this.value(di);
    if (v === undefined) return undefined;
    const extra = this.extra[di.toUpperCase()];
    if (extra === undefined && findDataIdentifier(this.version, di) === undefined) return undefined;
    const layout = pointLayout(this.version, {
      di,
      ...(extra?.format === undefined ? {} : { format: extra.format }),
      ...(extra?.signed === undefined ? {} : { signed: extra.signed }),
    });
    return encodePointValue(layout, v.time === undefined ? v.value : { value: v.value, time: v.time });
  }
}
