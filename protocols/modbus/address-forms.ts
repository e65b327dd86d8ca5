/**
 * The ways a Modbus address is written, and how they map to what goes on the wire. Manuals and tools give a
 * "reference" whose first digit names the table and whose rest is a 1-based number (Modicon convention): 40101 or
 * 400101 or 4x0101 = holding register 101 = 0-based protocol address 100. plantpulse configs use the 0-based
 * protocol address (`address: 100`). Pure: no imports outside protocols/modbus.
 */
import type { ModbusTable } from './point.js';

/** First digit of a reference: 0xxxx coils, 1xxxx discrete inputs, 3xxxx input registers, 4xxxx holding registers. */
export const TABLE_DIGIT: Readonly<Record<ModbusTable, string>> = {
  coil: '0',
  discrete: '1',
  input: '3',
  holding: '4',
};

const TABLE_OF_DIGIT: Readonly<Record<string, ModbusTable>> = {
  '0': 'coil',
  '1': 'discrete',
  '3': 'input',
  '4': 'holding',
};

/** The read function code of each table. */
export const TABLE_FUNCTION: Readonly<Record<ModbusTable, 1 | 2 | 3 | 4>> = {
  coil: 1,
  discrete: 2,
  holding: 3,
  input: 4,
};

export type ReferenceParse =
  | { ok: true; table: ModbusTable; address: number }
  | { ok: false; message: string };

const FORMS =
  'a reference with its table digit (40101, 400101 or 4x0101 for holding register 101; 30001 input, ' +
  '00001 coil, 10001 discrete input)';

/**
 * Parses a reference: `4x0101`/`4x101` (any length after the x), `40101` (5 digits: up to 9999 per table) or
 * `400101` (6 digits: up to 65536). A number of 1–4 digits is refused as ambiguous: it could be a register number or
 * a 0-based address.
 */
export function parseReference(text: string): ReferenceParse {
  const t = text.trim();
  const x = /^([0134])[xX](\d{1,5})$/.exec(t);
  const plain = /^([0134])(\d{4,5})$/.exec(t);
  const m = x ?? plain;
  if (m === null) {
    const why = /^\d{1,4}$/.test(t)
      ? `"${t}" is ambiguous: give ${FORMS}, or the 0-based protocol address with --address ${t}`
      : `"${t}" is not a Modbus reference: give ${FORMS}`;
    return { ok: false, message: why };
  }
  const table = TABLE_OF_DIGIT[m[1] ?? ''];
  const n = Number(m[2]);
  if (table === undefined) return { ok: false, message: `"${t}": no table has digit ${m[1]}` };
  if (n < 1) return { ok: false, message: `"${t}": register numbers in a reference start at 1` };
  if (n > 65536) return { ok: false, message: `"${t}": register number ${n} is past 65536` };
  return { ok: true, table, address: n - 1 };
}

/** The 1-based register (or coil) number of a 0-based protocol address. */
export function registerNumber(address: number): number {
  return address + 1;
}

/** The reference of a 0-based address: 5 digits while the number fits (40001…49999), 6 beyond (410000…465536). */
export function referenceOf(table: ModbusTable, address: number): string {
  const n = registerNumber(address);
  return `${TABLE_DIGIT[table]}${String(n).padStart(n <= 9999 ? 4 : 5, '0')}`;
}
