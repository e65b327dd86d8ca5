import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PulseCounter } from '../../../agent/derive/pulse-counter.js';

describe('PulseCounter', () => {
  it('counts increments from the first reading on', () => {
    const c = new PulseCounter({ bits: 16 });
    expect(c.push(0, 100)).toEqual({ kind: 'first', total: 0 });
    expect(c.push(500, 103)).toEqual({ kind: 'count', total: 3, delta: 3 });
    expect(c.push(1_000, 103)).toEqual({ kind: 'count', total: 3, delta: 0 });
  });

  it('rolls over at the 16-bit register width', () => {
    const c = new PulseCounter({ bits: 16 });
    c.push(0, 65_530);
    expect(c.push(500, 4)).toMatchObject({ kind: 'rollover', total: 10, delta: 10 });
    expect(c.push(1_000, 6)).toMatchObject({ kind: 'count', total: 12 });
  });

  it('rolls over at the 32-bit register width', () => {
    const c = new PulseCounter({ bits: 32 });
    c.push(0, 4_294_967_290);
    expect(c.push(500, 1)).toMatchObject({ kind: 'rollover', delta: 7, total: 7 });
  });

  it('detects a reset (module power cycle) and counts what the register shows since', () => {
    const c = new PulseCounter({ bits: 16 });
    c.push(0, 20_000);
    expect(c.push(500, 3)).toMatchObject({ kind: 'reset', delta: 3, total: 3 });
    expect(c.push(1_000, 5)).toMatchObject({ kind: 'count', total: 5 });
  });

  it('with maxPerSecond, tells a reset near the top of the range from a rollover', () => {
    const c = new PulseCounter({ bits: 16, maxPerSecond: 10 });
    c.push(0, 50_000);
    // without a rate limit a wrapped step of 15,538 (< half range) would pass as a rollover
    expect(c.push(1_000, 2)).toMatchObject({ kind: 'reset', delta: 2, total: 2 });
    c.push(2_000, 65_534);
    expect(c.push(3_000, 3)).toMatchObject({ kind: 'rollover', delta: 5 });
  });

  it('handles 64-bit registers delivered as bigint', () => {
    const c = new PulseCounter({ bits: 64 });
    c.push(0, 18_446_744_073_709_551_610n);
    expect(c.push(500, 2n)).toMatchObject({ kind: 'rollover', delta: 8, total: 8 });
  });

  it('carries on from a restored state, counting pulses made while the agent was down', () => {
    const a = new PulseCounter({ bits: 16 });
    a.push(0, 10);
    a.push(500, 25);
    const b = new PulseCounter({ bits: 16 }, a.state);
    expect(b.push(60_000, 40)).toEqual({ kind: 'count', total: 30, delta: 15 });
  });

  it('counts every pulse exactly through any number of wraps, as long as each poll sees less than half the range', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16 as const, 32 as const),
        fc.nat(),
        fc.array(fc.nat({ max: 30_000 }), { maxLength: 300 }),
        (bits, start, steps) => {
          const mod = 2 ** bits;
          const c = new PulseCounter({ bits });
          let raw = start % mod;
          c.push(0, raw);
          let total = 0;
          steps.forEach((step, i) => {
            raw = (raw + step) % mod;
            total += step;
            expect(c.push((i + 1) * 500, raw).total).toBe(total);
          });
        },
      ),
    );
  });
});
