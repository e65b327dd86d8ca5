/**
 * The one backoff (protocols/backoff.ts, docs/architecture.md#backoff): equal jitter, attempt n waits in [c/2, c]
 * with c = min(max, initial × 2ⁿ). An injected random source pins both bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, backoffDelay } from '../../../protocols/backoff.js';

const bounds = { initialMs: 500, maxMs: 30_000 };

describe('Backoff (equal jitter)', () => {
  it('random 0 waits half the step, random 1 the whole step, doubling up to the cap', () => {
    const low = new Backoff({ ...bounds, random: () => 0 });
    const high = new Backoff({ ...bounds, random: () => 1 });
    const lows = Array.from({ length: 9 }, () => low.next());
    const highs = Array.from({ length: 9 }, () => high.next());
    expect(lows).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(highs).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('random 0.5 waits three quarters of the step', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.5 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([750, 1500, 3000, 6000, 6000]);
  });

  it('counts attempts and starts over after reset()', () => {
    const b = new Backoff({ ...bounds, random: () => 1 });
    b.next();
    b.next();
    expect(b.attempt).toBe(2);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(500);
  });

  it('every delay lies in [c/2, c] whatever the attempt and the random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, initialMs, factor, r) => {
          const opts = { initialMs, maxMs: initialMs * factor, random: () => r };
          const c = backoffCeiling(attempt, opts);
          const d = backoffDelay(attempt, opts);
          expect(c).toBeLessThanOrEqual(opts.maxMs);
          expect(d).toBeGreaterThanOrEqual(Math.floor(c / 2));
          expect(d).toBeLessThanOrEqual(c);
        },
      ),
    );
  });

  it('a random source outside [0, 1] cannot push a delay out of its bounds', () => {
    expect(backoffDelay(0, { ...bounds, random: () => -3 })).toBe(250);
    expect(backoffDelay(0, { ...bounds, random: () => 7 })).toBe(500);
  });
});
