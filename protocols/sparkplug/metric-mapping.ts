/**
 * Mapping between our wire-independent records (`MetricInfo`, `Sample`) and Sparkplug B metrics.
 *
 * Datatype: from `MetricInfo.kind` (see KIND_DATATYPE). Received `Text` and `UUID` map to kind `string`; arrays,
 * Bytes, DataSet and Template have no `Sample` form and are reported as problems by the host.
 *
 * Quality: the spec's metric property `Quality` (PropertyValue type Int32). Spec 3.0 defines 192 GOOD, 0 BAD and
 * 500 STALE; like Ignition and OPC DA we also use 64 for UNCERTAIN, since our samples have three qualities.
 * We send the property only when the quality is not good (the spec makes it optional for GOOD). On receipt the code
 * is read OPC DA style (bits 0xC0: 0xC0 good, 0x40 uncertain, 0x00 bad); 500 STALE reads as uncertain; no property
 * means good.
 *
 * Other birth properties (Ignition's names where one exists): `engUnit` (String) for `MetricInfo.unit`,
 * `description` (String), `derived` (Boolean, ours: computed at the edge by a virtual sensor).
 */
import type { MetricInfo, MetricKind } from '../metric.js';
import type { Quality, Sample, SampleValue } from '../sample.js';
import type { Result } from './array-codec.js';
import { DataType, type SpbMetric, type SpbProperty, type SpbValue } from './types.js';
import { numberFor, retypeValue, toWire } from './values.js';

export const KIND_DATATYPE = {
  boolean: DataType.Boolean,
  int8: DataType.Int8,
  int16: DataType.Int16,
  int32: DataType.Int32,
  int64: DataType.Int64,
  uint8: DataType.UInt8,
  uint16: DataType.UInt16,
  uint32: DataType.UInt32,
  uint64: DataType.UInt64,
  float: DataType.Float,
  double: DataType.Double,
  string: DataType.String,
  datetime: DataType.DateTime,
} as const satisfies Record<MetricKind, number>;

const DATATYPE_KIND = new Map<number, MetricKind>([
  ...(Object.entries(KIND_DATATYPE) as [MetricKind, number][]).map(([k, d]): [number, MetricKind] => [d, k]),
  [DataType.Text, 'string'],
  [DataType.UUID, 'string'],
]);

export function datatypeForKind(kind: MetricKind): number {
  return KIND_DATATYPE[kind];
}
/** The MetricKind a received datatype maps to; undefined for types a Sample cannot hold. */
export function kindForDatatype(datatype: number): MetricKind | undefined {
  return DATATYPE_KIND.get(datatype);
}

export const QUALITY_PROPERTY = 'Quality';
export const QUALITY_CODES = { good: 192, uncertain: 64, bad: 0 } as const satisfies Record<Quality, number>;
export const QUALITY_STALE = 500;
export const PROP_ENG_UNIT = 'engUnit';
export const PROP_DESCRIPTION = 'description';
export const PROP_DERIVED = 'derived';

export function qualityFromCode(code: number): Quality {
  if (code === QUALITY_STALE) return 'uncertain';
  const bits = code & 0xc0;
  return bits === 0xc0 ? 'good' : bits === 0x40 ? 'uncertain' : 'bad';
}

/** The quality a received metric carries: its `Quality` property, else good. */
export function qualityOf(m: SpbMetric): Quality {
  const p = m.properties?.find((x) => x.key === QUALITY_PROPERTY);
  if (!p) return 'good';
  if (typeof p.value === 'number') return qualityFromCode(p.value);
  if (typeof p.value === 'bigint') return qualityFromCode(Number(BigInt.asIntN(32, p.value)));
  return 'bad';
}

function qualityProperty(q: Quality): SpbProperty {
  return { key: QUALITY_PROPERTY, type: DataType.Int32, value: QUALITY_CODES[q] };
}

/** A `Sample` value as a Sparkplug value for `datatype`; a reason when it does not fit. */
export function sampleValueFor(datatype: number, value: SampleValue): Result<SpbValue> {
  if (value === null) return { ok: true, value: null };
  const w = toWire(datatype, value);
  return w.ok ? { ok: true, value } : w;
}

