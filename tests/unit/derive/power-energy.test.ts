import { describe, expect, it } from 'vitest';
import { EnergyIntegrator, powerKw } from '../../../agent/derive/power-energy.js';

describe('powerKw', () => {
  it('three phase: √3 × I × V_LL × PF', () => {
    // 10 A at 380 V, PF 0.85: 1.732 × 10 × 380 × 0.85 = 5594.6 W
    expect(powerKw(10, { phases: 3, voltage: 380, powerFactor: 0.85 })).toBeCloseTo(5.5945, 4);
  });

  it('single phase: I × V × PF', () => {
    expect(powerKw(10, { phases: 1, voltage: 230, powerFactor: 0.9 })).toBeCloseTo(2.07, 6);
  });

  it('never negative', () => {
    expect(powerKw(-0.4, { phases: 1, voltage: 230, powerFactor: 1 })).toBe(0);
  });
});

describe('EnergyIntegrator', () => {
  it('integrates by trapezoid', () => {
    const e = new EnergyIntegrator(60_000);
    expect(e.push(0, 0)).toEqual({ kind: 'first', kwh: 0 });
    // ramp 0 → 10 kW over 36 s: 5 kW × 0.01 h = 0.05 kWh
    const s = e.push(36_000, 10);
    expect(s.kind).toBe('integrated');
    expect(s.kwh).toBeCloseTo(0.05, 9);
    // steady 10 kW for 1 h
    expect(e.push(3_636_000, 10).kind).toBe('gap');
  });

  it('adds constant power exactly over many small steps', () => {
    const e = new EnergyIntegrator(60_000);
    for (let t = 0; t <= 3_600_000; t += 500) e.push(t, 4);
    expect(e.state.kwh).toBeCloseTo(4, 9);
  });

  it('does not bridge a gap longer than maxGap', () => {
    const e = new EnergyIntegrator(10_000);
    e.push(0, 5);
    e.push(1_000, 5);
    const g = e.push(100_000, 5);
    expect(g).toEqual({ kind: 'gap', kwh: (5 * 1_000) / 3_600_000, gapMs: 99_000 });
    expect(e.push(101_000, 5).kwh).toBeCloseTo((5 * 2_000) / 3_600_000, 12);
  });

  it('bridges a restart shorter than maxGap from the restored last reading', () => {
    const a = new EnergyIntegrator(60_000);
    a.push(0, 6);
    a.push(1_000, 6);
    const b = new EnergyIntegrator(60_000, a.state);
    expect(b.push(31_000, 6).kwh).toBeCloseTo((6 * 31_000) / 3_600_000, 12);
  });
});

describe('EnergyIntegrator input checks', () => {
  it('refuses an implausible power without touching the total or the last reading', () => {
    const e = new EnergyIntegrator(60_000);
    e.push(0, 10);
    expect(e.push(500, Number.POSITIVE_INFINITY)).toEqual({ kind: 'invalid', kwh: 0 });
    expect(e.push(600, 5e6)).toEqual({ kind: 'invalid', kwh: 0 });
    expect(e.push(1_000, 10).kwh).toBeCloseTo((10 * 1_000) / 3_600_000, 12);
  });
});
