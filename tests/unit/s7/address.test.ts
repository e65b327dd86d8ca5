import { describe, expect, it } from 'vitest';
import { formatS7Address, parseS7Address } from '../../../protocols/s7/address.js';

describe('S7 addresses', () => {
  it.each([
    ['DB1.DBX4.1', { area: 'DB', db: 1, start: 4, bit: 1, size: 'X' }],
    ['DB10.DBB0', { area: 'DB', db: 10, start: 0, size: 'B' }],
    ['db1.dbw2', { area: 'DB', db: 1, start: 2, size: 'W' }],
    ['DB1.DBD4', { area: 'DB', db: 1, start: 4, size: 'D' }],
    ['DB1.8', { area: 'DB', db: 1, start: 8 }],
    ['DB1.8.3', { area: 'DB', db: 1, start: 8, bit: 3 }],
    ['M0.1', { area: 'M', start: 0, bit: 1 }],
    ['MW2', { area: 'M', start: 2, size: 'W' }],
    ['MD4', { area: 'M', start: 4, size: 'D' }],
    ['M8', { area: 'M', start: 8 }],
    ['I0.7', { area: 'I', start: 0, bit: 7 }],
    ['E1.0', { area: 'I', start: 1, bit: 0 }],
    ['IB3', { area: 'I', start: 3, size: 'B' }],
    ['Q0.0', { area: 'Q', start: 0, bit: 0 }],
    ['AW4', { area: 'Q', start: 4, size: 'W' }],
    ['T5', { area: 'T', start: 5 }],
    ['C3', { area: 'C', start: 3 }],
    ['Z7', { area: 'C', start: 7 }],
  ])('%s', (text, address) => {
    expect(parseS7Address(text)).toEqual({ ok: true, address });
  });

  it.each([
    ['DB0.DBW0', 'DB numbers are 1-65535'],
    ['DB1.DBX4', 'an X address needs a bit'],
    ['DB1.DBW4.1', 'a bit address uses X'],
    ['M0.8', 'bit 8 does not exist'],
    ['DB1.DBD9999999', 'past the largest S7 offset'],
    ['V100', 'is not an S7 address (forms: DB1.DBD0'],
    ['DB1,REAL0', 'is not an S7 address'],
  ])('refuses %s: %s', (text, message) => {
    const r = parseS7Address(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('writes an address back in its canonical form', () => {
    for (const text of ['DB1.DBX4.1', 'DB1.DBD4', 'DB1.8', 'MW2', 'I0.7', 'T5', 'C3']) {
      const r = parseS7Address(text);
      if (!r.ok) throw new Error(r.message);
      expect(formatS7Address(r.address)).toBe(text);
    }
  });
});
