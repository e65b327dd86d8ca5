/**
 * Builds `Point`s of the official client from plain values, with every tag sanitised and every value checked, so
 * no caller concatenates line protocol by hand. Expected problems are values, not exceptions. Pure: no I/O.
 */
import { Point } from '@influxdata/influxdb-client';
import { keyProblem, sanitiseStringField, sanitiseTag } from './sanitise.js';

/** An integer field from a JS number (numbers are floats by default; bigints are always integers). */
export interface IntegerValue {
  int: number | bigint;
}

/** number → float, bigint or `{ int }` → integer, boolean → boolean, string → string (newline policy applied). */
export type FieldValue = number | bigint | boolean | string | IntegerValue;

export interface PointSpec {
  measurement: string;
  /** undefined or values that sanitise to nothing are omitted */
  tags?: Readonly<Record<string, string | undefined>>;
  /** undefined and null are omitted; at least one field must remain */
  fields: Readonly<Record<string, FieldValue | null | undefined>>;
  /** ms since epoch; write the point with precision `ms` */
  timestamp: number;
}

export type PointProblemCode =
  | 'BAD_MEASUREMENT'
  | 'BAD_KEY'
  | 'BAD_FIELD_VALUE'
  | 'INTEGER_OUT_OF_RANGE'
  | 'NO_FIELDS'
  | 'BAD_TIMESTAMP';

export type PointResult =
  | { ok: true; point: Point }
  | {
      ok: false;
      code: PointProblemCode;
      reason: string;
    };

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
/** InfluxDB's representable time range, in ms. */
export const MIN_TIME_MS = -9_223_372_036_854;
export const MAX_TIME_MS = 9_223_372_036_854;

const MEASUREMENT_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function fail(code: PointProblemCode, reason: string): PointResult {
  return { ok: false, code, reason };
}

/** Sets an integer field without going through `Point.intField` (which parses via Number and loses precision). */
function setIntegerField(point: Point, key: string, value: bigint): void {
  point.fields[key] = `${value}i`;
}

function addField(point: Point, key: string, value: FieldValue): PointResult | undefined {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value))
        return fail('BAD_FIELD_VALUE', `field ${key}: ${value} is not a finite number`);
      point.floatField(key, value);
      return undefined;
    case 'boolean':
      point.booleanField(key, value);
      return undefined;
    case 'string':
      point.stringField(key, sanitiseStringField(value));
      return undefined;
    case 'bigint':
      return addInteger(point, key, value);
    default: {
      const v = value.int;
      if (typeof v === 'number' && !Number.isInteger(v)) {
        return fail('BAD_FIELD_VALUE', `field ${key}: ${v} is not an integer`);
      }
      return addInteger(point, key, BigInt(v));
    }
  }
}

function addInteger(point: Point, key: string, v: bigint): PointResult | undefined {
  if (v < INT64_MIN || v > INT64_MAX) {
    return fail('INTEGER_OUT_OF_RANGE', `field ${key}: ${v} is outside InfluxDB's int64 range`);
  }
  setIntegerField(point, key, v);
  return undefined;
}

/** A sanitised, checked `Point`, or why there is none. */
export function buildPoint(spec: PointSpec): PointResult {
  if (!MEASUREMENT_PATTERN.test(spec.measurement)) {
    return fail(
      'BAD_MEASUREMENT',
      `measurement ${JSON.stringify(spec.measurement)} is not [A-Za-z_][A-Za-z0-9_]{0,63}`,
    );
  }
  if (!Number.isFinite(spec.timestamp) || spec.timestamp < MIN_TIME_MS || spec.timestamp > MAX_TIME_MS) {
    return fail('BAD_TIMESTAMP', `timestamp ${spec.timestamp} is outside InfluxDB's range`);
  }
  const point = new Point(spec.measurement).timestamp(Math.trunc(spec.timestamp));
  for (const [k, raw] of Object.entries(spec.tags ?? {})) {
    const problem = keyProblem(k);
    if (problem) return fail('BAD_KEY', `tag ${problem}`);
    const v = raw === undefined ? undefined : sanitiseTag(raw);
    if (v !== undefined) point.tag(k, v);
  }
  let fields = 0;
  for (const [k, v] of Object.entries(spec.fields)) {
    if (v === null || v === undefined) continue;
    const problem = keyProblem(k);
    if (problem) return fail('BAD_KEY', `field ${problem}`);
    if (Object.hasOwn(spec.tags ?? {}, k)) return fail('BAD_KEY', `${k} is both a tag and a field`);
    const failed = addField(point, k, v);
    if (failed) return failed;
    fields++;
  }
  if (fields === 0) return fail('NO_FIELDS', `a ${spec.measurement} point needs at least one field`);
  return { ok: true, point };
}
