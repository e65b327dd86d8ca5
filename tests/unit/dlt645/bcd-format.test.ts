import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBcd,
  decodeBcdTime,
  encodeBcd,
  parseNumberFormat,
  readNumberFormat,
} from '../../../protocols/dlt645/bcd-format.js';
import {
  checkPointLayout,
  DATA_IDENTIFIERS,
  findDataIdentifier,
  pointLayout,
} from '../../../protocols/dlt645/data-identifiers.js';
import { decodePointValue, encodePointValue } from '../../../protocols/dlt645/point-value.js';

describe('DL/T 645 BCD formats', () => {
  it('reads the standard notation: XXXXXX.XX is 4 bytes, 2 decimals', () => {
    expect(parseNumberFormat('XXXXXX.XX')).toEqual({ text: 'XXXXXX.XX', bytes: 4, digits: 8, decimals: 2 });
    expect(parseNumberFormat('XXX.XXX')).toMatchObject({ bytes: 3, decimals: 3 });
    expect(readNumberFormat('XXX.X')).toMatchObject({ bytes: 2, decimals: 1 });
    expect(readNumberFormat('XX.X')).toEqual({ problem: expect.stringMatching(/even number/) });
    expect(readNumberFormat('99.9')).toEqual({ problem: expect.stringMatching(/written as X/) });
  });

  it('decodes values low byte first, with the sign in the top bit of 2007 signed data', () => {
    expect(decodeBcd(Uint8Array.of(0x56, 0x34, 0x12, 0x00), parseNumberFormat('XXXXXX.XX'), false)).toBe(
      1234.56,
    );
    expect(decodeBcd(Uint8Array.of(0x01, 0x22), parseNumberFormat('XXX.X'), false)).toBe(220.1);
    expect(decodeBcd(Uint8Array.of(0x45, 0x23, 0x81), parseNumberFormat('XX.XXXX'), true)).toBe(-1.2345);
    expect(decodeBcd(Uint8Array.of(0x45, 0x23, 0x01), parseNumberFormat('XX.XXXX'), true)).toBe(1.2345);
  });

  it('refuses bytes that are not BCD (a meter sends FF for data it does not keep) with a coded error', () => {
    expect(() =>
      decodeBcd(Uint8Array.of(0xff, 0xff, 0xff, 0xff), parseNumberFormat('XXXXXX.XX'), false),
    ).toThrow(expect.objectContaining({ code: 'DLT645_BAD_BCD' }));
    expect(() => decodeBcd(Uint8Array.of(0x12), parseNumberFormat('XXXX'), false)).toThrow(
      expect.objectContaining({ code: 'DLT645_BAD_LENGTH' }),
    );
  });

  it('encode → decode is the identity for every value the format holds', () => {
    const fmt = fc
      .record({ int: fc.integer({ min: 1, max: 8 }), dec: fc.integer({ min: 0, max: 6 }) })
      .filter(({ int, dec }) => (int + dec) % 2 === 0 && int + dec <= 14);
    fc.assert(
      fc.property(
        fmt,
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        ({ int, dec }, signed, frac, neg) => {
          const f = parseNumberFormat(`${'X'.repeat(int)}${dec ? `.${'X'.repeat(dec)}` : ''}`);
          const limit = (signed ? 8 * 10 ** (f.digits - 1) : 10 ** f.digits) - 1;
          const scaled = Math.floor(frac * limit) * (signed && neg ? -1 : 1);
          const value = scaled / 10 ** dec;
          const bytes = encodeBcd(value, f, signed);
          expect(bytes).toHaveLength(f.bytes);
          for (const b of bytes) expect([b >> 4, b & 0x0f].every((n) => n <= 9) || b >= 0x80).toBe(true);
          expect(decodeBcd(bytes, f, signed)).toBe(Number(value.toFixed(dec)) || 0);
        },
      ),
    );
  });

  it('refuses values that do not fit', () => {
    expect(() => encodeBcd(1_000_000, parseNumberFormat('XXXXXX.XX'), false)).toThrow(/does not fit/);
    expect(() => encodeBcd(-1, parseNumberFormat('XXXXXX.XX'), false)).toThrow(/unsigned/);
    expect(() => encodeBcd(80, parseNumberFormat('XX.XXXX'), true)).toThrow(/does not fit/);
  });

  it('decodes the meter-local time of a maximum demand', () => {
    // 2026-12-05 14:30 as YYMMDDhhmm, low byte first: 30 14 05 12 26
    expect(decodeBcdTime(Uint8Array.of(0x30, 0x14, 0x05, 0x12, 0x26), 'YYMMDDhhmm')).toBe('2026-12-05 14:30');
  });
});

describe('DL/T 645 data identifiers', () => {
  it('knows the identifiers a plant reads, with formats and units', () => {
    expect(findDataIdentifier(2007, '00010000')).toMatchObject({ format: 'XXXXXX.XX', unit: 'kWh' });
    expect(findDataIdentifier(2007, '00010300')).toMatchObject({ title: expect.stringMatching(/tariff 3/) });
    expect(findDataIdentifier(2007, '02010100')).toMatchObject({ format: 'XXX.X', unit: 'V' });
    expect(findDataIdentifier(2007, '02020300')).toMatchObject({
      format: 'XXX.XXX',
      unit: 'A',
      signed: true,
    });
    expect(findDataIdentifier(2007, '02030000')).toMatchObject({
      format: 'XX.XXXX',
      unit: 'kW',
      signed: true,
    });
    expect(findDataIdentifier(2007, '02060000')).toMatchObject({ format: 'X.XXX' });
    expect(findDataIdentifier(2007, '02800002')).toMatchObject({ unit: 'Hz' });
    expect(findDataIdentifier(2007, '01010000')).toMatchObject({ time: 'YYMMDDhhmm' });
    expect(findDataIdentifier(1997, '9010')).toMatchObject({ format: 'XXXXXX.XX', unit: 'kWh' });
    expect(findDataIdentifier(1997, 'b611')).toMatchObject({ unit: 'V' });
    expect(findDataIdentifier(1997, '00010000')).toBeUndefined();
    for (const d of DATA_IDENTIFIERS) expect(() => parseNumberFormat(d.format)).not.toThrow();
  });

  it('checks a point: the DI length per version, a format for identifiers outside the table', () => {
    expect(checkPointLayout(2007, { di: '00010000' })).toEqual([]);
    expect(checkPointLayout(2007, { di: '9010' })).toEqual([
      { field: 'di', message: expect.stringMatching(/8 hex digits/) },
    ]);
    expect(checkPointLayout(2007, { di: '0400040E' })).toEqual([
      { field: 'format', message: expect.stringMatching(/give its format/) },
    ]);
    expect(checkPointLayout(2007, { di: '0400040E', format: 'XXXXXX.XX' })).toEqual([]);
  });

  it('max demand decodes its value and its time', () => {
    const layout = pointLayout(2007, { di: '01010000' });
    expect(layout.bytes).toBe(8);
    const bytes = encodePointValue(layout, { value: 12.3456, time: '2026-12-05T14:30:00' });
    expect(decodePointValue(layout, bytes)).toEqual({ value: 12.3456, time: '2026-12-05 14:30' });
    expect(() => decodePointValue(layout, bytes.subarray(0, 3))).toThrow(/expected 8 data bytes/);
  });
});
