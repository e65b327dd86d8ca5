/**
 * Every way a window of registers can be read, side by side — what `plantpulse probe` shows so an engineer at the
 * machine can spot the value the display shows and pick the config line. Each start address of the window is read
 * as 16-bit (as is and byte-swapped), 32-bit and 64-bit types in every byte/word order the agent supports, and
 * ASCII. Decoding goes through register-codec, so a column means exactly what that `type`/`order` config reads.
 * Pure: no imports outside protocols/modbus.
 */
import type { ModbusByteOrder, ModbusPointSpec, ModbusValueType } from './point.js';
import { decodeRaw, type ModbusValue } from './register-codec.js';

export const ORDERS_16 = ['ABCD', 'BADC'] as const;
export const ORDERS_32 = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export const ORDERS_64 = ['ABCDEFGH', 'GHEFCDAB', 'BADCFEHG', 'HGFEDCBA'] as const;
export const TYPES_16 = ['uint16', 'int16'] as const;
export const TYPES_32 = ['int32', 'uint32', 'float32'] as const;
export const TYPES_64 = ['int64', 'uint64', 'float64'] as const;

export type WideType = (typeof TYPES_32)[number] | (typeof TYPES_64)[number];

/** The interpretations of the registers starting at one address of the window. */
export interface StartInterpretation {
  /** 0-based protocol address */
  address: number;
  /** the register as it arrived, e.g. 0x42F6 */
  hex: string;
  /** uint16/int16 as is (ABCD) and byte-swapped (BADC) */
  narrow: Record<(typeof TYPES_16)[number], Record<(typeof ORDERS_16)[number], number>>;
  /** two characters, high byte first; unprintable bytes as '.' */
  ascii: string;
  /** absent when the window ends before the value would */
  wide: Partial<Record<WideType, Record<string, number | bigint>>>;
}

const spec = (type: ModbusValueType, order: ModbusByteOrder): ModbusPointSpec => ({
  name: 'probe',
  table: 'holding',
  address: 0,
  type,
  order,
});

function decodeAt(words: readonly number[], i: number, type: ModbusValueType, order: ModbusByteOrder) {
  return decodeRaw(spec(type, order), words, i) as Exclude<ModbusValue, boolean | string>;
}

/** `words[0]` is at 0-based address `start`. */
export function interpretWindow(words: readonly number[], start: number): StartInterpretation[] {
  return words.map((w, i) => {
    const narrow = Object.fromEntries(
      TYPES_16.map((t) => [t, Object.fromEntries(ORDERS_16.map((o) => [o, decodeAt(words, i, t, o)]))]),
    ) as StartInterpretation['narrow'];
    const wide: StartInterpretation['wide'] = {};
    for (const [types, orders, width] of [
      [TYPES_32, ORDERS_32, 2],
      [TYPES_64, ORDERS_64, 4],
    ] as const) {
      if (i + width > words.length) continue;
      for (const t of types) wide[t] = Object.fromEntries(orders.map((o) => [o, decodeAt(words, i, t, o)]));
    }
    return { address: start + i, hex: hex16(w), narrow, ascii: asciiOf(w), wide };
  });
}

export function hex16(w: number): string {
  return `0x${(w & 0xffff).toString(16).toUpperCase().padStart(4, '0')}`;
}

function asciiOf(w: number): string {
  const ch = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
  return ch((w >> 8) & 0xff) + ch(w & 0xff);
}

/** The shortest decimal text that reads back as the same float32 (123.456, not 123.45600128173828). */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(v);
}
