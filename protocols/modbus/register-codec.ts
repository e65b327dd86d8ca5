/**
 * Register codecs: raw 16-bit registers ⇄ typed values, for every type and byte/word order of the point
 * vocabulary, and scale/offset (`raw * scale + offset`, protocols/point-scale.ts). Pure.
 */
import { PlantpulseError } from '../errors.js';
import type { MetricKind } from '../metric.js';
import { applyScale as applyPointScale } from '../point-scale.js';
import {
  effectiveType,
  isBitTable,
  isScaled,
  type ModbusByteOrder,
  type ModbusPointSpec,
  type ModbusValueType,
  pointWidth,
} from './point.js';

export type ModbusValue = number | boolean | string | bigint;

interface OrderFlags {
  /** registers reversed (CDAB, DCBA and their 64-bit forms) */
  wordSwap: boolean;
  /** the two bytes of each register swapped (BADC, DCBA and their 64-bit forms) */
  byteSwap: boolean;
}

const ORDERS: Record<ModbusByteOrder, OrderFlags> = {
  ABCD: { wordSwap: false, byteSwap: false },
  ABCDEFGH: { wordSwap: false, byteSwap: false },
  CDAB: { wordSwap: true, byteSwap: false },
  GHEFCDAB: { wordSwap: true, byteSwap: false },
  BADC: { wordSwap: false, byteSwap: true },
  BADCFEHG: { wordSwap: false, byteSwap: true },
  DCBA: { wordSwap: true, byteSwap: true },
  HGFEDCBA: { wordSwap: true, byteSwap: true },
};

function swapBytes(w: number): number {
  return ((w & 0xff) << 8) | ((w >> 8) & 0xff);
}

/** Big-endian bytes of the value → registers in wire order. */
function fromBigEndian(view: DataView, flags: OrderFlags): number[] {
  const count = view.byteLength / 2;
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const w = view.getUint16(i * 2);
    out[flags.wordSwap ? count - 1 - i : i] = flags.byteSwap ? swapBytes(w) : w;
  }
  return out;
}

function flagsOf(p: ModbusPointSpec): OrderFlags {
  return ORDERS[p.order ?? 'ABCD'];
}

/** Scratch space for the wide types: decoding is synchronous, so one buffer serves every call. */
const SCRATCH = new DataView(new ArrayBuffer(256));

/** Registers as they arrive on the wire → big-endian bytes of the value (ABCD…), in SCRATCH. */
function toBigEndian(words: ArrayLike<number>, start: number, count: number, flags: OrderFlags): DataView {
  for (let i = 0; i < count; i++) {
    const src = flags.wordSwap ? start + count - 1 - i : start + i;
    const w = (words[src] ?? 0) & 0xffff;
    SCRATCH.setUint16(i * 2, flags.byteSwap ? swapBytes(w) : w);
  }
  return SCRATCH;
}

/** One register in value order (byte swap applied). */
function word(words: ArrayLike<number>, i: number, flags: OrderFlags): number {
  const w = (words[i] ?? 0) & 0xffff;
  return flags.byteSwap ? swapBytes(w) : w;
}

/** The raw (unscaled) value of a register point from a block of registers, `offset` registers in. */
export function decodeRaw(p: ModbusPointSpec, words: ArrayLike<number>, offset: number): ModbusValue {
  const t = effectiveType(p);
  const flags = flagsOf(p);
  switch (t) {
    // the common narrow types without touching a DataView (the hot path of large polls)
    case 'bool':
      return (((words[offset] ?? 0) >> (p.bit ?? 0)) & 1) === 1;
    case 'uint16':
      return word(words, offset, flags);
    case 'int16':
      return (word(words, offset, flags) << 16) >> 16;
    case 'uint32':
    case 'int32': {
      const hi = word(words, flags.wordSwap ? offset + 1 : offset, flags);
      const lo = word(words, flags.wordSwap ? offset : offset + 1, flags);
      return t === 'uint32' ? hi * 0x10000 + lo : (hi << 16) | lo | 0;
    }
  }
  const v = toBigEndian(words, offset, pointWidth(p), flags);
  switch (t) {
    case 'float32':
      return v.getFloat32(0);
    case 'int64':
      return v.getBigInt64(0);
    case 'uint64':
      return v.getBigUint64(0);
    case 'float64':
      return v.getFloat64(0);
    case 'string':
      return decodeString(v, pointWidth(p) * 2);
  }
}

const LATIN1 = new TextDecoder('latin1');

/** Two characters per register, high byte first; ends at the first NUL; trailing spaces trimmed. */
function decodeString(v: DataView, byteLength: number): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, byteLength);
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return LATIN1.decode(bytes.subarray(0, end)).replace(/ +$/, '');
}

