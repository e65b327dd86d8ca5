/**
 * S7 values from the bytes of a read, and back (for the simulator): big-endian numbers, STRING with its 2-byte
 * header, DATE_AND_TIME in BCD. Written here rather than taken from @st-one-io/nodes7 1.1.2 because that library has
 * no LREAL and reads DATE_AND_TIME in the agent host's local time zone (agent/sources/s7/README.md). Pure.
 */
import { applyScale, type RawValue } from '../point-scale.js';
import type { ResolvedS7Point } from './point.js';

export type S7Value = number | boolean | string;

export type DecodeResult = { ok: true; value: S7Value } | { ok: false; code: string; message: string };

const LATIN1 = new TextDecoder('latin1');

function fromBcd(byte: number): number {
  const hi = byte >> 4;
  const lo = byte & 0x0f;
  return hi > 9 || lo > 9 ? Number.NaN : hi * 10 + lo;
}

function toBcd(n: number): number {
  return ((Math.floor(n / 10) % 10) << 4) | (n % 10);
}

/**
 * DATE_AND_TIME (8 bytes BCD: year, month, day, hour, minute, second, ms high two digits, ms low digit + weekday)
 * as ms since the epoch. The type carries no time zone: the agent reads it as UTC. Years 90–99 are 1990–1999,
 * 00–89 are 2000–2089 (STEP 7's range).
 */
export function decodeDateAndTime(b: Uint8Array, at: number): number | undefined {
  const d = [0, 1, 2, 3, 4, 5, 6].map((i) => fromBcd(b[at + i] ?? 0xff));
  const msLow = (b[at + 7] ?? 0xff) >> 4;
  const [yy = Number.NaN, mo = 0, day = 0, h = 0, mi = 0, s = 0, msHigh = 0] = d;
  if (d.some(Number.isNaN) || msLow > 9) return undefined;
  if (mo < 1 || mo > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const year = yy >= 90 ? 1900 + yy : 2000 + yy;
  const ms = Date.UTC(year, mo - 1, day, h, mi, s, msHigh * 10 + msLow);
  // Date.UTC rolls 31 February over into March: such a value is not a date the PLC can hold
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

export function encodeDateAndTime(ms: number): Uint8Array {
  const t = new Date(ms);
  const year = t.getUTCFullYear();
  const millis = t.getUTCMilliseconds();
  return Uint8Array.from([
    toBcd(year % 100),
    toBcd(t.getUTCMonth() + 1),
    toBcd(t.getUTCDate()),
    toBcd(t.getUTCHours()),
    toBcd(t.getUTCMinutes()),
    toBcd(t.getUTCSeconds()),
    toBcd(Math.floor(millis / 10)),
    ((millis % 10) << 4) | (t.getUTCDay() + 1),
  ]);
}

/** The raw (unscaled) value of a point `offset` bytes into `data`. */
export function decodeS7Raw(r: ResolvedS7Point, data: Uint8Array, offset: number): DecodeResult {
  if (offset + (r.address.area === 'T' || r.address.area === 'C' ? 2 : r.width) > data.length) {
    return {
      ok: false,
      code: 'S7_SHORT_DATA',
      message: `${r.point.name}: the PLC answered ${data.length} bytes, too few for ${r.type} at byte ${offset}`,
    };
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (r.type) {
    case 'bool':
      return { ok: true, value: ((data[offset] ?? 0) >> (r.address.bit ?? 0)) % 2 === 1 };
    case 'byte':
      return { ok: true, value: v.getUint8(offset) };
    case 'char':
      return { ok: true, value: LATIN1.decode(data.subarray(offset, offset + 1)) };
    case 'word':
      return { ok: true, value: v.getUint16(offset) };
    case 'int':
      return { ok: true, value: v.getInt16(offset) };
    case 'dword':
      return { ok: true, value: v.getUint32(offset) };
    case 'dint':
      return { ok: true, value: v.getInt32(offset) };
    case 'real':
      return { ok: true, value: v.getFloat32(offset) };
    case 'lreal':
      return { ok: true, value: v.getFloat64(offset) };
    case 'string': {
      const declared = r.width - 2;
      const max = v.getUint8(offset);
      const len = v.getUint8(offset + 1);
      if (len > max || len > declared) {
        return {
          ok: false,
          code: 'S7_BAD_STRING',
          message: `${r.point.name}: the STRING header says ${len} characters of at most ${max}, the config says STRING[${declared}]: is the address or length wrong?`,
        };
      }
      return { ok: true, value: LATIN1.decode(data.subarray(offset + 2, offset + 2 + len)) };
    }
    case 'date_and_time': {
      const ms = decodeDateAndTime(data, offset);
      if (ms === undefined) {
        const hex = Buffer.from(data.subarray(offset, offset + 8)).toString('hex');
        return {
          ok: false,
          code: 'S7_BAD_DATE',
          message: `${r.point.name}: bytes ${hex} are not a DATE_AND_TIME (BCD); is the address right?`,
        };
      }
      return { ok: true, value: ms };
    }
  }
}

/** Decodes a point: raw value, then scale/offset (protocols/point-scale.ts), then a finite-number check. */
export function decodeS7Point(r: ResolvedS7Point, data: Uint8Array, offset: number): DecodeResult {
  const raw = decodeS7Raw(r, data, offset);
  if (!raw.ok) return raw;
  const value = applyScale(r.point, raw.value) as Exclude<RawValue, bigint>;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return {
      ok: false,
      code: 'S7_NOT_FINITE',
      message: `${r.point.name}: ${String(value)} cannot be stored; marked bad`,
    };
  }
  return { ok: true, value };
}

/** Writes a raw value into `data` at `offset` in the PLC's layout (the simulator's side of decodeS7Raw). */
export function encodeS7Raw(r: ResolvedS7Point, value: S7Value, data: Uint8Array, offset: number): void {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : 0;
  switch (r.type) {
    case 'bool': {
      const mask = 1 << (r.address.bit ?? 0);
      data[offset] = value === true ? (data[offset] ?? 0) | mask : (data[offset] ?? 0) & ~mask;
      return;
    }
    case 'byte':
      v.setUint8(offset, n & 0xff);
      return;
    case 'char':
      v.setUint8(offset, String(value).charCodeAt(0) & 0xff);
      return;
    case 'word':
      v.setUint16(offset, n & 0xffff);
      return;
    case 'int':
      v.setInt16(offset, n);
      return;
    case 'dword':
      v.setUint32(offset, n >>> 0);
      return;
    case 'dint':
      v.setInt32(offset, n);
      return;
    case 'real':
      v.setFloat32(offset, n);
      return;
    case 'lreal':
      v.setFloat64(offset, n);
      return;
    case 'string': {
      const max = r.width - 2;
      const text = Buffer.from(String(value), 'latin1').subarray(0, max);
      v.setUint8(offset, max);
      v.setUint8(offset + 1, text.length);
      data.set(text, offset + 2);
      return;
    }
    case 'date_and_time':
      data.set(encodeDateAndTime(n), offset);
      return;
  }
}
