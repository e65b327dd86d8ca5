/**
 * DL/T 645 data formats: packed BCD, low byte first, written in the standard's notation — `XXXXXX.XX` is 4 bytes,
 * 8 digits, 2 after the point; `XXX.XXX` 3 bytes. Signed quantities (current, power, power factor in 2007) carry the
 * sign in the top bit of the most significant byte. Times are BCD too: `YYMMDDhhmm`. Pure: no I/O.
 */
import { PlantpulseError } from '../errors.js';

export interface NumberFormat {
  /** the format as written, e.g. `XXXXXX.XX` */
  text: string;
  bytes: number;
  digits: number;
  decimals: number;
}

const NUMBER_FORMAT = /^(X+)(?:\.(X+))?$/;
const TIME_FORMAT = /^(?:YY|MM|DD|hh|mm|ss|WW)+$/;

export class Dlt645DataError extends PlantpulseError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** `XXXXXX.XX` → 4 bytes, 2 decimals; a problem as text when the format is not an even number of X digits. */
export function readNumberFormat(text: string): NumberFormat | { problem: string } {
  const m = NUMBER_FORMAT.exec(text);
  if (m === null)
    return {
      problem: `format must be digits written as X with an optional point, e.g. XXXXXX.XX, got "${text}"`,
    };
  const digits = (m[1]?.length ?? 0) + (m[2]?.length ?? 0);
  if (digits % 2 !== 0)
    return {
      problem: `format "${text}" has ${digits} digits; BCD packs two per byte, so it needs an even number`,
    };
  if (digits > 16)
    return { problem: `format "${text}" has ${digits} digits; at most 16 (8 bytes) are supported` };
  return { text, bytes: digits / 2, digits, decimals: m[2]?.length ?? 0 };
}

export function parseNumberFormat(text: string): NumberFormat {
  const f = readNumberFormat(text);
  if ('problem' in f) throw new Dlt645DataError('DLT645_BAD_FORMAT', f.problem);
  return f;
}

export function isTimeFormat(text: string): boolean {
  return TIME_FORMAT.test(text);
}

/** Bytes (low first) of the packed digits, most significant digit first, or undefined when a nibble is not 0–9. */
function bcdDigits(bytes: Uint8Array, maskSign: boolean): string | undefined {
  let s = '';
  for (let i = bytes.length - 1; i >= 0; i--) {
    let b = bytes[i] ?? 0;
    if (maskSign && i === bytes.length - 1) b &= 0x7f;
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return undefined;
    s += `${hi}${lo}`;
  }
  return s;
}

/** A BCD number in `format`; signed: the top bit of the last (most significant) byte is the sign. */
export function decodeBcd(bytes: Uint8Array, format: NumberFormat, signed: boolean): number {
  if (bytes.length !== format.bytes)
    throw new Dlt645DataError(
      'DLT645_BAD_LENGTH',
      `${format.text} is ${format.bytes} bytes, the meter sent ${bytes.length}`,
    );
  const digits = bcdDigits(bytes, signed);
  if (digits === undefined)
    throw new Dlt645DataError(
      'DLT645_BAD_BCD',
      `${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')} is not BCD (the meter has no value here)`,
    );
  const negative = signed && ((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0;
  const n = Number(digits) / 10 ** format.decimals;
  // round away float noise from the division: 1234.56 stays 1234.56
  const v = Number(n.toFixed(format.decimals));
  return negative ? -v : v;
}

/** The bytes (low first) of `value` in `format`; for the simulator and round-trip tests. */
export function encodeBcd(value: number, format: NumberFormat, signed: boolean): Uint8Array {
  const negative = value < 0;
  if (negative && !signed)
    throw new Dlt645DataError('DLT645_OUT_OF_RANGE', `${value} is negative; ${format.text} is unsigned`);
  const scaled = Math.round(Math.abs(value) * 10 ** format.decimals);
  // a signed format keeps the top bit for the sign: the leading digit must be 0–7
  const limit = signed ? 8 * 10 ** (format.digits - 1) : 10 ** format.digits;
  if (scaled >= limit)
    throw new Dlt645DataError('DLT645_OUT_OF_RANGE', `${value} does not fit ${format.text}`);
  const text = String(scaled).padStart(format.digits, '0');
  const out = new Uint8Array(format.bytes);
  for (let i = 0; i < format.bytes; i++) {
    const pair = text.slice(text.length - 2 * i - 2, text.length - 2 * i);
    out[i] = Number.parseInt(pair, 16);
  }
  if (negative && scaled !== 0) out[format.bytes - 1] = (out[format.bytes - 1] ?? 0) | 0x80;
  return out;
}

/** A BCD time such as `YYMMDDhhmm` as the meter's local time, `2026-12-05 14:30` (the meter keeps no zone). */
export function decodeBcdTime(bytes: Uint8Array, format: string): string {
  const digits = bcdDigits(bytes, false);
  if (digits === undefined || digits.length !== format.length)
    throw new Dlt645DataError('DLT645_BAD_BCD', `time ${format} is not BCD`);
  const field = (name: string) => {
    const at = format.indexOf(name);
    return at < 0 ? undefined : digits.slice(at, at + 2);
  };
  const yy = field('YY');
  const date = [yy === undefined ? undefined : `20${yy}`, field('MM'), field('DD')].filter(
    (x) => x !== undefined,
  );
  const time = [field('hh'), field('mm'), field('ss')].filter((x) => x !== undefined);
  return [date.join('-'), time.join(':')].filter((x) => x !== '').join(' ');
}

/** The BCD bytes (low first) of a time laid out as `format`, for the simulator. */
export function encodeBcdTime(d: Date, format: string): Uint8Array {
  const parts: Record<string, number> = {
    YY: d.getFullYear() % 100,
    MM: d.getMonth() + 1,
    DD: d.getDate(),
    hh: d.getHours(),
    mm: d.getMinutes(),
    ss: d.getSeconds(),
    WW: d.getDay(),
  };
  let text = '';
  for (let i = 0; i < format.length; i += 2)
    text += String(parts[format.slice(i, i + 2)] ?? 0).padStart(2, '0');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = Number.parseInt(text.slice(text.length - 2 * i - 2, text.length - 2 * i), 16);
  return out;
}
