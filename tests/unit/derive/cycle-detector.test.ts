import { describe, expect, it } from 'vitest';
import { CycleDetector } from '../../../agent/derive/cycle-detector.js';

const opts = { threshold: 6, hysteresis: 1, minDurationMs: 5_000, maxCycleMs: 60_000 };

function feed(d: CycleDetector, points: [number, number | null][]) {
  return points.map(([t, v]) => d.push(t, v)).filter((s) => s.kind !== 'none');
}

describe('CycleDetector', () => {
  it('counts a load peak that lasts minDuration, with interpolated start and end', () => {
    const d = new CycleDetector(opts);
    // rises through 6 A half way between 1 s and 2 s; falls through 5 A half way between 9 s and 10 s
    const steps = feed(d, [
      [0, 3],
      [1_000, 3],
      [2_000, 9],
      [5_000, 12],
      [9_000, 7],
      [10_000, 3],
    ]);
    expect(steps).toEqual([{ kind: 'cycle', cycle: { start: 1_500, end: 9_500 } }]);
  });

  it('does not count a peak shorter than minDuration (motor inrush)', () => {
    const d = new CycleDetector(opts);
    expect(
      feed(d, [
        [0, 2],
        [500, 10],
        [1_000, 0],
      ]),
    ).toEqual([{ kind: 'too-short', start: 250, end: 750 }]);
  });

  it('holds a cycle through dips that stay above threshold − hysteresis', () => {
    const d = new CycleDetector(opts);
    const steps = feed(d, [
      [0, 3],
      [1_000, 9],
      [3_000, 5.5],
      [5_000, 9],
      [8_000, 3],
    ]);
    expect(steps).toHaveLength(1);
    expect(steps[0]?.kind).toBe('cycle');
  });

  it('measures start-to-start cycle time, and none across a pause longer than maxCycleTime', () => {
    const d = new CycleDetector(opts);
    const peak = (t0: number): [number, number][] => [
      [t0, 3],
      [t0 + 1_000, 10],
      [t0 + 8_000, 10],
      [t0 + 9_000, 3],
    ];
    const steps = feed(d, [...peak(0), ...peak(12_000), ...peak(200_000)]);
    const cycles = steps.map((s) => (s.kind === 'cycle' ? s.cycle.cycleTimeMs : 'x'));
    expect(cycles).toHaveLength(3);
    expect(cycles[0]).toBeUndefined();
    expect(cycles[1]).toBeCloseTo(12_000, 6);
    expect(cycles[2]).toBeUndefined();
  });

  it('does not interpolate across a bad reading', () => {
    const d = new CycleDetector(opts);
    const steps = feed(d, [
      [0, 3],
      [1_000, null],
      [2_000, 9],
      [8_000, 9],
      [9_000, null],
      [10_000, 3],
    ]);
    expect(steps).toEqual([{ kind: 'cycle', cycle: { start: 2_000, end: 10_000 } }]);
  });
});
