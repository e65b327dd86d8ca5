import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModbusByteOrder, ModbusPointSpec, ModbusValueType } from '../../../protocols/modbus/point.js';
import {
  decodePoint,
  decodeRaw,
  encodePoint,
  encodeRaw,
  ModbusEncodeError,
  metricKindOf,
} from '../../../protocols/modbus/register-codec.js';

const p = (
  type: ModbusValueType,
  order?: ModbusByteOrder,
  extra: Partial<ModbusPointSpec> = {},
): ModbusPointSpec => ({
  name: 'x',
  table: 'holding',
  address: 0,
  type,
  ...(order ? { order } : {}),
  ...extra,
});

describe('32-bit byte orders (wire registers for known values)', () => {
  // 123.456f = 0x42F6E979; 0x12345678 as uint32
  const cases: [ModbusByteOrder, number[], number[]][] = [
    ['ABCD', [0x42f6, 0xe979], [0x1234, 0x5678]],
    ['CDAB', [0xe979, 0x42f6], [0x5678, 0x1234]],
    ['BADC', [0xf642, 0x79e9], [0x3412, 0x7856]],
    ['DCBA', [0x79e9, 0xf642], [0x7856, 0x3412]],
  ];
  for (const [order, floatWords, intWords] of cases) {
    it(`${order}`, () => {
      expect(decodeRaw(p('float32', order), floatWords, 0)).toBeCloseTo(123.456, 3);
      expect(encodeRaw(p('float32', order), 123.456)).toEqual(floatWords);
      expect(decodeRaw(p('uint32', order), intWords, 0)).toBe(0x12345678);
      expect(encodeRaw(p('uint32', order), 0x12345678)).toEqual(intWords);
    });
  }
});

describe('64-bit byte orders', () => {
  // 0x0102030405060708
  const v = 0x0102030405060708n;
  const cases: [ModbusByteOrder, number[]][] = [
    ['ABCDEFGH', [0x0102, 0x0304, 0x0506, 0x0708]],
    ['GHEFCDAB', [0x0708, 0x0506, 0x0304, 0x0102]],
    ['BADCFEHG', [0x0201, 0x0403, 0x0605, 0x0807]],
    ['HGFEDCBA', [0x0807, 0x0605, 0x0403, 0x0201]],
  ];
  for (const [order, words] of cases) {
    it(`${order} int64/uint64 as bigint`, () => {
      expect(decodeRaw(p('uint64', order), words, 0)).toBe(v);
      expect(decodeRaw(p('int64', order), words, 0)).toBe(v);
      expect(encodeRaw(p('uint64', order), v)).toEqual(words);
    });
  }
  it('32-bit order names apply to 64-bit values the same way', () => {
    expect(encodeRaw(p('uint64', 'CDAB'), v)).toEqual(encodeRaw(p('uint64', 'GHEFCDAB'), v));
    expect(encodeRaw(p('float64', 'DCBA'), 1.5)).toEqual(encodeRaw(p('float64', 'HGFEDCBA'), 1.5));
  });
  it('negative int64 and float64', () => {
    expect(decodeRaw(p('int64'), encodeRaw(p('int64'), -2n), 0)).toBe(-2n);
    expect(decodeRaw(p('uint64'), [0xffff, 0xffff, 0xffff, 0xffff], 0)).toBe(0xffffffffffffffffn);
    expect(decodeRaw(p('float64'), encodeRaw(p('float64'), -1234.5678), 0)).toBe(-1234.5678);
  });
});

