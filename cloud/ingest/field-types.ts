import type { Point } from '@influxdata/influxdb-client';
import { fieldTypeOfText } from '../../protocols/influx/line-protocol.js';

/** InfluxDB field types, as line protocol writes them. */
export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

/** The type of an escaped line-protocol field value (`Point.fields` holds those). */
export function fieldTypeOf(escaped: string): FieldType {
  return fieldTypeOfText(escaped);
}

/** What `checkField` says of one field value: store it as it is, store it coerced, or refuse it (the reason). */
export type FieldVerdict = undefined | { coerced: string } | { conflict: string };

const TYPES = new Set<string>(['float', 'integer', 'unsigned', 'string', 'boolean']);

export function isFieldType(s: string): s is FieldType {
  return TYPES.has(s);
}

/** Where the registry keeps what it learnt across restarts (the spool database). */
export interface FieldTypeStore {
  load(): [measurement: string, field: string, type: FieldType][];
  save(measurement: string, field: string, type: FieldType): void;
}

/** A field the registry took out of a point before it reached InfluxDB: dead-letter it with the reason. */
export interface FieldConflict {
  measurement: string;
  field: string;
  value: string;
  reason: string;
}

export interface FieldCheck {
  /** the point, possibly with fields coerced or removed; undefined when no field is left */
  point: Point | undefined;
  conflicts: FieldConflict[];
  /** integer values written as float because the field is a float field (lossless below 2^53) */
  coerced: number;
}

const SERVER_CONFLICT =
  /input field "((?:[^"\\]|\\.)*)" on measurement "((?:[^"\\]|\\.)*)" is type \w+, already exists as type (\w+)/;

/**
 * One type per (measurement, field), as InfluxDB enforces per shard: the first type seen wins, so a field that
 * changes type (a PLC tag re-declared, a string where a number was) is caught here instead of making InfluxDB refuse
 * (422) a whole batch. An integer for a float field is written as a float (lossless up to 2^53); any other
 * conflict takes the field out of the point and reports it. Seeded from `SHOW FIELD KEYS`, corrected from the
 * server's own conflict messages, and persisted through the store.
 */
export class FieldTypeRegistry {
  readonly #types = new Map<string, FieldType>();
  /** measurement → field → type: the hot path's lookup, without a key string per value */
  readonly #byMeasurement = new Map<string, Map<string, FieldType>>();
  readonly #store: FieldTypeStore | undefined;

  constructor(store?: FieldTypeStore) {
    this.#store = store;
    for (const [m, f, t] of store?.load() ?? []) this.#put(m, f, t);
  }

  get size(): number {
    return this.#types.size;
  }

  typeOf(measurement: string, field: string): FieldType | undefined {
    return this.#types.get(key(measurement, field));
  }

  /** What the server says a field is (seeding, or its conflict message): that wins over what was learnt. */
  set(measurement: string, field: string, type: FieldType): void {
    const k = key(measurement, field);
    if (this.#types.get(k) === type) return;
    this.#put(measurement, field, type);
    this.#store?.save(measurement, field, type);
  }

  #put(measurement: string, field: string, type: FieldType): void {
    this.#types.set(key(measurement, field), type);
    let m = this.#byMeasurement.get(measurement);
    if (m === undefined) {
      m = new Map();
      this.#byMeasurement.set(measurement, m);
    }
    m.set(field, type);
  }

  /**
   * Checks (and learns) one escaped field value: undefined to store it as it is, `coerced` for an integer written
   * into a float field (lossless below 2^53), `conflict` with the reason for any other type than the field's.
   */
  checkField(measurement: string, field: string, escaped: string): FieldVerdict {
    const got = fieldTypeOfText(escaped);
    const want = this.#byMeasurement.get(measurement)?.get(field);
    if (want === undefined) {
      this.#put(measurement, field, got);
      this.#store?.save(measurement, field, got);
      return undefined;
    }
    if (want === got) return undefined;
    if (want === 'float' && got === 'integer') {
      const digits = escaped.slice(0, -1);
      if (Number.isSafeInteger(Number(digits))) return { coerced: digits };
    }
    return {
      conflict: `field type conflict: "${field}" on "${measurement}" is ${got}, the field is ${want} (caught before InfluxDB)`,
    };
  }

  /** Learns from a server message `… input field "f" on measurement "m" is type x, already exists as type y`. */
  learnFromServer(reason: string): boolean {
    const m = SERVER_CONFLICT.exec(reason);
    const type = m?.[3];
    if (!m || type === undefined || !isFieldType(type)) return false;
    this.set(unescapeName(m[2] ?? ''), unescapeName(m[1] ?? ''), type);
    return true;
  }

  /** Checks (and learns) every field of the point. Mutates the point's fields when it coerces or removes one. */
  check(measurement: string, point: Point): FieldCheck {
    const conflicts: FieldConflict[] = [];
    let coerced = 0;
    for (const [field, escaped] of Object.entries(point.fields)) {
      const v = this.checkField(measurement, field, escaped);
      if (v === undefined) continue;
      if ('coerced' in v) {
        point.fields[field] = v.coerced;
        coerced++;
        continue;
      }
      delete point.fields[field];
      conflicts.push({ measurement, field, value: escaped, reason: v.conflict });
    }
    return { point: Object.keys(point.fields).length > 0 ? point : undefined, conflicts, coerced };
  }
}

function key(measurement: string, field: string): string {
  return `${measurement}\u0000${field}`;
}

function unescapeName(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
