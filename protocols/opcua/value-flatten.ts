/**
 * OPC UA Variant → metric values. Pure: works on the shape node-opcua produces (duck-typed), imports no node-opcua.
 *
 * - scalars keep their built-in type (see data-types.ts); Int64/UInt64 become bigint, DateTime epoch ms;
 * - arrays (and matrices, row-major) become indexed metrics `name_0`, `name_1`, …;
 * - structures (ExtensionObject) become one metric per field `name_field[_sub…]` (`flatten`) or a single JSON
 *   string metric `name` (`json`).
 * Problems (a field name that cannot become a metric name) are returned as values: the caller counts and logs them.
 */
import type { MetricKind } from '../metric.js';
import { METRIC_NAME_PATTERN, type SampleValue } from '../sample.js';
import { BuiltinType, builtinTypeId, kindOfBuiltin } from './data-types.js';

export interface VariantLike {
  dataType: number;
  /** 0 scalar, 1 array, 2 matrix */
  arrayType?: number;
  value: unknown;
}

export interface FlatField {
  name: string;
  kind: MetricKind;
  value: SampleValue;
}

export interface FlattenResult {
  fields: FlatField[];
  problems: string[];
}

export type StructureMode = 'flatten' | 'json';

/** The ExtensionObject shape we rely on: node-opcua structures carry a schema with typed fields. */
interface StructureLike {
  schema?: { fields?: readonly FieldLike[] };
  [key: string]: unknown;
}
interface FieldLike {
  name: string;
  fieldType: string;
  isArray?: boolean;
  category?: string;
}

/** Dates at or before OPC UA's MinDateTime (1601-01-01) mean "not set". */
const OPCUA_MIN_DATE_MS = -11_644_473_600_000;

export function flattenVariant(name: string, v: VariantLike, mode: StructureMode = 'flatten'): FlattenResult {
  const out: FlattenResult = { fields: [], problems: [] };
  const isArray = (v.arrayType ?? 0) !== 0;
  if (isArray) {
    const items = toArray(v.value);
    items.forEach((item, i) => {
      addValue(out, `${name}_${i}`, v.dataType, item, mode);
    });
    return out;
  }
  addValue(out, name, v.dataType, v.value, mode);
  return out;
}

function addValue(out: FlattenResult, name: string, typeId: number, raw: unknown, mode: StructureMode): void {
  if (typeId === BuiltinType.ExtensionObject || typeId === BuiltinType.Variant) {
    if (raw !== null && typeof raw === 'object' && !(raw instanceof Date) && mode === 'flatten') {
      if (typeId === BuiltinType.Variant && isVariantLike(raw)) {
        addValue(out, name, raw.dataType, raw.value, mode);
        return;
      }
      flattenStructure(out, name, raw as StructureLike);
      return;
    }
    push(out, name, 'string', raw === null || raw === undefined ? null : toJson(raw));
    return;
  }
  push(out, name, kindOfBuiltin(typeId), scalarValue(typeId, raw));
}

function flattenStructure(out: FlattenResult, name: string, obj: StructureLike): void {
  const fields = obj.schema?.fields;
  if (obj.buffer instanceof Uint8Array && fields === undefined) {
    // an OpaqueStructure: the server's DataTypeDefinition was not available, only the encoded bytes
    out.problems.push(`${name}: structure of an unknown data type kept as base64 (no DataTypeDefinition)`);
    push(out, name, 'string', Buffer.from(obj.buffer).toString('base64'));
    return;
  }
  if (fields === undefined) {
    for (const [key, value] of Object.entries(obj)) flattenUntyped(out, `${name}_${key}`, value);
    return;
  }
  for (const f of fields) {
    const fieldName = `${name}_${sanitise(f.name)}`;
    const value = obj[lowerFirst(f.name)] ?? obj[f.name];
    const values = f.isArray ? toArray(value) : [value];
    values.forEach((item, i) => {
      const n = f.isArray ? `${fieldName}_${i}` : fieldName;
      if (f.category === 'enumeration') {
        push(out, n, 'int32', typeof item === 'number' ? item : null);
        return;
      }
      const id = builtinTypeId(f.fieldType);
      if (id === undefined) {
        if (item !== null && typeof item === 'object') flattenStructure(out, n, item as StructureLike);
        else flattenUntyped(out, n, item);
        return;
      }
      addValue(out, n, id, item, 'flatten');
    });
  }
}