export interface SampleMetricOptions {
  datatype: number;
  alias?: bigint;
  /** births and alias-less publishers set it; DATA with aliases leaves it out */
  name?: string;
  /** default true; false keeps the datatype off the wire (DATA: the host knows it from the birth) */
  sendDatatype?: boolean;
  historical?: boolean;
}

/** A Sample as a Sparkplug metric. Null values go as `is_null`; non-good quality adds the `Quality` property. */
export function sampleToMetric(s: Sample, o: SampleMetricOptions): Result<SpbMetric> {
  const v = sampleValueFor(o.datatype, s.value);
  if (!v.ok) return { ok: false, reason: `${s.device}/${s.metric}: ${v.reason}` };
  const m: SpbMetric = { timestamp: s.timestamp, datatype: o.datatype, value: v.value };
  if (o.name !== undefined) m.name = o.name;
  if (o.alias !== undefined) m.alias = o.alias;
  if (o.sendDatatype === false) m.sendDatatype = false;
  if (v.value === null) m.isNull = true;
  if (o.historical || s.historical) m.isHistorical = true;
  if (s.quality !== 'good') m.properties = [qualityProperty(s.quality)];
  return { ok: true, value: m };
}

/**
 * The birth form of a metric: name, alias, datatype, properties and the last known value (or `is_null` when none is
 * known yet, with the `now` timestamp).
 */
export function birthMetric(
  info: MetricInfo,
  alias: bigint,
  last: Sample | undefined,
  now: number,
): SpbMetric {
  const datatype = datatypeForKind(info.kind);
  const props: SpbProperty[] = [];
  if (info.unit !== undefined) props.push({ key: PROP_ENG_UNIT, type: DataType.String, value: info.unit });
  if (info.description !== undefined) {
    props.push({ key: PROP_DESCRIPTION, type: DataType.String, value: info.description });
  }
  if (info.derived !== undefined)
    props.push({ key: PROP_DERIVED, type: DataType.Boolean, value: info.derived });
  const known = last ? sampleValueFor(datatype, last.value) : undefined;
  const m: SpbMetric = { name: info.name, alias, datatype, timestamp: last?.timestamp ?? now, value: null };
  if (last && known?.ok && known.value !== null) {
    m.value = known.value;
    if (last.quality !== 'good') props.push(qualityProperty(last.quality));
  } else {
    m.isNull = true;
    if (last) props.push(qualityProperty(last.quality === 'good' ? 'bad' : last.quality));
  }
  if (props.length > 0) m.properties = props;
  return m;
}

/** What a birth metric says about a metric, as a MetricInfo; a reason for datatypes a Sample cannot hold. */
export function metricInfoFromBirth(m: SpbMetric): Result<MetricInfo> {
  if (m.name === undefined) return { ok: false, reason: 'birth metric without a name' };
  if (m.datatype === undefined) return { ok: false, reason: `birth metric ${m.name} without a datatype` };
  const kind = kindForDatatype(m.datatype);
  if (!kind) return { ok: false, reason: `metric ${m.name}: datatype ${m.datatype} has no Sample form` };
  const info: MetricInfo = { name: m.name, kind };
  for (const p of m.properties ?? []) {
    if (p.key === PROP_ENG_UNIT && typeof p.value === 'string') info.unit = p.value;
    else if (p.key === PROP_DESCRIPTION && typeof p.value === 'string') info.description = p.value;
    else if (p.key === PROP_DERIVED && typeof p.value === 'boolean') info.derived = p.value;
  }
  return { ok: true, value: info };
}

/** A received value as a Sample value for `datatype` (typing wire forms first); a reason when it has no Sample form. */
export function sampleValueFromMetric(value: SpbValue, datatype: number): Result<SampleValue> {
  // most DATA values: a number of a floating-point or small integer metric (the ingester's hot path)
  if (typeof value === 'number') {
    const n = numberFor(value, datatype);
    if (n !== undefined) return { ok: true, value: n };
  }
  if (kindForDatatype(datatype) === undefined)
    return { ok: false, reason: `datatype ${datatype} has no Sample form` };
  const r = retypeValue(value, datatype);
  if (!r.ok) return r;
  const v = r.value;
  if (
    v === null ||
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    typeof v === 'boolean' ||
    typeof v === 'string'
  ) {
    return { ok: true, value: v };
  }
  return { ok: false, reason: `datatype ${datatype} value has no Sample form` };
}
