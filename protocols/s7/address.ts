/**
 * S7 addresses as STEP 7 / TIA Portal write them, parsed into area, DB number, byte and bit. Pure.
 *
 *   DB1.DBX4.1  DB1.DBB0  DB1.DBW2  DB1.DBD4  DB1.8 (the point's type gives the width: LREAL, STRING, DATE_AND_TIME)
 *   M0.1  MB1  MW2  MD4  M8      I0.0 IB0 IW2 (German E)      Q0.0 QB0 QW2 (German A)      T5  C3 (German Z)
 */
export const S7_AREAS = ['DB', 'M', 'I', 'Q', 'T', 'C'] as const;
export type S7Area = (typeof S7_AREAS)[number];

/** X one bit, B one byte, W two, D four; absent when the address names a byte and the type gives the width. */
export type SizeLetter = 'X' | 'B' | 'W' | 'D';

export interface S7Address {
  area: S7Area;
  /** DB number (area DB only) */
  db?: number;
  /** byte offset in the area; for T and C the timer/counter number */
  start: number;
  /** bit 0–7, for bit addresses */
  bit?: number;
  size?: SizeLetter;
}

/** The largest byte offset an S7ANY pointer holds (a 24-bit bit address). */
export const MAX_BYTE_OFFSET = 2 ** 21 - 1;

const DB_FORM = /^DB(\d+)\.(?:DB([XBWD]))?(\d+)(?:\.(\d+))?$/;
const MEMORY_FORM = /^([MIEQA])([XBWD])?(\d+)(?:\.(\d+))?$/;
const TIMER_COUNTER_FORM = /^([TCZ])(\d+)$/;
const LETTER_AREA: Record<string, S7Area> = {
  M: 'M',
  I: 'I',
  E: 'I',
  Q: 'Q',
  A: 'Q',
  T: 'T',
  C: 'C',
  Z: 'C',
};

export type AddressResult = { ok: true; address: S7Address } | { ok: false; message: string };

const EXAMPLES = 'DB1.DBD0, DB1.DBX4.1, DB1.8, MW10, M0.1, IB0, Q0.0, T5, C3';

function withBitAndSize(
  base: Omit<S7Address, 'bit' | 'size'>,
  letter: string | undefined,
  bitText: string | undefined,
  text: string,
): AddressResult {
  const size = letter as SizeLetter | undefined;
  const address: S7Address = { ...base };
  if (size !== undefined) address.size = size;
  if (bitText !== undefined) {
    const bit = Number(bitText);
    if (bit > 7) return { ok: false, message: `${text}: bit ${bit} does not exist (a byte has bits 0-7)` };
    if (size !== undefined && size !== 'X')
      return { ok: false, message: `${text}: a bit address uses X (or no letter), not ${size}` };
    address.bit = bit;
  } else if (size === 'X') {
    return { ok: false, message: `${text}: an X address needs a bit, as in ${text}.0` };
  }
  if (address.start > MAX_BYTE_OFFSET)
    return {
      ok: false,
      message: `${text}: byte ${address.start} is past the largest S7 offset ${MAX_BYTE_OFFSET}`,
    };
  return { ok: true, address };
}

/** Parses one address (case-insensitive). The message of a refused one says what is wrong and shows the forms. */
export function parseS7Address(input: string): AddressResult {
  const text = input.trim().toUpperCase();
  const db = DB_FORM.exec(text);
  if (db) {
    const [, dbText, letter, byteText, bitText] = db;
    const dbNumber = Number(dbText);
    if (dbNumber < 1 || dbNumber > 65535)
      return { ok: false, message: `${input}: DB numbers are 1-65535, not ${dbNumber}` };
    return withBitAndSize({ area: 'DB', db: dbNumber, start: Number(byteText) }, letter, bitText, input);
  }
  const mem = MEMORY_FORM.exec(text);
  if (mem) {
    const [, areaLetter = '', letter, byteText, bitText] = mem;
    const area = LETTER_AREA[areaLetter];
    if (area === undefined) return { ok: false, message: `${input}: unknown area` };
    return withBitAndSize({ area, start: Number(byteText) }, letter, bitText, input);
  }
  const tc = TIMER_COUNTER_FORM.exec(text);
  if (tc) {
    const [, areaLetter = '', numberText] = tc;
    const area = LETTER_AREA[areaLetter];
    const n = Number(numberText);
    if (area === undefined) return { ok: false, message: `${input}: unknown area` };
    if (n > 65535)
      return { ok: false, message: `${input}: ${area === 'T' ? 'timer' : 'counter'} numbers are 0-65535` };
    return { ok: true, address: { area, start: n } };
  }
  return {
    ok: false,
    message: `${JSON.stringify(input)} is not an S7 address (forms: ${EXAMPLES})`,
  };
}

/** The address written back in its canonical form (`DB1.DBD0`, `MW2`, `I0.1`), for logs and births. */
export function formatS7Address(a: S7Address): string {
  const bit = a.bit === undefined ? '' : `.${a.bit}`;
  if (a.area === 'T' || a.area === 'C') return `${a.area}${a.start}`;
  if (a.area === 'DB') return `DB${a.db ?? 0}.${a.size === undefined ? '' : `DB${a.size}`}${a.start}${bit}`;
  return `${a.area}${a.size ?? ''}${a.start}${bit}`;
}
