/**
 * Sparkplug B 3.0 array datatypes (spec 6.4.16, "Array Types"): values packed little-endian into `bytes_value`.
 * BooleanArray is a 4-byte little-endian count followed by the bits, most significant bit first, padded to a byte.
 * StringArray is the UTF-8 strings, each terminated by a 0x00 byte.
 * Decoding returns a reason string for malformed bytes rather than throwing; the caller wraps it in its own error.
 */
import { DataType } from './types.js';

export type ArrayValue = number[] | bigint[] | boolean[] | string[];
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

interface NumericLayout {
  size: number;
  read: (v: DataView, at: number) => number | bigint;
  write: (v: DataView, at: number, x: number | bigint) => void;
  check: (x: unknown) => string | undefined;
}

function intCheck(min: number, max: number): (x: unknown) => string | undefined {
  return (x) =>
    typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max
      ? undefined
      : `${String(x)} is not an integer in [${min}, ${max}]`;
}
function bigCheck(min: bigint, max: bigint): (x: unknown) => string | undefined {
  return (x) => {
    const b =
      typeof x === 'bigint' ? x : typeof x === 'number' && Number.isSafeInteger(x) ? BigInt(x) : undefined;
    return b !== undefined && b >= min && b <= max
      ? undefined
      : `${String(x)} is not an integer in [${min}, ${max}]`;
  };
}
const numCheck = (x: unknown): string | undefined =>
  typeof x === 'number' ? undefined : `${String(x)} is not a number`;

