/**
 * What a datalogger reports for a window (minute, hour, day data): average, minimum, maximum of each factor sampled
 * once a second, and the amount emitted (-Cou): for a concentration, Σ concentration × flow × 1 s (mg/m³ × m³/s ×
 * s = mg, written in kg); for the flow itself, the volume in m³. Pure.
 */
import type { ValueField } from '../../protocols/hj212/index.js';
import { corrected, factorValue, OUTLET_PROFILES, type OutletProfile, round } from './outlet-profiles.js';

export type FactorValues = { code: string; values: Partial<Record<ValueField, number>> }[];

export function realtimeValues(profile: OutletProfile, t: number): FactorValues {
  const p = OUTLET_PROFILES[profile];
  const o2 = p.factors.find((f) => f.code === 'a19001');
  return p.factors.map((f) => {
    const v = factorValue(f, t);
    const values: Partial<Record<ValueField, number>> = { Rtd: round(v, f.decimals) };
    if (f.mass && o2 !== undefined) values.ZsRtd = round(corrected(v, factorValue(o2, t)), f.decimals);
    return { code: f.code, values };
  });
}

export function windowValues(profile: OutletProfile, from: number, to: number): FactorValues {
  const p = OUTLET_PROFILES[profile];
  const flow = p.factors.find((f) => f.code === p.flowCode);
  const o2 = p.factors.find((f) => f.code === 'a19001');
  const seconds = Math.max(1, Math.round((to - from) / 1000));
  return p.factors.map((f) => {
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let amount = 0;
    let zsSum = 0;
    for (let i = 0; i < seconds; i++) {
      const t = from + i * 1000;
      const v = factorValue(f, t);
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      const q = flow === undefined ? 0 : factorValue(flow, t) * p.flowToM3PerS;
      if (f.mass) amount += (v * q) / 1e6; // mg/m³ × m³/s × 1 s = mg; ÷ 1e6 → kg
      if (f.flow) amount += q;
      if (o2 !== undefined) zsSum += corrected(v, factorValue(o2, t));
    }
    // mg/L is 1000 mg/m³
    if (f.mass && profile === 'wastewater') amount *= 1000;
    const values: Partial<Record<ValueField, number>> = {
      Avg: round(sum / seconds, f.decimals),
      Min: round(min, f.decimals),
      Max: round(max, f.decimals),
    };
    if (f.mass || f.flow) values.Cou = round(amount, 4);
    if (f.mass && o2 !== undefined) values.ZsAvg = round(zsSum / seconds, f.decimals);
    return { code: f.code, values };
  });
}
