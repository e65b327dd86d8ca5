import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StateChange, StateDetector } from '../../../agent/derive/state-detector.js';

const th = { off: 0.5, running: 6, hysteresis: 0.3, minDwellMs: 5_000 };

/** Feeds readings every `step` ms from t=0 and returns the confirmed changes. */
function run(det: StateDetector, values: (number | null)[], step = 500): StateChange[] {
  const out: StateChange[] = [];
  values.forEach((v, i) => {
    const c = det.push(i * step, v);
    if (c) out.push(c);
  });
  return out;
}

const repeat = <T>(v: T, n: number): T[] => Array.from({ length: n }, () => v);

describe('StateDetector', () => {
  it('reports nothing until the first class has held for minDwell, then dates it from the first reading', () => {
    const det = new StateDetector(th);
    expect(run(det, repeat(3, 10))).toEqual([]); // 0 … 4.5 s
    expect(det.push(5_000, 3)).toEqual({ state: 'idle', since: 0 });
  });

  it('classifies off, idle and running and dates changes back to when the signal moved', () => {
    const det = new StateDetector(th);
    const changes = run(det, [...repeat(0.1, 12), ...repeat(3, 12), ...repeat(9, 12), ...repeat(0.2, 12)]);
    expect(changes).toEqual([
      { state: 'off', since: 0 },
      { state: 'idle', since: 6_000 },
      { state: 'running', since: 12_000 },
      { state: 'off', since: 18_000 },
    ]);
  });

  it('ignores dips shorter than minDwell (a running machine loading its next part)', () => {
    const det = new StateDetector(th);
    const cycle = [...repeat(12, 20), ...repeat(3, 6)]; // 10 s cutting, 3 s at idle draw
    const changes = run(det, [...cycle, ...cycle, ...cycle, ...repeat(12, 12)]);
    expect(changes).toEqual([{ state: 'running', since: 0 }]);
  });

  it('uses hysteresis so noise around the running threshold does not toggle the trigger', () => {
    const det = new StateDetector({ ...th, minDwellMs: 0 });
    expect(det.push(0, 6.5)).toEqual({ state: 'running', since: 0 });
    // 5.8 is below `running` but above running − hysteresis: still running
    expect(det.push(500, 5.8)).toBeUndefined();
    expect(det.push(1_000, 6.1)).toBeUndefined();
    expect(det.push(1_500, 5.6)).toEqual({ state: 'idle', since: 1_500 });
    // back above running − hysteresis but not above running: stays idle
    expect(det.push(2_000, 5.9)).toBeUndefined();
    expect(det.push(2_500, 6.2)).toEqual({ state: 'running', since: 2_500 });
  });

  it('applies hysteresis at the off threshold too', () => {
    const det = new StateDetector({ ...th, minDwellMs: 0 });
    expect(det.push(0, 0.3)).toEqual({ state: 'off', since: 0 });
    expect(det.push(500, 0.7)).toBeUndefined(); // above off, not above off + hysteresis
    expect(det.push(1_000, 0.9)).toEqual({ state: 'idle', since: 1_000 });
  });

  it('turns unknown after minDwell of bad readings, and back once readings return', () => {
    const det = new StateDetector(th);
    const changes = run(det, [
      ...repeat(9, 12),
      ...repeat(null, 4),
      ...repeat(9, 4),
      ...repeat(null, 12),
      ...repeat(9, 12),
    ]);
    expect(changes).toEqual([
      { state: 'running', since: 0 },
      { state: 'unknown', since: 10_000 },
      { state: 'running', since: 16_000 },
    ]);
  });

  it('never reports a state shorter than minDwell, whatever the signal does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1, max: 30, noNaN: true }), fc.constant(null)), {
          maxLength: 400,
        }),
        fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 400, maxLength: 400 }),
        fc.integer({ min: 0, max: 10_000 }),
        (values, gaps, dwell) => {
          const det = new StateDetector({ ...th, minDwellMs: dwell });
          const changes: StateChange[] = [];
          let t = 0;
          values.forEach((v, i) => {
            t += gaps[i] ?? 1;
            const c = det.push(t, v);
            if (c) changes.push(c);
          });
          for (let i = 1; i < changes.length; i++) {
            const a = changes[i - 1];
            const b = changes[i];
            if (!a || !b) continue;
            expect(b.since - a.since).toBeGreaterThanOrEqual(dwell);
            expect(b.state).not.toBe(a.state);
          }
        },
      ),
    );
  });

  it('refuses thresholds in the wrong order', () => {
    expect(() => new StateDetector({ ...th, off: 7 })).toThrow(RangeError);
  });
});

describe('StateDetector start-up', () => {
  it('dates the first state from when its class began, not from a shorter class before it', () => {
    const det = new StateDetector(th);
    const changes = run(det, [...repeat(3, 4), ...repeat(9, 12)]);
    expect(changes).toEqual([{ state: 'running', since: 2_000 }]);
  });
});
