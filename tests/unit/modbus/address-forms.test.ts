import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReference, referenceOf, registerNumber } from '../../../protocols/modbus/address-forms.js';
import type { ModbusTable } from '../../../protocols/modbus/point.js';

describe('Modbus address forms', () => {
  it.each([
    ['40101', 'holding', 100],
    ['400101', 'holding', 100],
    ['4x0101', 'holding', 100],
    ['4x101', 'holding', 100],
    ['40001', 'holding', 0],
    ['30001', 'input', 0],
    ['3X0010', 'input', 9],
    ['00001', 'coil', 0],
    ['0x8', 'coil', 7],
    ['10004', 'discrete', 3],
    ['465536', 'holding', 65535],
  ])('%s is %s at 0-based address %i', (text, table, address) => {
    expect(parseReference(text)).toEqual({ ok: true, table, address });
  });

  it('refuses a short number as ambiguous and points to --address', () => {
    const r = parseReference('101');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/"101" is ambiguous.*--address 101/);
  });

  it.each([
    ['40000', /start at 1/],
    ['50001', /not a Modbus reference/],
    ['465537', /past 65536/],
    ['4x', /not a Modbus reference/],
    ['holding', /not a Modbus reference/],
  ])('refuses %s', (text, why) => {
    const r = parseReference(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(why);
  });

  it('writes 5 digits while the number fits, 6 beyond', () => {
    expect(referenceOf('holding', 100)).toBe('40101');
    expect(referenceOf('input', 0)).toBe('30001');
    expect(referenceOf('coil', 7)).toBe('00008');
    expect(referenceOf('holding', 9998)).toBe('49999');
    expect(referenceOf('holding', 9999)).toBe('410000');
    expect(registerNumber(100)).toBe(101);
  });

  it('every address of every table reads back from its reference', () => {
    const tables: ModbusTable[] = ['coil', 'discrete', 'input', 'holding'];
    fc.assert(
      fc.property(fc.constantFrom(...tables), fc.integer({ min: 0, max: 65535 }), (table, address) => {
        expect(parseReference(referenceOf(table, address))).toEqual({ ok: true, table, address });
      }),
    );
  });
});