describe('16-bit, bits and strings', () => {
  it('int16 is signed, uint16 is not, BADC swaps the bytes', () => {
    expect(decodeRaw(p('int16'), [0xfffe], 0)).toBe(-2);
    expect(decodeRaw(p('uint16'), [0xfffe], 0)).toBe(65534);
    expect(decodeRaw(p('uint16', 'BADC'), [0x3412], 0)).toBe(0x1234);
  });
  it('reads at an offset inside a block', () => {
    expect(decodeRaw(p('uint32', 'CDAB'), [9, 9, 0x5678, 0x1234], 2)).toBe(0x12345678);
  });
  it('bit of a register', () => {
    expect(decodeRaw(p('bool', undefined, { bit: 0 }), [0b1010], 0)).toBe(false);
    expect(decodeRaw(p('bool', undefined, { bit: 3 }), [0b1010], 0)).toBe(true);
    expect(decodeRaw(p('bool', undefined, { bit: 15 }), [0x8000], 0)).toBe(true);
    expect(encodeRaw(p('bool', undefined, { bit: 2 }), true, 0b1001)).toEqual([0b1101]);
    expect(encodeRaw(p('bool', undefined, { bit: 0 }), false, 0b1001)).toEqual([0b1000]);
  });
  it('string: two characters per register, ends at NUL, trailing spaces trimmed', () => {
    const spec = p('string', undefined, { length: 4 });
    expect(encodeRaw(spec, 'PRESS7')).toEqual([0x5052, 0x4553, 0x5337, 0]);
    expect(decodeRaw(spec, [0x5052, 0x4553, 0x5337, 0], 0)).toBe('PRESS7');
    expect(decodeRaw(spec, [0x4142, 0x2020, 0x2020, 0x2020], 0)).toBe('AB');
    expect(decodeRaw(p('string', 'BADC', { length: 1 }), [0x4241], 0)).toBe('AB');
  });
});

describe('scale and offset', () => {
  it('raw * scale + offset, and back', () => {
    const spec = p('int16', undefined, { scale: 0.1, offset: -40 });
    expect(decodePoint(spec, [650], 0)).toBeCloseTo(25, 9);
    expect(encodePoint(spec, 25)).toEqual([650]);
  });
  it('a scaled 64-bit integer becomes a number; unscaled stays bigint', () => {
    expect(decodePoint(p('uint64', undefined, { scale: 0.001 }), [0, 0, 0, 12500], 0)).toBeCloseTo(12.5, 9);
    expect(typeof decodePoint(p('uint64'), [0, 0, 0, 1], 0)).toBe('bigint');
  });
  it('the press power point: watts in a float32, kW out', () => {
    const spec = p('float32', undefined, { table: 'input', scale: 0.001, unit: 'kW' });
    expect(decodePoint(spec, encodePoint(spec, 45.123), 0)).toBeCloseTo(45.123, 6);
  });
  it('metric kinds follow type and scaling', () => {
    expect(metricKindOf(p('uint32'))).toBe('uint32');
    expect(metricKindOf(p('uint16', undefined, { scale: 0.01 }))).toBe('double');
    expect(metricKindOf(p('float32'))).toBe('float');
    expect(metricKindOf({ name: 'c', table: 'coil', address: 0 })).toBe('boolean');
    expect(metricKindOf(p('string', undefined, { length: 2 }))).toBe('string');
  });
  it('refuses a value its type cannot hold', () => {
    expect(() => encodeRaw(p('uint16'), 70000)).toThrow(ModbusEncodeError);
    expect(() => encodeRaw(p('int16'), -40000)).toThrow(/does not fit int16/);
  });
});

describe('round trips (property)', () => {
  const orders32: ModbusByteOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
  const orders64: ModbusByteOrder[] = ['ABCDEFGH', 'GHEFCDAB', 'BADCFEHG', 'HGFEDCBA'];
  it('int32/uint32/float32 in every order', () => {
    fc.assert(
      fc.property(fc.constantFrom(...orders32), fc.integer({ min: -0x80000000, max: 0x7fffffff }), (o, n) => {
        expect(decodeRaw(p('int32', o), encodeRaw(p('int32', o), n), 0)).toBe(n);
        expect(decodeRaw(p('uint32', o), encodeRaw(p('uint32', o), n >>> 0), 0)).toBe(n >>> 0);
        const f = Math.fround(n / 7);
        expect(decodeRaw(p('float32', o), encodeRaw(p('float32', o), f), 0)).toBe(f);
      }),
    );
  });
  it('int64/uint64/float64 in every order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...orders64),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.double({ noNaN: true }),
        (o, b, d) => {
          expect(decodeRaw(p('int64', o), encodeRaw(p('int64', o), b), 0)).toBe(b);
          expect(decodeRaw(p('uint64', o), encodeRaw(p('uint64', o), BigInt.asUintN(64, b)), 0)).toBe(
            BigInt.asUintN(64, b),
          );
          expect(decodeRaw(p('float64', o), encodeRaw(p('float64', o), d), 0)).toBe(d);
        },
      ),
    );
  });
});
