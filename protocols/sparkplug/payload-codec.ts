/**
 * Sparkplug B payload ⇄ bytes. `encodePayload` throws `SparkplugEncodeError` only for values that do not fit their
 * declared datatype (a caller bug); `decodePayload` never throws anything but `SparkplugDecodeError`, whatever the
 * bytes. The protobuf types are built once, at module load, from the embedded schema (schema-text.ts).
 */
import protobuf from 'protobufjs';
import { SparkplugDecodeError, SparkplugEncodeError } from './errors.js';
import { readPayloadFast } from './payload-reader.js';
import { SPARKPLUG_B_PROTO } from './schema-text.js';
import {
  DataType,
  type SpbDataSet,
  type SpbMetaData,
  type SpbMetric,
  type SpbPayload,
  type SpbProperty,
  type SpbPropertyValue,
  type SpbScalar,
  type SpbTemplate,
  type SpbTemplateParameter,
  type SpbValue,
} from './types.js';
import { retypeValue, toWire, type WireScalar } from './values.js';

const root = protobuf.parse(SPARKPLUG_B_PROTO, { keepCase: true }).root;
const PayloadType = root.lookupType('org.eclipse.tahu.protobuf.Payload');

type Obj = Record<string, unknown>;
type LongLike = { low: number; high: number; unsigned: boolean };

// ---------------------------------------------------------------- 64-bit helpers

