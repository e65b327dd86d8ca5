/**
 * Sparkplug B inputs for the fuzzer: valid payloads of every shape our agent and other edge nodes send (births
 * with every datatype, properties, device tags, DataSets, Templates; data by alias; deaths), random payloads
 * mutated at byte and protobuf level, and nesting chains (Templates, PropertySets, PropertySetLists) up to
 * 10,000 deep. Built once at module load from fixed values, so generation stays a pure function of the Rng.
 */
import {
  DataType,
  type DataTypeName,
  encodePayload,
  type SpbMetric,
  type SpbPayload,
} from '../../../protocols/sparkplug/index.js';
import { EVERY_DATATYPE } from '../../unit/sparkplug/every-datatype.js';
import { concat, mutate } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';
import {
  ld,
  mutateWire,
  nest,
  parseWire,
  str,
  tag,
  varint,
  vi,
  type Wrap,
  writeWire,
} from './protobuf-wire.js';

/** the corpus's time (2026-01-01): the ingest target's clock, so its accepted window never moves past it */
export const T0 = 1_767_225_600_000;

function birthMetrics(): SpbMetric[] {
  const ms: SpbMetric[] = EVERY_DATATYPE.map(([type, value], i) => ({
    name: `m_${type.toLowerCase()}_${i}`,
    alias: BigInt(i + 10),
    timestamp: T0 + i,
    datatype: DataType[type],
    value,
    properties: [
      { key: 'engUnit', type: DataType.String, value: 'kW' },
      { key: 'Quality', type: DataType.Int32, value: 192 },
    ],
  }));
  ms.push(
    { name: 'Properties/line', datatype: DataType.String, value: 'line3' },
    { name: 'Properties/site', datatype: DataType.String, value: 'not-allowed' },
    { name: 'null_metric', alias: 90n, datatype: DataType.Double, isNull: true, value: null },
    {
      name: 'table',
      alias: 91n,
      datatype: DataType.DataSet,
      value: {
        columns: ['a', 'b', 'c'],
        types: [DataType.Int32, DataType.String, DataType.Double],
        rows: [
          [1, 'x', 1.5],
          [null, 'y', -2],
        ],
      },
    },
    {
      name: 'motor',
      alias: 92n,
      datatype: DataType.Template,
      value: {
        version: '1',
        templateRef: 'Motor',
        isDefinition: false,
        parameters: [{ name: 'rated', type: DataType.Float, value: 7.5 }],
        metrics: [{ name: 'rpm', datatype: DataType.UInt32, value: 1450 }],
      },
    },
    {
      name: 'props',
      alias: 93n,
      datatype: DataType.Int32,
      value: 1,
      properties: [
        {
          key: 'nested',
          type: DataType.PropertySet,
          value: [{ key: 'inner', type: DataType.String, value: 'v' }],
        },
        {
          key: 'list',
          type: DataType.PropertySetList,
          value: [[{ key: 'a', type: DataType.Boolean, value: true }], []],
        },
      ],
    },
  );
  return ms;
}

const dataOf = (ms: SpbMetric[]): SpbMetric[] =>
  ms
    .filter((m) => m.alias !== undefined && !m.isNull && m.datatype !== undefined)
    .map(
      (m): SpbMetric => ({
        alias: m.alias ?? 0n,
        timestamp: T0 + 1000,
        datatype: m.datatype ?? DataType.Int32,
        sendDatatype: false,
        value: m.value,
      }),
    );

function corpusPayloads(): SpbPayload[] {
  const births = birthMetrics();
  return [
    {
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', datatype: DataType.Int64, value: 3n },
        { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false },
        { name: 'cpu', alias: 1n, datatype: DataType.Float, value: 0.25 },
      ],
    },
    { timestamp: T0, seq: 1, metrics: births },
    { timestamp: T0 + 1000, seq: 2, metrics: dataOf(births) },
    {
      timestamp: T0 + 2000,
      seq: 3,
      metrics: [{ alias: 10n, datatype: DataType.Int8, sendDatatype: false, isHistorical: true, value: -5 }],
    },
    { timestamp: T0 + 3000, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 3n }] },
    { timestamp: T0, metrics: [], uuid: 'u', body: new Uint8Array([1, 2, 3]) },
  ];
}

export const CORPUS: readonly Uint8Array[] = corpusPayloads().map(encodePayload);

/** Field numbers (sparkplug_b.proto): Payload.metrics 2; Metric.properties 9, dataset 17, template 18 … */
const METRIC = { name: 1, alias: 2, datatype: 4, properties: 9, template: 18, dataset: 17 } as const;

/**
 * A payload whose metric nests `depth` levels: Template in Metric in Template…, PropertySet in PropertyValue in
 * PropertySet…, or PropertySetList chains.
 */
type Nesting = 'template' | 'propertyset' | 'propertysets' | 'dataset';

export function nestedPayload(kind: Nesting, depth: number): Uint8Array {
  const m = nestedMetric(kind, depth);
  return concat(vi(1, T0), vi(3, 0), tag(2, 2), varint(BigInt(m.length)), m);
}

const nested = new Map<string, Uint8Array>();

/** The bytes of one Metric nesting `depth` levels (built once per kind and depth). */
function nestedMetric(kind: Nesting, depth: number): Uint8Array {
  const key = `${kind}:${depth}`;
  let m = nested.get(key);
  if (m === undefined) {
    m = buildNestedMetric(kind, depth);
    nested.set(key, m);
  }
  return m;
}

