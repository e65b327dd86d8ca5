/**
 * Scalar value rules of Sparkplug B 3.0 (spec 6.4.16 "Datatype Details"): which protobuf `oneof` field carries each
 * datatype, and how the wire form maps back to a typed value.
 *
 * Wire placement (what we encode):
 * - Int8, Int16, Int32, UInt8, UInt16 → `int_value` (uint32; signed values sign-extended to 32 bits, as Tahu does)
 * - UInt32, Int64, UInt64, DateTime → `long_value` (uint64; Int64 as two's complement). UInt32 goes in `long_value`
 *   like Eclipse Tahu (Java and JS) and Ignition do; we accept it in either field when decoding.
 * - Float → `float_value`, Double → `double_value`, Boolean → `boolean_value`
 * - String, Text, UUID → `string_value`; Bytes, File and every array type → `bytes_value`
 *
 * Decoding is lenient about *where* a number arrives (int or long field, float or double field) but strict about its
 * range: a value that does not fit its datatype is an error, never silently truncated.
 */
import { isArrayType, packArray, type Result, unpackArray } from './array-codec.js';
import { DataType, type SpbValue } from './types.js';

export type WireScalar =
  | { field: 'int_value'; value: number }
  | { field: 'long_value'; value: bigint }
  | { field: 'float_value'; value: number }
  | { field: 'double_value'; value: number }
  | { field: 'boolean_value'; value: boolean }
  | { field: 'string_value'; value: string }
  | { field: 'bytes_value'; value: Uint8Array };

const TWO_32 = 4294967296;
const SIGNED_BITS: Partial<Record<number, number>> = {
  [DataType.Int8]: 8,
  [DataType.Int16]: 16,
  [DataType.Int32]: 32,
};
const UNSIGNED_MAX: Partial<Record<number, number>> = {
  [DataType.UInt8]: 255,
  [DataType.UInt16]: 65535,
  [DataType.UInt32]: TWO_32 - 1,
};

function asBigInt(x: unknown): bigint | undefined {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x);
  return undefined;
}

/** The wire field and value for one typed value; a reason when the value does not fit the datatype. */
export function toWire(datatype: number, value: unknown): Result<WireScalar> {
  const bad = (why: string): Result<WireScalar> => ({
    ok: false,
    reason: `${String(value)} (${typeof value}) is not a valid value for datatype ${datatype}: ${why}`,
  });
  const signedBits = SIGNED_BITS[datatype];
  if (signedBits !== undefined) {
    const b = asBigInt(value);
    const lim = 2n ** BigInt(signedBits - 1);
    if (b === undefined || b < -lim || b >= lim) return bad(`needs an integer in [-${lim}, ${lim})`);
    return { ok: true, value: { field: 'int_value', value: Number(BigInt.asUintN(32, b)) } };
  }
  const max = UNSIGNED_MAX[datatype];
  if (max !== undefined) {
    const b = asBigInt(value);
    if (b === undefined || b < 0n || b > BigInt(max)) return bad(`needs an integer in [0, ${max}]`);
    if (datatype === DataType.UInt32) return { ok: true, value: { field: 'long_value', value: b } };
    return { ok: true, value: { field: 'int_value', value: Number(b) } };
  }
  switch (datatype) {
    case DataType.Int64: {
      const b = asBigInt(value);
      if (b === undefined || b < -(2n ** 63n) || b >= 2n ** 63n) return bad('needs a 64-bit signed integer');
      return { ok: true, value: { field: 'long_value', value: BigInt.asUintN(64, b) } };
    }
    case DataType.UInt64: {
      const b = asBigInt(value);
      if (b === undefined || b < 0n || b >= 2n ** 64n) return bad('needs a 64-bit unsigned integer');
      return { ok: true, value: { field: 'long_value', value: b } };
    }
    case DataType.DateTime: {
      const b = asBigInt(value);
      if (b === undefined || b < 0n) return bad('needs ms since epoch as a non-negative safe integer');
      return { ok: true, value: { field: 'long_value', value: b } };
    }
    case DataType.Float:
      return typeof value === 'number'
        ? { ok: true, value: { field: 'float_value', value } }
        : bad('needs a number');
    case DataType.Double:
      return typeof value === 'number'
        ? { ok: true, value: { field: 'double_value', value } }
        : bad('needs a number');
    case DataType.Boolean:
      return typeof value === 'boolean'
        ? { ok: true, value: { field: 'boolean_value', value } }
        : bad('needs a boolean');
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      return typeof value === 'string'
        ? { ok: true, value: { field: 'string_value', value } }
        : bad('needs a string');
    case DataType.Bytes:
    case DataType.File:
      return value instanceof Uint8Array
        ? { ok: true, value: { field: 'bytes_value', value } }
        : bad('needs a Uint8Array');
  }
  if (isArrayType(datatype)) {
    const packed = packArray(datatype, value);
    return packed.ok
      ? { ok: true, value: { field: 'bytes_value', value: packed.value } }
      : bad(packed.reason);
  }
  return bad('not a scalar or array datatype');
}

