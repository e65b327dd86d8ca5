import { describe, expect, it } from 'vitest';
import { ReportByException } from '../../../agent/report/report-by-exception.js';
import type { Sample } from '../../../protocols/sample.js';

const s = (
  metric: string,
  value: Sample['value'],
  timestamp: number,
  extra: Partial<Sample> = {},
): Sample => ({
  device: 'press-07',
  metric,
  value,
  timestamp,
  quality: 'good',
  ...extra,
});

describe('report by exception', () => {
  it('reports the first value, then only changes beyond the deadband measured from the last reported value', () => {
    const r = new ReportByException({ deadbands: new Map([['press-07/power_kw', 0.5]]) });
    const got = [10, 10.2, 10.4, 10.6, 10.7, 11.2].map(
      (v, i) => r.filter([s('power_kw', v, i * 1000)]).length,
    );
    // 10 reported; 10.2/10.4 within 0.5 of 10; 10.6 beyond; 10.7 within 0.5 of 10.6; 11.2 beyond 10.6
    expect(got).toEqual([1, 0, 0, 1, 0, 1]);
    expect(r.suppressed).toBe(3);
  });

  it('always reports a quality change and a non-numeric change', () => {
    const r = new ReportByException();
    expect(r.filter([s('state', 'run', 0), s('ok', true, 0)])).toHaveLength(2);
    expect(r.filter([s('state', 'run', 1), s('ok', true, 1)])).toHaveLength(0);
    expect(r.filter([s('state', 'run', 2, { quality: 'bad' }), s('ok', false, 2)])).toHaveLength(2);
  });

  it('sends a heartbeat for unchanged values and lets historical samples through', () => {
    const r = new ReportByException({ heartbeatMs: 5000 });
    expect(r.filter([s('count', 1n, 0)])).toHaveLength(1);
    expect(r.filter([s('count', 1n, 4000)])).toHaveLength(0);
    expect(r.filter([s('count', 1n, 5000)])).toHaveLength(1);
    expect(r.filter([s('count', 1n, 5001, { historical: true })])).toHaveLength(1);
  });

  it('reset makes the next sample of a device pass', () => {
    const r = new ReportByException();
    r.filter([s('a', 1, 0)]);
    r.reset('press-07');
    expect(r.filter([s('a', 1, 1)])).toHaveLength(1);
  });
});
