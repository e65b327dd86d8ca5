/**
 * The vocabulary of an S7 point and its rules, shared by the agent (agent/sources/s7/spec.ts builds its schema from
 * these lists), the planner, the codec and the simulator. Pure.
 */
import type { MetricKind } from '../metric.js';
import { isScaled, type ScaledPoint } from '../point-scale.js';
import { parseS7Address, type S7Address, type SizeLetter } from './address.js';

/** The S7 elementary types the agent reads (STEP 7 names, lower case in configs). */
export const S7_TYPES = [
  'bool',
  'byte',
  'char',
  'word',
  'int',
  'dword',
  'dint',
  'real',
  'lreal',
  'string',
  'date_and_time',
] as const;
export type S7Type = (typeof S7_TYPES)[number];

/** Longest STRING: 254 characters after the 2-byte header (max length, current length). */
export const MAX_STRING_LENGTH = 254;

export interface S7PointSpec extends ScaledPoint {
  name: string;
  /** as written: DB1.DBD0, MW2, I0.1, T5 (protocols/s7/address.ts) */
  address: string;
  type?: S7Type;
  /** STRING[n]: the declared maximum length n (characters) */
  length?: number;
  unit?: string;
  /** report by exception (the agent's, not the codec's) */
  deadband?: number;
}

const FIXED_WIDTH: Record<Exclude<S7Type, 'string'>, number> = {
  bool: 1,
  byte: 1,
  char: 1,
  word: 2,
  int: 2,
  dword: 4,
  dint: 4,
  real: 4,
  lreal: 8,
  date_and_time: 8,
};

const LETTER_WIDTH: Record<Exclude<SizeLetter, 'X'>, number> = { B: 1, W: 2, D: 4 };
const LETTER_DEFAULT: Record<SizeLetter, S7Type> = { X: 'bool', B: 'byte', W: 'word', D: 'dword' };

/** The type a point has when `type` is omitted: bool for a bit, the size letter's unsigned type, word for T/C. */
export function effectiveS7Type(p: S7PointSpec, a: S7Address): S7Type | undefined {
  if (p.type !== undefined) return p.type;
  if (a.bit !== undefined) return 'bool';
  if (a.area === 'T' || a.area === 'C') return 'word';
  return a.size === undefined ? undefined : LETTER_DEFAULT[a.size];
}

/** Bytes the point occupies (STRING: the 2-byte header and its declared length). */
export function s7Width(type: S7Type, length: number | undefined): number {
  return type === 'string' ? 2 + (length ?? MAX_STRING_LENGTH) : FIXED_WIDTH[type];
}

/** A point the check accepted: its address parsed and its type known. */
export interface ResolvedS7Point<P extends S7PointSpec = S7PointSpec> {
  point: P;
  address: S7Address;
  type: S7Type;
  /** bytes (areas DB, M, I, Q) or timers/counters (T, C: 2 bytes each) */
  width: number;
}

export interface S7PointProblem {
  point: string;
  field: keyof S7PointSpec;
  message: string;
}

const NOT_NUMBERS: readonly S7Type[] = ['bool', 'char', 'string', 'date_and_time'];

/** Every problem of one point that a schema cannot express, or the point resolved. */
export function resolveS7Point<P extends S7PointSpec>(
  p: P,
): { ok: true; resolved: ResolvedS7Point<P> } | { ok: false; problems: S7PointProblem[] } {
  const problems: S7PointProblem[] = [];
  const problem = (field: S7PointProblem['field'], message: string) =>
    problems.push({ point: p.name, field, message });
  const parsed = parseS7Address(p.address);
  if (!parsed.ok)
    return { ok: false, problems: [{ point: p.name, field: 'address', message: parsed.message }] };
  const a = parsed.address;
  const type = effectiveS7Type(p, a);
  if (type === undefined) {
    problem(
      'type',
      `${p.address} names a byte without a size letter: give type (or write DBB/DBW/DBD, MB/MW/MD)`,
    );
    return { ok: false, problems };
  }
  if (a.area === 'T' || a.area === 'C') {
    if (type !== 'word')
      problem(
        'type',
        `${p.address} is a ${a.area === 'T' ? 'timer' : 'counter'}: its value is a word, not ${type}`,
      );
  } else if (type === 'bool' && a.bit === undefined) {
    problem('address', `bool needs a bit address, as in ${p.address}.0`);
  } else if (type !== 'bool' && a.bit !== undefined) {
    problem('type', `${p.address} is one bit: type must be bool, not ${type}`);
  } else if (a.size !== undefined && a.size !== 'X' && LETTER_WIDTH[a.size] !== s7Width(type, p.length)) {
    const width = s7Width(type, p.length);
    const hint =
      width === 1 || width === 2 || width === 4
        ? `use the ${width === 1 ? 'B' : width === 2 ? 'W' : 'D'} form`
        : 'write the byte without a size letter, as in DB1.8 or M8';
    problem(
      'address',
      `${p.address} is ${LETTER_WIDTH[a.size]} byte${LETTER_WIDTH[a.size] === 1 ? '' : 's'}, ${type} is ${width}: ${hint}`,
    );
  }
  if (type === 'string' && p.length === undefined)
    problem('length', 'type string needs length (STRING[n]: n)');
  if (p.length !== undefined && type !== 'string')
    problem('length', `length only applies to type string, not ${type}`);
  if (NOT_NUMBERS.includes(type)) {
    for (const k of ['scale', 'offset', 'deadband'] as const)
      if (p[k] !== undefined) problem(k, `${k} only applies to numbers, not ${type}`);
  }
  if (p.scale === 0) problem('scale', 'scale 0 would erase every reading');
  if (problems.length > 0) return { ok: false, problems };
  const width = a.area === 'T' || a.area === 'C' ? 1 : s7Width(type, p.length);
  return { ok: true, resolved: { point: p, address: a, type, width } };
}

/** The metric kind a point reports (births, InfluxDB field types). Scaled numbers are doubles. */
export function s7MetricKind(p: S7PointSpec, type: S7Type): MetricKind {
  if (type === 'bool') return 'boolean';
  if (type === 'string' || type === 'char') return 'string';
  if (type === 'date_and_time') return 'datetime';
  if (isScaled(p)) return 'double';
  const kinds: Record<Exclude<S7Type, 'bool' | 'string' | 'char' | 'date_and_time'>, MetricKind> = {
    byte: 'uint8',
    word: 'uint16',
    int: 'int16',
    dword: 'uint32',
    dint: 'int32',
    real: 'float',
    lreal: 'double',
  };
  return kinds[type];
}
