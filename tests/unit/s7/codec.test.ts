import { describe, expect, it } from 'vitest';
import { decodeDateAndTime, decodeS7Point, encodeS7Raw } from '../../../protocols/s7/codec.js';
import { type ResolvedS7Point, resolveS7Point, type S7PointSpec } from '../../../protocols/s7/point.js';

function point(p: Omit<S7PointSpec, 'name'>): ResolvedS7Point {
  const r = resolveS7Point({ name: 'x', ...p });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.resolved;
}
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));

describe('S7 codec', () => {
  it('decodes big-endian numbers of every width and sign', () => {
    const d = (p: Omit<S7PointSpec, 'name'>, hex: string) => decodeS7Point(point(p), bytes(hex), 0);
    expect(d({ address: 'DB1.DBB0' }, 'fe')).toEqual({ ok: true, value: 254 });
    expect(d({ address: 'DB1.DBW0' }, 'fffe')).toEqual({ ok: true, value: 65534 });
    expect(d({ address: 'DB1.DBW0', type: 'int' }, 'fffe')).toEqual({ ok: true, value: -2 });
    expect(d({ address: 'DB1.DBD0' }, 'ffffffff')).toEqual({ ok: true, value: 4294967295 });
    expect(d({ address: 'DB1.DBD0', type: 'dint' }, '80000000')).toEqual({ ok: true, value: -2147483648 });
    expect(d({ address: 'DB1.DBD0', type: 'real' }, '40600000')).toEqual({ ok: true, value: 3.5 });
    expect(d({ address: 'DB1.0', type: 'lreal' }, '3ff4000000000000')).toEqual({ ok: true, value: 1.25 });
    expect(d({ address: 'DB1.DBX0.6' }, '40')).toEqual({ ok: true, value: true });
    expect(d({ address: 'DB1.DBX0.5' }, '40')).toEqual({ ok: true, value: false });
    expect(d({ address: 'DB1.DBB0', type: 'char' }, '41')).toEqual({ ok: true, value: 'A' });
    expect(d({ address: 'DB1.DBW0', type: 'int', scale: 0.1, offset: 1 }, '0064')).toEqual({
      ok: true,
      value: 11,
    });
  });

  it('reads a STRING by its header: the current length, not the declared one', () => {
    const p = point({ address: 'DB1.0', type: 'string', length: 8 });
    expect(decodeS7Point(p, bytes('08 03 41 42 43 58 58 58 58 58'), 0)).toEqual({ ok: true, value: 'ABC' });
    const broken = decodeS7Point(p, bytes('08 09 41 42 43 58 58 58 58 58'), 0);
    expect(broken).toMatchObject({ ok: false, code: 'S7_BAD_STRING' });
  });

  it('reads DATE_AND_TIME as BCD in UTC (years 90-99 are the 1990s), and refuses bytes that are not one', () => {
    // DT#2026-12-06-08:30:15.250, a Sunday (weekday 1)
    expect(decodeDateAndTime(bytes('26 12 06 08 30 15 25 01'), 0)).toBe(
      Date.UTC(2026, 11, 6, 8, 30, 15, 250),
    );
    expect(decodeDateAndTime(bytes('90 01 01 00 00 00 00 02'), 0)).toBe(Date.UTC(1990, 0, 1));
    expect(decodeDateAndTime(bytes('00 00 00 00 00 00 00 00'), 0)).toBeUndefined();
    expect(decodeDateAndTime(bytes('26 02 31 00 00 00 00 00'), 0)).toBeUndefined();
    expect(decodeDateAndTime(bytes('26 1a 06 00 00 00 00 00'), 0)).toBeUndefined();
    const p = point({ address: 'DB1.0', type: 'date_and_time' });
    expect(decodeS7Point(p, bytes('26 13 06 08 30 15 25 01'), 0)).toMatchObject({
      ok: false,
      code: 'S7_BAD_DATE',
    });
  });

  it('refuses an answer too short for the point, and a number that cannot be stored', () => {
    expect(decodeS7Point(point({ address: 'DB1.DBD0' }), bytes('0000'), 0)).toMatchObject({
      ok: false,
      code: 'S7_SHORT_DATA',
    });
    expect(decodeS7Point(point({ address: 'DB1.DBD0', type: 'real' }), bytes('7fc00000'), 0)).toMatchObject({
      ok: false,
      code: 'S7_NOT_FINITE',
    });
  });

  it('the simulator writes what the agent reads, for every type', () => {
    const cases: [Omit<S7PointSpec, 'name'>, number | boolean | string][] = [
      [{ address: 'DB1.DBX0.3' }, true],
      [{ address: 'DB1.DBB0' }, 200],
      [{ address: 'DB1.DBB0', type: 'char' }, 'Z'],
      [{ address: 'DB1.DBW0', type: 'int' }, -300],
      [{ address: 'DB1.DBD0', type: 'dint' }, -70000],
      [{ address: 'DB1.DBD0', type: 'real' }, -0.5],
      [{ address: 'DB1.0', type: 'lreal' }, Math.PI],
      [{ address: 'DB1.0', type: 'string', length: 10 }, 'Präge 7'],
      [{ address: 'DB1.0', type: 'date_and_time' }, Date.UTC(2001, 8, 9, 1, 46, 40, 7)],
    ];
    for (const [spec, value] of cases) {
      const p = point(spec);
      const buf = new Uint8Array(16);
      encodeS7Raw(p, value, buf, 0);
      expect(decodeS7Point(p, buf, 0)).toEqual({ ok: true, value });
    }
  });
});