/** Applies scale and offset (protocols/point-scale.ts). Integers (bigint too) become floats only when scaled. */
export function applyScale(p: ModbusPointSpec, raw: ModbusValue): ModbusValue {
  return applyPointScale(p, raw);
}

/** Decodes a register point: raw value, then scale/offset. */
export function decodePoint(p: ModbusPointSpec, words: ArrayLike<number>, offset: number): ModbusValue {
  return applyScale(p, decodeRaw(p, words, offset));
}

/** Decodes a coil/discrete point from a block of bits. */
export function decodeBit(bits: ArrayLike<boolean>, offset: number): boolean {
  return bits[offset] === true;
}

/** A value that the point's type cannot hold (simulator profiles, tests). */
export class ModbusEncodeError extends PlantpulseError {
  constructor(message: string) {
    super('MODBUS_ENCODE', message);
  }
}

/** Inverse of applyScale: the raw value that decodes to `value` (rounded to the type). */
export function unscale(p: ModbusPointSpec, value: ModbusValue): ModbusValue {
  if (!isScaled(p) || typeof value === 'boolean' || typeof value === 'string') return value;
  const n = typeof value === 'bigint' ? Number(value) : value;
  const raw = (n - (p.offset ?? 0)) / (p.scale ?? 1);
  const t = effectiveType(p);
  if (t === 'float32' || t === 'float64') return raw;
  if (t === 'int64' || t === 'uint64') return BigInt(Math.round(raw));
  return Math.round(raw);
}

const INT_RANGES: Partial<Record<ModbusValueType, [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

/**
 * Encodes a raw (already unscaled) value into registers in wire order. A bool with `bit` is returned as a
 * one-register mask applied to `current` (the register's present content). Throws ModbusEncodeError on a value the
 * type cannot hold: the simulator's callers are tests and profiles, so a mistake there should be loud.
 */
export function encodeRaw(p: ModbusPointSpec, raw: ModbusValue, current = 0): number[] {
  const t = effectiveType(p);
  const flags = flagsOf(p);
  if (t === 'bool') {
    const bit = 1 << (p.bit ?? 0);
    return [raw === true || raw === 1 ? current | bit : current & ~bit & 0xffff];
  }
  const n = pointWidth(p);
  const view = new DataView(new ArrayBuffer(n * 2));
  if (t === 'string') {
    if (typeof raw !== 'string') throw new ModbusEncodeError(`${p.name}: string point needs a string`);
    for (let i = 0; i < Math.min(raw.length, n * 2); i++) view.setUint8(i, raw.charCodeAt(i) & 0xff);
    return fromBigEndian(view, flags);
  }
  if (t === 'int64' || t === 'uint64') {
    const b = typeof raw === 'bigint' ? raw : BigInt(Math.round(Number(raw)));
    if (t === 'int64') view.setBigInt64(0, BigInt.asIntN(64, b));
    else view.setBigUint64(0, BigInt.asUintN(64, b));
    return fromBigEndian(view, flags);
  }
  const num = typeof raw === 'bigint' ? Number(raw) : Number(raw);
  if (!Number.isFinite(num) && t !== 'float32' && t !== 'float64') {
    throw new ModbusEncodeError(`${p.name}: ${String(raw)} is not a number`);
  }
  const range = INT_RANGES[t];
  if (range && (num < range[0] || num > range[1])) {
    throw new ModbusEncodeError(`${p.name}: ${num} does not fit ${t}`);
  }
  switch (t) {
    case 'int16':
      view.setInt16(0, num);
      break;
    case 'uint16':
      view.setUint16(0, num);
      break;
    case 'int32':
      view.setInt32(0, num);
      break;
    case 'uint32':
      view.setUint32(0, num);
      break;
    case 'float32':
      view.setFloat32(0, num);
      break;
    case 'float64':
      view.setFloat64(0, num);
      break;
  }
  return fromBigEndian(view, flags);
}

/** Encodes an engineering value: unscale, then encodeRaw. */
export function encodePoint(p: ModbusPointSpec, value: ModbusValue, current = 0): number[] {
  return encodeRaw(p, unscale(p, value), current);
}

/** The metric kind a point reports (births, InfluxDB field types). Scaled numbers are doubles. */
export function metricKindOf(p: ModbusPointSpec): MetricKind {
  const t = effectiveType(p);
  if (isBitTable(p.table) || t === 'bool') return 'boolean';
  if (t === 'string') return 'string';
  if (isScaled(p)) return 'double';
  switch (t) {
    case 'float32':
      return 'float';
    case 'float64':
      return 'double';
    default:
      return t;
  }
}
