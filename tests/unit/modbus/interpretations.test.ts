import { describe, expect, it } from 'vitest';
import { float32Text, interpretWindow } from '../../../protocols/modbus/interpretations.js';

describe('interpretWindow', () => {
  // 123.456 as float32 is 0x42F6E979; the same bytes in the four orders, at addresses 10, 12, 14, 16
  const words = [0x42f6, 0xe979, 0xe979, 0x42f6, 0xf642, 0x79e9, 0x79e9, 0xf642];
  const starts = interpretWindow(words, 10);

  it('shows every start address of the window with its raw word, 16-bit values and ASCII', () => {
    expect(starts.map((s) => s.address)).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect(starts[0]).toMatchObject({
      hex: '0x42F6',
      ascii: 'B.',
      narrow: { uint16: { ABCD: 0x42f6, BADC: 0xf642 }, int16: { ABCD: 0x42f6, BADC: 0xf642 - 0x10000 } },
    });
  });

  it('decodes 123.456 in the one order column the registers were written in', () => {
    const f = (i: number) => starts[i]?.wide.float32 ?? {};
    const want = Math.fround(123.456);
    expect(f(0).ABCD).toBe(want);
    expect(f(2).CDAB).toBe(want);
    expect(f(4).BADC).toBe(want);
    expect(f(6).DCBA).toBe(want);
    for (const [i, order] of [
      [0, 'ABCD'],
      [2, 'CDAB'],
      [4, 'BADC'],
      [6, 'DCBA'],
    ] as const) {
      for (const [o, v] of Object.entries(f(i))) if (o !== order) expect(v, `${i} ${o}`).not.toBe(want);
    }
  });

  it('leaves out wide values the window ends before', () => {
    expect(starts[6]?.wide.uint32).toBeDefined();
    expect(starts[7]?.wide.uint32).toBeUndefined();
    expect(starts[4]?.wide.uint64).toBeDefined();
    expect(starts[5]?.wide.uint64).toBeUndefined();
  });

  it('reads 64-bit values exactly', () => {
    const w = interpretWindow([0xffff, 0xffff, 0xffff, 0xfffe], 0);
    expect(w[0]?.wide.uint64?.ABCDEFGH).toBe(0xfffffffffffffffen);
    expect(w[0]?.wide.int64?.ABCDEFGH).toBe(-2n);
  });
});

describe('float32Text', () => {
  it('prints the shortest text that reads back as the same float32', () => {
    expect(float32Text(Math.fround(123.456))).toBe('123.456');
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(1.401298464324817e-45))).toBe('1e-45');
    expect(float32Text(Number.NaN)).toBe('NaN');
    expect(float32Text(0)).toBe('0');
  });
});
