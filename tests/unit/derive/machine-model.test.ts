import { describe, expect, it } from 'vitest';
import { RetrofitIoModule } from '../../../simulators/retrofit/io-module.js';
import { FAST_LATHE, LATHE, MachineModel } from '../../../simulators/retrofit/machine-model.js';

const HOUR = 3_600_000;

describe('MachineModel', () => {
  it('is deterministic from its seed, whatever order it is asked in', () => {
    const a = new MachineModel(LATHE, 42);
    const b = new MachineModel(LATHE, 42);
    const times = Array.from({ length: 200 }, (_, i) => i * 17_321);
    const forward = times.map((t) => a.currentAt(t));
    const backward = [...times].reverse().map((t) => b.currentAt(t));
    expect(backward.reverse()).toEqual(forward);
    expect(new MachineModel(LATHE, 43).currentAt(times[50] ?? 0)).not.toBe(forward[50]);
  });

  it('draws currents typical of each true state', () => {
    const m = new MachineModel(LATHE, 5);
    const by: Record<string, number[]> = { off: [], idle: [], running: [] };
    for (let t = 0; t < 4 * HOUR; t += 1_000) by[m.stateAt(t)]?.push(m.currentAt(t));
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
    expect(median(by['off'] ?? [])).toBeLessThan(0.3);
    expect(median(by['idle'] ?? [])).toBeGreaterThan(2.5);
    expect(median(by['idle'] ?? [])).toBeLessThan(5);
    expect(median(by['running'] ?? [])).toBeGreaterThan(8);
    for (const xs of Object.values(by)) expect(xs.every((x) => x >= 0)).toBe(true);
  });

  it('makes one photo-eye pulse per cycle, and keeps a consistent truth timeline', () => {
    for (const profile of [LATHE, FAST_LATHE]) {
      const m = new MachineModel(profile, 9);
      const end = 2 * HOUR;
      const cycles = m.cycles(0, end);
      const last = cycles.at(-1);
      if (!last) throw new Error('no cycles');
      expect(m.partsUntil(last.end + profile.pulseDelayMs[1])).toBe(cycles.length);
      const truth = m.truth(0, end);
      for (let i = 1; i < truth.length; i++) {
        expect(truth[i]?.start).toBe(truth[i - 1]?.end);
        expect(truth[i]?.state).not.toBe(truth[i - 1]?.state);
      }
    }
  });
});

describe('RetrofitIoModule', () => {
  it('encodes the clamp current on a 4–20 mA loop and reads 0 µA with a broken wire', () => {
    const m = new MachineModel(LATHE, 3);
    const io = new RetrofitIoModule(m, { ctRangeA: 50 });
    const t = m.cycles(0, HOUR)[0]?.start ?? 0;
    const amps = m.currentAt(t + 5_000);
    expect(io.ai0MicroAmps(t + 5_000)).toBe(Math.round((4 + (amps / 50) * 16) * 1000));
    io.breakWire(0);
    expect(io.ai0MicroAmps(t + 5_000)).toBe(0);
    expect(io.status(t + 5_000) & 1).toBe(1);
  });

  it('counts pulses, wraps at the counter width and clears on reset', () => {
    const m = new MachineModel(LATHE, 3);
    const io = new RetrofitIoModule(m, { counterBits: 16, counterStart: 65_535 });
    const end = HOUR;
    const parts = m.partsUntil(end);
    expect(parts).toBeGreaterThan(2);
    expect(io.counter(end)).toBe((65_535 + parts) % 65_536);
    io.resetCounter(end);
    expect(io.counter(end)).toBe(0);
    expect(io.counter(2 * end)).toBe(m.partsUntil(2 * end) - parts);
  });
});