function toLong(b: bigint): LongLike {
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true };
}
function fromLong(x: unknown): bigint {
  if (typeof x === 'number') return BigInt(x);
  if (typeof x === 'bigint') return x;
  const l = x as { low: number; high: number };
  return (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
}
function has(m: Obj, key: string): boolean {
  return Object.hasOwn(m, key) && m[key] !== undefined && m[key] !== null;
}
function longToNumber(x: unknown, what: string): number {
  const b = fromLong(x);
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new SparkplugDecodeError(`${what} ${b} is beyond 2^53`);
  return Number(b);
}

// ---------------------------------------------------------------- encode

function wireField(w: WireScalar): [string, unknown] {
  return [w.field, w.field === 'long_value' ? toLong(w.value) : w.value];
}

function encodeScalarInto(target: Obj, datatype: number, value: unknown, where: string): void {
  const w = toWire(datatype, value);
  if (!w.ok) throw new SparkplugEncodeError(`${where}: ${w.reason}`);
  const [k, v] = wireField(w.value);
  target[k] = v;
}

function encodeProperties(props: SpbProperty[], where: string): Obj {
  return {
    keys: props.map((p) => p.key),
    values: props.map((p) => encodePropertyValue(p, `${where}.${p.key}`)),
  };
}

function encodePropertyValue(p: SpbProperty, where: string): Obj {
  const out: Obj = { type: p.type };
  if (p.value === null) {
    out['is_null'] = true;
  } else if (p.type === DataType.PropertySet) {
    out['propertyset_value'] = encodeProperties(p.value as SpbProperty[], where);
  } else if (p.type === DataType.PropertySetList) {
    out['propertysets_value'] = {
      propertyset: (p.value as SpbProperty[][]).map((s, i) => encodeProperties(s, `${where}[${i}]`)),
    };
  } else {
    encodeScalarInto(out, p.type, p.value, where);
    if ('bytes_value' in out)
      throw new SparkplugEncodeError(`${where}: a property cannot hold datatype ${p.type}`);
  }
  return out;
}

function encodeDataSet(d: SpbDataSet, where: string): Obj {
  if (d.types.length !== d.columns.length) {
    throw new SparkplugEncodeError(`${where}: ${d.columns.length} columns but ${d.types.length} types`);
  }
  return {
    num_of_columns: toLong(BigInt(d.columns.length)),
    columns: d.columns,
    types: d.types,
    rows: d.rows.map((row, r) => {
      if (row.length !== d.types.length)
        throw new SparkplugEncodeError(`${where}: row ${r} has ${row.length} cells`);
      return {
        elements: row.map((cell, c) => {
          const el: Obj = {};
          if (cell !== null) encodeScalarInto(el, d.types[c] ?? 0, cell, `${where}[${r}][${c}]`);
          return el;
        }),
      };
    }),
  };
}

function encodeTemplate(t: SpbTemplate, where: string): Obj {
  const out: Obj = {
    metrics: t.metrics.map((m, i) => encodeMetric(m, `${where}.metrics[${i}]`)),
    parameters: t.parameters.map((p) => {
      const po: Obj = { name: p.name, type: p.type };
      if (p.value !== null) encodeScalarInto(po, p.type, p.value, `${where}.${p.name}`);
      return po;
    }),
  };
  if (t.version !== undefined) out['version'] = t.version;
  if (t.templateRef !== undefined) out['template_ref'] = t.templateRef;
  if (t.isDefinition !== undefined) out['is_definition'] = t.isDefinition;
  return out;
}

function encodeMetaData(md: SpbMetaData): Obj {
  const out: Obj = {};
  if (md.isMultiPart !== undefined) out['is_multi_part'] = md.isMultiPart;
  if (md.contentType !== undefined) out['content_type'] = md.contentType;
  if (md.size !== undefined) out['size'] = toLong(md.size);
  if (md.seq !== undefined) out['seq'] = toLong(md.seq);
  if (md.fileName !== undefined) out['file_name'] = md.fileName;
  if (md.fileType !== undefined) out['file_type'] = md.fileType;
  if (md.md5 !== undefined) out['md5'] = md.md5;
  if (md.description !== undefined) out['description'] = md.description;
  return out;
}

function encodeMetric(m: SpbMetric, where: string): Obj {
  const name = m.name ?? (m.alias !== undefined ? `alias ${m.alias}` : '?');
  const at = `${where} (${name})`;
  const out: Obj = {};
  if (m.name !== undefined) out['name'] = m.name;
  if (m.alias !== undefined) out['alias'] = toLong(m.alias);
  if (m.timestamp !== undefined) out['timestamp'] = toLong(BigInt(m.timestamp));
  if (m.datatype !== undefined && m.sendDatatype !== false) out['datatype'] = m.datatype;
  if (m.isHistorical !== undefined) out['is_historical'] = m.isHistorical;
  if (m.isTransient !== undefined) out['is_transient'] = m.isTransient;
  if (m.metadata !== undefined) out['metadata'] = encodeMetaData(m.metadata);
  if (m.properties !== undefined) out['properties'] = encodeProperties(m.properties, `${at}.properties`);
  if (m.isNull === true || m.value === null) {
    out['is_null'] = true;
    return out;
  }
  if (m.isNull === false) out['is_null'] = false;
  if (m.datatype === undefined)
    throw new SparkplugEncodeError(`${at}: a value needs a datatype to be encoded`);
  if (m.datatype === DataType.DataSet) out['dataset_value'] = encodeDataSet(m.value as SpbDataSet, at);
  else if (m.datatype === DataType.Template)
    out['template_value'] = encodeTemplate(m.value as SpbTemplate, at);
  else encodeScalarInto(out, m.datatype, m.value, at);
  return out;
}

/** Encodes a payload. Integral `number`s are accepted for 64-bit types; a value outside its datatype throws. */
export function encodePayload(p: SpbPayload): Uint8Array {
  const out: Obj = { metrics: p.metrics.map((m, i) => encodeMetric(m, `metrics[${i}]`)) };
  if (p.timestamp !== undefined) out['timestamp'] = toLong(BigInt(p.timestamp));
  if (p.seq !== undefined) out['seq'] = toLong(BigInt(p.seq));
  if (p.uuid !== undefined) out['uuid'] = p.uuid;
  if (p.body !== undefined) out['body'] = p.body;
  return PayloadType.encode(out).finish();
}

// ---------------------------------------------------------------- decode

/** The value of whichever oneof field is set, in its natural (untyped) form. */
function naturalScalar(m: Obj): SpbScalar | Uint8Array | null {
  if (has(m, 'int_value')) return (m['int_value'] as number) >>> 0;
  if (has(m, 'long_value')) return fromLong(m['long_value']);
  if (has(m, 'float_value')) return m['float_value'] as number;
  if (has(m, 'double_value')) return m['double_value'] as number;
  if (has(m, 'boolean_value')) return m['boolean_value'] as boolean;
  if (has(m, 'string_value')) return m['string_value'] as string;
  if (has(m, 'bytes_value')) return new Uint8Array(m['bytes_value'] as Uint8Array);
  return null;
}

function typed<T extends SpbValue>(value: T, datatype: number, where: string): T {
  const r = retypeValue(value, datatype);
  if (!r.ok) throw new SparkplugDecodeError(`${where}: ${r.reason}`);
  return r.value as T;
}

function decodeProperties(ps: Obj, where: string): SpbProperty[] {
  const keys = (ps['keys'] as string[] | undefined) ?? [];
  const values = (ps['values'] as Obj[] | undefined) ?? [];
  if (keys.length !== values.length) {
    throw new SparkplugDecodeError(
      `${where}: PropertySet has ${keys.length} keys but ${values.length} values`,
    );
  }
  return keys.map((key, i) => {
    const pv = values[i] as Obj;
    const type = has(pv, 'type') ? (pv['type'] as number) : DataType.Unknown;
    let value: SpbPropertyValue;
    if (pv['is_null'] === true) value = null;
    else if (has(pv, 'propertyset_value'))
      value = decodeProperties(pv['propertyset_value'] as Obj, `${where}.${key}`);
    else if (has(pv, 'propertysets_value')) {
      const list = ((pv['propertysets_value'] as Obj)['propertyset'] as Obj[] | undefined) ?? [];
      value = list.map((s, j) => decodeProperties(s, `${where}.${key}[${j}]`));
    } else {
      const raw = naturalScalar(pv);
      if (raw instanceof Uint8Array) throw new SparkplugDecodeError(`${where}.${key}: bytes in a property`);
      value = raw === null ? null : (typed(raw, type, `${where}.${key}`) as SpbScalar);
    }
    return { key, type, value };
  });
}

function decodeDataSet(d: Obj, where: string): SpbDataSet {
  const columns = (d['columns'] as string[] | undefined) ?? [];
  const types = (d['types'] as number[] | undefined) ?? [];
  const rows = ((d['rows'] as Obj[] | undefined) ?? []).map((row, r) =>
    ((row['elements'] as Obj[] | undefined) ?? []).map((el, c) => {
      const raw = naturalScalar(el);
      if (raw instanceof Uint8Array)
        throw new SparkplugDecodeError(`${where}[${r}][${c}]: bytes in a DataSet`);
      return raw === null
        ? null
        : (typed(raw, types[c] ?? DataType.Unknown, `${where}[${r}][${c}]`) as SpbScalar);
    }),
  );
  return { columns, types, rows };
}

function decodeTemplate(t: Obj, where: string): SpbTemplate {
  const out: SpbTemplate = {
    metrics: ((t['metrics'] as Obj[] | undefined) ?? []).map((m, i) =>
      decodeMetric(m, `${where}.metrics[${i}]`),
    ),
    parameters: ((t['parameters'] as Obj[] | undefined) ?? []).map((p): SpbTemplateParameter => {
      const type = has(p, 'type') ? (p['type'] as number) : DataType.Unknown;
      const name = has(p, 'name') ? (p['name'] as string) : '';
      const raw = naturalScalar(p);
      if (raw instanceof Uint8Array) throw new SparkplugDecodeError(`${where}.${name}: bytes in a parameter`);
      return { name, type, value: raw === null ? null : (typed(raw, type, `${where}.${name}`) as SpbScalar) };
    }),
  };
  if (has(t, 'version')) out.version = t['version'] as string;
  if (has(t, 'template_ref')) out.templateRef = t['template_ref'] as string;
  if (has(t, 'is_definition')) out.isDefinition = t['is_definition'] as boolean;
  return out;
}

function decodeMetaData(md: Obj): SpbMetaData {
  const out: SpbMetaData = {};
  if (has(md, 'is_multi_part')) out.isMultiPart = md['is_multi_part'] as boolean;
  if (has(md, 'content_type')) out.contentType = md['content_type'] as string;
  if (has(md, 'size')) out.size = fromLong(md['size']);
  if (has(md, 'seq')) out.seq = fromLong(md['seq']);
  if (has(md, 'file_name')) out.fileName = md['file_name'] as string;
  if (has(md, 'file_type')) out.fileType = md['file_type'] as string;
  if (has(md, 'md5')) out.md5 = md['md5'] as string;
  if (has(md, 'description')) out.description = md['description'] as string;
  return out;
}

function decodeMetric(m: Obj, where: string): SpbMetric {
  const out: SpbMetric = { value: null };
  if (has(m, 'name')) out.name = m['name'] as string;
  if (has(m, 'alias')) out.alias = fromLong(m['alias']);
  const at = `${where} (${out.name ?? (out.alias !== undefined ? `alias ${out.alias}` : '?')})`;
  if (has(m, 'timestamp')) out.timestamp = longToNumber(m['timestamp'], `${at}: timestamp`);
  if (has(m, 'datatype')) out.datatype = m['datatype'] as number;
  if (has(m, 'is_historical')) out.isHistorical = m['is_historical'] as boolean;
  if (has(m, 'is_transient')) out.isTransient = m['is_transient'] as boolean;
  if (has(m, 'is_null')) out.isNull = m['is_null'] as boolean;
  if (has(m, 'metadata')) out.metadata = decodeMetaData(m['metadata'] as Obj);
  if (has(m, 'properties')) out.properties = decodeProperties(m['properties'] as Obj, `${at}.properties`);
  if (out.isNull === true) return out;
  if (has(m, 'dataset_value')) out.value = decodeDataSet(m['dataset_value'] as Obj, at);
  else if (has(m, 'template_value')) out.value = decodeTemplate(m['template_value'] as Obj, at);
  else {
    const raw = naturalScalar(m);
    out.value = raw !== null && out.datatype !== undefined ? typed(raw, out.datatype, at) : raw;
  }
  return out;
}

/**
 * Decodes a Sparkplug B payload. Throws `SparkplugDecodeError` (code SPB_DECODE) and nothing else. Flat metrics (every
 * DATA message) take the fast reader (payload-reader.ts); what it does not take, protobufjs decodes.
 */
export function decodePayload(bytes: Uint8Array): SpbPayload {
  return readPayloadFast(bytes) ?? decodePayloadWithProtobufjs(bytes);
}

/** `decodePayload` through protobufjs alone: the fallback of the fast reader, and what its contract test compares with */
export function decodePayloadWithProtobufjs(bytes: Uint8Array): SpbPayload {
  try {
    const p = PayloadType.decode(bytes) as unknown as Obj;
    const out: SpbPayload = {
      metrics: ((p['metrics'] as Obj[] | undefined) ?? []).map((m, i) => decodeMetric(m, `metrics[${i}]`)),
    };
    if (has(p, 'timestamp')) out.timestamp = longToNumber(p['timestamp'], 'payload timestamp');
    if (has(p, 'seq')) out.seq = longToNumber(p['seq'], 'payload seq');
    if (has(p, 'uuid')) out.uuid = p['uuid'] as string;
    if (has(p, 'body')) out.body = new Uint8Array(p['body'] as Uint8Array);
    return out;
  } catch (err) {
    if (err instanceof SparkplugDecodeError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new SparkplugDecodeError(`not a Sparkplug B payload: ${why}`, { cause: err });
  }
}
