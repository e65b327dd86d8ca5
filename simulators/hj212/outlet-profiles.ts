/**
 * What the simulated datalogger measures: a natural-gas boiler stack (SO2, NOx, particulates with their
 * O2-corrected values, O2, flue gas flow, temperature) and a wastewater outlet (COD, ammonia nitrogen, pH, flow).
 * Each factor is a smooth, repeatable signal of time (a slow swing and a faster ripple), so a test can compute what
 * a window's average and amount must be. Pure.
 */
export type OutletProfile = 'boiler-stack' | 'wastewater';

export interface FactorModel {
  code: string;
  base: number;
  /** slow swing amplitude (period 20 min) and fast ripple amplitude (period 70 s) */
  swing: number;
  ripple: number;
  decimals: number;
  /** a concentration whose -Cou is mass (kg): concentration × the outlet's flow */
  mass?: boolean;
  /** a flow whose -Cou is volume (m³) */
  flow?: boolean;
}

/** Reference O2 for a gas-fired boiler (GB 13271-2014): 3.5 % */
export const REFERENCE_O2 = 3.5;

export const OUTLET_PROFILES: Record<
  OutletProfile,
  { st: string; flowCode: string; flowToM3PerS: number; factors: FactorModel[] }
> = {
  'boiler-stack': {
    st: '31',
    flowCode: 'a00000',
    flowToM3PerS: 1,
    factors: [
      { code: 'a21026', base: 18, swing: 6, ripple: 1.5, decimals: 2, mass: true },
      { code: 'a21002', base: 85, swing: 25, ripple: 4, decimals: 2, mass: true },
      { code: 'a34013', base: 4.2, swing: 1.2, ripple: 0.3, decimals: 2, mass: true },
      { code: 'a19001', base: 6.5, swing: 0.8, ripple: 0.2, decimals: 2 },
      { code: 'a00000', base: 6.8, swing: 1.1, ripple: 0.15, decimals: 3, flow: true },
      { code: 'a01012', base: 128, swing: 6, ripple: 0.8, decimals: 1 },
    ],
  },
  wastewater: {
    st: '32',
    flowCode: 'w00000',
    // L/s
    flowToM3PerS: 0.001,
    factors: [
      { code: 'w01018', base: 42, swing: 9, ripple: 2, decimals: 2, mass: true },
      { code: 'w21003', base: 3.1, swing: 0.9, ripple: 0.2, decimals: 3, mass: true },
      { code: 'w01001', base: 7.2, swing: 0.25, ripple: 0.05, decimals: 2 },
      { code: 'w00000', base: 8.5, swing: 2, ripple: 0.3, decimals: 3, flow: true },
    ],
  },
};

/** The factor's value at time t (ms since epoch). */
export function factorValue(f: FactorModel, t: number): number {
  const slow = Math.sin((2 * Math.PI * t) / 1_200_000);
  const fast = Math.sin((2 * Math.PI * t) / 70_000 + f.base);
  return f.base + f.swing * slow + f.ripple * fast;
}

export const round = (v: number, decimals: number): number => Number(v.toFixed(decimals));

/** The O2-corrected concentration (折算浓度): C × (21 − O2ref) / (21 − O2). */
export function corrected(c: number, o2: number): number {
  return (c * (21 - REFERENCE_O2)) / (21 - Math.min(o2, 20));
}
