import { describe, expect, it } from 'vitest';
import { scaleSignal } from '../../../agent/derive/signal-scaling.js';

const ct = { type: '4-20mA', min: 0, max: 50 } as const;

describe('4-20 mA scaling', () => {
  it('maps the loop linearly onto min..max', () => {
    expect(scaleSignal(4, ct)).toEqual({ ok: true, value: 0, quality: 'good' });
    expect(scaleSignal(12, ct)).toEqual({ ok: true, value: 25, quality: 'good' });
    expect(scaleSignal(20, ct)).toEqual({ ok: true, value: 50, quality: 'good' });
  });

  it('treats a broken wire (0 mA) as bad, never as zero amps', () => {
    const r = scaleSignal(0, ct);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('BROKEN_WIRE');
    expect(scaleSignal(3.6, ct)).toMatchObject({ ok: false, reason: 'BROKEN_WIRE' });
  });

  it('flags a short circuit (≥ 21 mA) as bad', () => {
    expect(scaleSignal(22.5, ct)).toMatchObject({ ok: false, reason: 'OVER_RANGE' });
  });

  it('keeps slight under/over-range values but marks those beyond NE 43 limits uncertain', () => {
    expect(scaleSignal(3.9, ct)).toMatchObject({ ok: true, quality: 'good' });
    expect(scaleSignal(3.7, ct)).toMatchObject({ ok: true, quality: 'uncertain' });
    const hi = scaleSignal(20.7, ct);
    expect(hi).toMatchObject({ ok: true, quality: 'uncertain' });
    if (hi.ok) expect(hi.value).toBeCloseTo(52.1875, 6);
  });

  it('rejects a reading that is not a number', () => {
    expect(scaleSignal(Number.NaN, ct)).toMatchObject({ ok: false, reason: 'NOT_A_NUMBER' });
    expect(scaleSignal('12', ct)).toMatchObject({ ok: false, reason: 'NOT_A_NUMBER' });
  });
});

describe('voltage loops', () => {
  it('0-10 V maps 0..10 V and flags over-range; 0 V stays a legal reading (no live zero)', () => {
    const spec = { type: '0-10V', min: 0, max: 100 } as const;
    expect(scaleSignal(5, spec)).toEqual({ ok: true, value: 50, quality: 'good' });
    expect(scaleSignal(0, spec)).toEqual({ ok: true, value: 0, quality: 'good' });
    expect(scaleSignal(10.6, spec)).toMatchObject({ ok: false, reason: 'OVER_RANGE' });
    expect(scaleSignal(-1, spec)).toMatchObject({ ok: false, reason: 'UNDER_RANGE' });
  });

  it('2-10 V detects a broken wire at 0 V', () => {
    const spec = { type: '2-10V', min: -20, max: 80 } as const;
    expect(scaleSignal(6, spec)).toEqual({ ok: true, value: 30, quality: 'good' });
    expect(scaleSignal(0, spec)).toMatchObject({ ok: false, reason: 'BROKEN_WIRE' });
  });
});