/** A structure without a schema (decoded dynamically): best effort from the JavaScript types. */
function flattenUntyped(out: FlattenResult, name: string, value: unknown): void {
  const field = untypedField(value);
  if (field !== undefined) {
    push(out, name, field.kind, field.value);
    return;
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) flattenUntyped(out, `${name}_${key}`, v);
}

function untypedField(value: unknown): { kind: MetricKind; value: SampleValue } | undefined {
  if (value === null || value === undefined) return { kind: 'string', value: null };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (typeof value === 'number') return { kind: 'double', value };
  if (typeof value === 'bigint') return { kind: 'int64', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (value instanceof Date) return { kind: 'datetime', value: dateMs(value) };
  if (value instanceof Uint8Array) return { kind: 'string', value: Buffer.from(value).toString('base64') };
  if (typeof value === 'object' && !Array.isArray(value) && 'text' in value) {
    const text = (value as { text: unknown }).text;
    return { kind: 'string', value: typeof text === 'string' ? text : null };
  }
  if (typeof value !== 'object') return { kind: 'string', value: String(value) };
  return undefined;
}

function push(out: FlattenResult, name: string, kind: MetricKind, value: SampleValue): void {
  if (!METRIC_NAME_PATTERN.test(name)) {
    out.problems.push(`metric name ${JSON.stringify(name)} is not [A-Za-z0-9_]{1,64}: value dropped`);
    return;
  }
  out.fields.push({ name, kind, value });
}

/** One scalar of a built-in type → the Sample value. */
export function scalarValue(typeId: number, raw: unknown): SampleValue {
  if (raw === null || raw === undefined) return null;
  switch (typeId) {
    case BuiltinType.Boolean:
      return Boolean(raw);
    case BuiltinType.SByte:
    case BuiltinType.Byte:
    case BuiltinType.Int16:
    case BuiltinType.UInt16:
    case BuiltinType.Int32:
    case BuiltinType.UInt32:
    case BuiltinType.Float:
    case BuiltinType.Double:
      return typeof raw === 'number' ? raw : Number(raw);
    case BuiltinType.Int64:
      return int64(raw, true);
    case BuiltinType.UInt64:
      return int64(raw, false);
    case BuiltinType.DateTime:
      return raw instanceof Date ? dateMs(raw) : null;
    case BuiltinType.ByteString:
      return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : String(raw);
    case BuiltinType.StatusCode:
      return typeof raw === 'object' && 'value' in raw
        ? Number((raw as { value: unknown }).value)
        : Number(raw);
    case BuiltinType.LocalizedText:
      return typeof raw === 'object' && 'text' in raw
        ? ((raw as { text: string | null }).text ?? null)
        : String(raw);
    case BuiltinType.String:
    case BuiltinType.Guid:
    case BuiltinType.XmlElement:
    case BuiltinType.NodeId:
    case BuiltinType.ExpandedNodeId:
    case BuiltinType.QualifiedName:
      return typeof raw === 'string' ? raw : String(raw);
    default:
      return toJson(raw);
  }
}

/** node-opcua carries 64-bit integers as [high, low] 32-bit words. */
function int64(raw: unknown, signed: boolean): bigint | null {
  let v: bigint;
  if (typeof raw === 'bigint') v = raw;
  else if (typeof raw === 'number') v = BigInt(Math.trunc(raw));
  else if (Array.isArray(raw) && raw.length === 2) {
    v = (BigInt((raw[0] as number) >>> 0) << 32n) | BigInt((raw[1] as number) >>> 0);
  } else return null;
  return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
}

function dateMs(d: Date): number | null {
  const t = d.getTime();
  return Number.isNaN(t) || t <= OPCUA_MIN_DATE_MS ? null : t;
}

function toArray(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return Array.from(v as unknown as ArrayLike<unknown>);
  return [v];
}

function isVariantLike(v: object): v is VariantLike {
  return 'dataType' in v && 'value' in v && typeof (v as { dataType: unknown }).dataType === 'number';
}

export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null';
}

function sanitise(field: string): string {
  return field.replace(/[^A-Za-z0-9_]/g, '_');
}

function lowerFirst(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toLowerCase() + s.slice(1);
}

/** The metric kind of a configured item before connect, when the config does not state it. */
export const DEFAULT_KIND: MetricKind = 'double';