function buildNestedMetric(kind: Nesting, depth: number): Uint8Array {
  const head = (m: Uint8Array) => m;
  if (kind === 'dataset') {
    const rows = Array.from({ length: depth }, (_, r) => ld(4, ld(1, vi(1, r)), ld(1, str(6, 's'))));
    const ds = concat(
      vi(1, 3),
      str(2, 'a'),
      str(2, 'b'),
      vi(3, DataType.Int32),
      vi(3, DataType.String),
      ...rows,
    );
    return head(
      concat(str(METRIC.name, 'ds'), vi(METRIC.datatype, DataType.DataSet), ld(METRIC.dataset, ds)),
    );
  }
  const levels: Wrap[] = [];
  let leaf: Uint8Array;
  if (kind === 'template') {
    // Metric { name, datatype Template, template_value 18: Template { metrics 2: Metric … } }
    const metricHead = concat(str(METRIC.name, 't'), vi(METRIC.datatype, DataType.Template));
    for (let i = 0; i < depth; i++)
      levels.push({ head: metricHead, no: METRIC.template }, { head: new Uint8Array(), no: 2 });
    leaf = concat(str(METRIC.name, 'leaf'), vi(METRIC.datatype, DataType.Int32), vi(10, 1));
  } else {
    // PropertySet { keys 1, values 2: PropertyValue { type, propertyset_value 9 | propertysets_value 10 … } }
    const list = kind === 'propertysets';
    const valueHead = vi(1, list ? DataType.PropertySetList : DataType.PropertySet);
    for (let i = 0; i < depth; i++) {
      levels.push({ head: str(1, 'k'), no: 2 }, { head: valueHead, no: list ? 10 : 9 });
      if (list) levels.push({ head: new Uint8Array(), no: 1 });
    }
    leaf = concat(str(1, 'k'), ld(2, concat(vi(1, DataType.String), str(8, 'v'))));
  }
  const chain = nest(levels, leaf);
  if (kind === 'template') return head(chain);
  const metric = concat(str(METRIC.name, 'p'), vi(METRIC.datatype, DataType.Int32), vi(10, 1));
  return head(concat(metric, tag(METRIC.properties, 2), varint(BigInt(chain.length)), chain));
}

const DEPTHS = [2, 10, 24, 32, 33, 49, 50, 51, 99, 100, 101, 200, 1000, 10_000];
const DATATYPES = Object.keys(DataType) as DataTypeName[];

/** A random payload built field by field (valid wire format, values of any datatype or none). */
function structured(rng: Rng): Uint8Array {
  const metrics: Uint8Array[] = [];
  const n = rng.size(20);
  for (let i = 0; i < n; i++) {
    const parts: Uint8Array[] = [];
    if (rng.chance(0.7))
      parts.push(
        str(
          METRIC.name,
          rng.pick(['a', 'bdSeq', 'Node Control/Rebirth', 'Properties/line', 'x y', `m${i}`, '']),
        ),
      );
    if (rng.chance(0.6)) parts.push(vi(METRIC.alias, BigInt(rng.int(20))));
    if (rng.chance(0.8)) parts.push(vi(METRIC.datatype, DataType[rng.pick(DATATYPES)] ?? rng.u32()));
    if (rng.chance(0.3))
      parts.push(vi(3, rng.chance(0.5) ? BigInt(T0) : BigInt(rng.u32()) * BigInt(rng.u32())));
    if (rng.chance(0.2)) parts.push(vi(5, 1));
    if (rng.chance(0.1)) parts.push(vi(7, rng.int(2)));
    const field = rng.range(10, 16);
    if (field <= 11 || field === 14)
      parts.push(vi(field, rng.chance(0.5) ? BigInt(rng.u32()) : 2n ** 64n - 1n));
    else if (field === 12) parts.push(concat(new Uint8Array([(12 << 3) | 5]), rng.bytes(4)));
    else if (field === 13) parts.push(concat(new Uint8Array([(13 << 3) | 1]), rng.bytes(8)));
    else parts.push(ld(field, rng.bytes(rng.size(40))));
    metrics.push(ld(2, ...parts));
  }
  const head: Uint8Array[] = [];
  if (rng.chance(0.8)) head.push(vi(1, BigInt(T0)));
  if (rng.chance(0.8)) head.push(vi(3, rng.chance(0.9) ? rng.int(256) : rng.u32()));
  return concat(...head, ...metrics);
}

/** Larger payloads never reach the decoder: the broker refuses them (maxPayloadBytes, 256 KiB by default). */
const MAX_PAYLOAD = 256 * 1024;

/** One Sparkplug payload for a case: random, mutated valid, structure-mutated, structured random, or nested. */
export function sparkplugBytes(rng: Rng): Uint8Array {
  const base = rng.pick(CORPUS);
  const out = rng.weighted<() => Uint8Array>([
    [1, () => rng.bytes(rng.size(512))],
    [4, () => mutate(rng, base, 6, rng.pick(CORPUS))],
    [
      4,
      () => {
        const fields = parseWire(base) ?? [];
        const n = rng.range(1, 3);
        for (let i = 0; i < n; i++)
          mutateWire(rng, fields, () => ({
            no: 2,
            wt: 2,
            bytes: nestedMetric(
              rng.pick(['template', 'propertyset', 'propertysets', 'dataset'] as const),
              rng.pick(DEPTHS),
            ),
          }));
        return writeWire(fields);
      },
    ],
    [2, () => structured(rng)],
    [
      1,
      () =>
        nestedPayload(
          rng.pick(['template', 'propertyset', 'propertysets', 'dataset'] as const),
          rng.pick(DEPTHS),
        ),
    ],
    [1, () => base],
  ])();
  return out.length <= MAX_PAYLOAD ? out : out.subarray(0, MAX_PAYLOAD);
}