const LAYOUTS: Partial<Record<number, NumericLayout>> = {
  [DataType.Int8Array]: {
    size: 1,
    read: (v, a) => v.getInt8(a),
    write: (v, a, x) => v.setInt8(a, Number(x)),
    check: intCheck(-128, 127),
  },
  [DataType.Int16Array]: {
    size: 2,
    read: (v, a) => v.getInt16(a, true),
    write: (v, a, x) => v.setInt16(a, Number(x), true),
    check: intCheck(-32768, 32767),
  },
  [DataType.Int32Array]: {
    size: 4,
    read: (v, a) => v.getInt32(a, true),
    write: (v, a, x) => v.setInt32(a, Number(x), true),
    check: intCheck(-2147483648, 2147483647),
  },
  [DataType.Int64Array]: {
    size: 8,
    read: (v, a) => v.getBigInt64(a, true),
    write: (v, a, x) => v.setBigInt64(a, BigInt(x), true),
    check: bigCheck(-(2n ** 63n), 2n ** 63n - 1n),
  },
  [DataType.UInt8Array]: {
    size: 1,
    read: (v, a) => v.getUint8(a),
    write: (v, a, x) => v.setUint8(a, Number(x)),
    check: intCheck(0, 255),
  },
  [DataType.UInt16Array]: {
    size: 2,
    read: (v, a) => v.getUint16(a, true),
    write: (v, a, x) => v.setUint16(a, Number(x), true),
    check: intCheck(0, 65535),
  },
  [DataType.UInt32Array]: {
    size: 4,
    read: (v, a) => v.getUint32(a, true),
    write: (v, a, x) => v.setUint32(a, Number(x), true),
    check: intCheck(0, 4294967295),
  },
  [DataType.UInt64Array]: {
    size: 8,
    read: (v, a) => v.getBigUint64(a, true),
    write: (v, a, x) => v.setBigUint64(a, BigInt(x), true),
    check: bigCheck(0n, 2n ** 64n - 1n),
  },
  [DataType.FloatArray]: {
    size: 4,
    read: (v, a) => v.getFloat32(a, true),
    write: (v, a, x) => v.setFloat32(a, Number(x), true),
    check: numCheck,
  },
  [DataType.DoubleArray]: {
    size: 8,
    read: (v, a) => v.getFloat64(a, true),
    write: (v, a, x) => v.setFloat64(a, Number(x), true),
    check: numCheck,
  },
  [DataType.DateTimeArray]: {
    size: 8,
    read: (v, a) => Number(v.getBigInt64(a, true)),
    write: (v, a, x) => v.setBigInt64(a, BigInt(x), true),
    check: intCheck(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  },
};

export function isArrayType(datatype: number): boolean {
  return datatype >= DataType.Int8Array && datatype <= DataType.DateTimeArray;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function packArray(datatype: number, value: unknown): Result<Uint8Array> {
  if (!Array.isArray(value)) return { ok: false, reason: 'an array datatype needs an array value' };
  if (datatype === DataType.BooleanArray) return packBooleans(value);
  if (datatype === DataType.StringArray) return packStrings(value);
  const layout = LAYOUTS[datatype];
  if (!layout) return { ok: false, reason: `datatype ${datatype} is not an array type` };
  const out = new Uint8Array(value.length * layout.size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < value.length; i++) {
    const x: unknown = value[i];
    const bad = layout.check(x);
    if (bad) return { ok: false, reason: `element ${i}: ${bad}` };
    layout.write(view, i * layout.size, x as number | bigint);
  }
  return { ok: true, value: out };
}

export function unpackArray(datatype: number, bytes: Uint8Array): Result<ArrayValue> {
  if (datatype === DataType.BooleanArray) return unpackBooleans(bytes);
  if (datatype === DataType.StringArray) return unpackStrings(bytes);
  const layout = LAYOUTS[datatype];
  if (!layout) return { ok: false, reason: `datatype ${datatype} is not an array type` };
  if (bytes.length % layout.size !== 0) {
    return {
      ok: false,
      reason: `${bytes.length} bytes is not a multiple of the ${layout.size}-byte element`,
    };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: (number | bigint)[] = [];
  for (let at = 0; at < bytes.length; at += layout.size) {
    const x = layout.read(view, at);
    if (typeof x === 'number' && datatype === DataType.DateTimeArray && !Number.isSafeInteger(x)) {
      return { ok: false, reason: `DateTime element at byte ${at} is beyond ±2^53 ms` };
    }
    out.push(x);
  }
  return { ok: true, value: out as number[] | bigint[] };
}

function packBooleans(value: unknown[]): Result<Uint8Array> {
  const out = new Uint8Array(4 + Math.ceil(value.length / 8));
  new DataView(out.buffer).setUint32(0, value.length, true);
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== 'boolean') return { ok: false, reason: `element ${i}: ${String(x)} is not a boolean` };
    if (x) out[4 + (i >> 3)] = (out[4 + (i >> 3)] ?? 0) | (0x80 >> (i & 7));
  }
  return { ok: true, value: out };
}

function unpackBooleans(bytes: Uint8Array): Result<boolean[]> {
  if (bytes.length < 4) return { ok: false, reason: 'BooleanArray needs a 4-byte count' };
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (count > (bytes.length - 4) * 8) {
    return { ok: false, reason: `BooleanArray count ${count} exceeds its ${bytes.length - 4} data bytes` };
  }
  const out: boolean[] = [];
  for (let i = 0; i < count; i++) out.push((((bytes[4 + (i >> 3)] ?? 0) << (i & 7)) & 0x80) !== 0);
  return { ok: true, value: out };
}

function packStrings(value: unknown[]): Result<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== 'string') return { ok: false, reason: `element ${i}: ${String(x)} is not a string` };
    if (x.includes('\0'))
      return { ok: false, reason: `element ${i}: a StringArray element cannot contain NUL` };
    const b = utf8.encode(x);
    parts.push(b);
    size += b.length + 1;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length + 1; // the terminator is already 0
  }
  return { ok: true, value: out };
}

function unpackStrings(bytes: Uint8Array): Result<string[]> {
  if (bytes.length === 0) return { ok: true, value: [] };
  if (bytes[bytes.length - 1] !== 0)
    return { ok: false, reason: 'StringArray does not end with a NUL terminator' };
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    try {
      out.push(utf8Strict.decode(bytes.subarray(start, i)));
    } catch {
      return { ok: false, reason: `StringArray element ${out.length} is not valid UTF-8` };
    }
    start = i + 1;
  }
  return { ok: true, value: out };
}