/**
 * What `retypeValue` makes of the number `v` for a floating-point datatype (`v` itself) or an integer one of up to
 * 32 bits (Int8/16/32: in range, or zero- or sign-extended from the wire; UInt8/16/32: in range), without its
 * result object or BigInt: the common DATA values on the ingester's hot path. Undefined: any other case, which
 * `retypeValue` decides.
 */
export function numberFor(v: number, datatype: number): number | undefined {
  if (datatype === DataType.Double || datatype === DataType.Float) return v;
  if (!Number.isInteger(v)) return undefined;
  const bits = SIGNED_BITS[datatype];
  if (bits !== undefined) {
    const half = 2 ** (bits - 1);
    if (v >= -half && v < half) return v + 0; // + 0: -0 becomes 0, as through BigInt
    if (v >= half && v < 2 * half) return v - 2 * half; // zero-extended on the wire
    if (v >= TWO_32 - half && v < TWO_32) return v - TWO_32; // sign-extended
    return undefined;
  }
  const max = UNSIGNED_MAX[datatype];
  return max !== undefined && v >= 0 && v <= max ? v + 0 : undefined;
}

/**
 * Turns a value as it came off the wire (or an already typed value: the function is idempotent) into the typed form
 * for `datatype`. Hosts call this for DATA metrics, which carry no datatype, with the datatype from the birth.
 * Datatypes we do not know are passed through unchanged.
 */
export function retypeValue(value: SpbValue, datatype: number): Result<SpbValue> {
  if (value === null) return { ok: true, value: null };
  const bad = (why: string): Result<SpbValue> => ({
    ok: false,
    reason: `${describe(value)} does not fit datatype ${datatype}: ${why}`,
  });
  const signedBits = SIGNED_BITS[datatype];
  if (signedBits !== undefined) {
    const b = asBigInt(value);
    if (b === undefined) return bad('not an integer');
    const half = 2n ** BigInt(signedBits - 1);
    if (b >= -half && b < half) return { ok: true, value: Number(b) };
    if (b >= half && b < 2n * half) return { ok: true, value: Number(b - 2n * half) }; // zero-extended on the wire
    if (b >= 2n ** 32n - half && b < 2n ** 32n) return { ok: true, value: Number(b - 2n ** 32n) }; // sign-extended
    return bad(`outside the ${signedBits}-bit range`);
  }
  const max = UNSIGNED_MAX[datatype];
  if (max !== undefined) {
    const b = asBigInt(value);
    if (b === undefined || b < 0n || b > BigInt(max)) return bad(`not an integer in [0, ${max}]`);
    return { ok: true, value: Number(b) };
  }
  switch (datatype) {
    case DataType.Int64: {
      const b = asBigInt(value);
      if (b === undefined || b < -(2n ** 63n) || b >= 2n ** 64n) return bad('not a 64-bit integer');
      return { ok: true, value: BigInt.asIntN(64, b) };
    }
    case DataType.UInt64: {
      const b = asBigInt(value);
      if (b === undefined || b < 0n || b >= 2n ** 64n) return bad('not a 64-bit unsigned integer');
      return { ok: true, value: b };
    }
    case DataType.DateTime: {
      const b = asBigInt(value);
      if (b === undefined || b < 0n || b > BigInt(Number.MAX_SAFE_INTEGER))
        return bad('not a ms timestamp below 2^53');
      return { ok: true, value: Number(b) };
    }
    case DataType.Float:
    case DataType.Double:
      return typeof value === 'number' ? { ok: true, value } : bad('not a number');
    case DataType.Boolean:
      return typeof value === 'boolean' ? { ok: true, value } : bad('not a boolean');
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      return typeof value === 'string' ? { ok: true, value } : bad('not a string');
    case DataType.Bytes:
    case DataType.File:
      return value instanceof Uint8Array ? { ok: true, value } : bad('not bytes');
  }
  if (isArrayType(datatype)) {
    if (Array.isArray(value)) return { ok: true, value };
    if (!(value instanceof Uint8Array)) return bad('an array datatype arrives as bytes');
    const unpacked = unpackArray(datatype, value);
    return unpacked.ok ? { ok: true, value: unpacked.value } : bad(unpacked.reason);
  }
  return { ok: true, value };
}

function describe(value: SpbValue): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${String(value)} (${typeof value})`;
}
