/** Emitted mass from concentration × flow: the unit conversions and the hold rules a plant engineer relies on. */
import { describe, expect, it } from 'vitest';
import { emittedKg, emittedKgByWindow, massRateFactor } from '../../../cloud/analytics/stack-mass.js';

const H = 3_600_000;

describe('emitted mass', () => {
  it('mg/m³ × m³/h over an hour: 50 mg/m³ at 20,000 m³/h is 1 kg', () => {
    const f = massRateFactor('mg/m³', 'm3/h');
    if (f === undefined) throw new Error('units not known');
    const kg = emittedKg([{ t: 0, v: 50 }], [{ t: 0, v: 20_000 }], 0, H, f, 2 * H);
    expect(kg).toBeCloseTo(1, 9);
  });

  it('converts m³/s, L/s and mg/L: the same emission gives the same kg', () => {
    const perHour = (c: number, cu: string, q: number, qu: string) =>
      emittedKg([{ t: 0, v: c }], [{ t: 0, v: q }], 0, H, massRateFactor(cu, qu) ?? Number.NaN, H);
    // 20,000 m³/h = 5.5556 m³/s
    expect(perHour(50, 'mg/m3', 20_000 / 3600, 'm³/s')).toBeCloseTo(1, 9);
    // COD 40 mg/L at 10 L/s for an hour: 40 × 10 × 3600 mg = 1.44 kg
    expect(perHour(40, 'mg/L', 10, 'L/s')).toBeCloseTo(1.44, 9);
    expect(perHour(40, 'mg/L', 36, 'm3/h')).toBeCloseTo(1.44, 9);
    expect(massRateFactor('%', 'm3/h')).toBeUndefined();
    expect(massRateFactor('mg/m3', 'kPa')).toBeUndefined();
  });

  it('holds each reading until the next and splits by window', () => {
    const f = massRateFactor('mg/m3', 'm3/h') ?? 0;
    // 100 mg/m³ for the first half hour, 300 after; flow 10,000 m³/h throughout
    const c = [
      { t: 0, v: 100 },
      { t: H / 2, v: 300 },
      { t: H, v: 300 },
      { t: 1.5 * H, v: 300 },
    ];
    const q = [0, H / 2, H, 1.5 * H].map((t) => ({ t, v: 10_000 }));
    const rows = emittedKgByWindow(c, q, 0, 2 * H, H, f, H);
    expect(rows.map((r) => r.time)).toEqual([0, H]);
    expect(rows[0]?.kg).toBeCloseTo(0.5 + 1.5, 9);
    expect(rows[1]?.kg).toBeCloseTo(3, 9);
  });

  it('counts nothing across a gap longer than maxGap', () => {
    const f = massRateFactor('mg/m3', 'm3/h') ?? 0;
    const kg = emittedKg([{ t: 0, v: 100 }], [{ t: 0, v: 10_000 }], 0, H, f, 60_000);
    // one minute held, then silence
    expect(kg).toBeCloseTo((100 * 10_000 * 1e-6) / 60, 9);
  });
});
