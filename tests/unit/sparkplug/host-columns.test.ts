/**
 * The host's DATA path reads metrics as columns and emits samples as columns (issue 16, point 2: no object per value).
 * Its contract: exactly the samples and problems of the per-object algorithm it replaced — each metric of the
 * protobufjs-decoded payload resolved against its birth, its value typed by `sampleValueFromMetric` with the birth's
 * datatype, its quality from the Quality property, its time from the metric or the payload — for every scalar
 * datatype, values sent with the birth's datatype, with none (as the agent sends DATA) or with another one, nulls,
 * historical flags and quality properties (which take protobufjs's path).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HostApplication } from '../../../cloud/host/host-application.js';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import type { HostProblem, HostSample } from '../../../cloud/host/host-types.js';
import { checkSample, type Sample } from '../../../protocols/sample.js';
import {
  DataType,
  encodePayload,
  QUALITY_PROPERTY,
  qualityOf,
  type SpbMetric,
  sampleValueFromMetric,
} from '../../../protocols/sparkplug/index.js';
import { MetricColumns } from '../../../protocols/sparkplug/metric-columns.js';
import { decodePayloadWithProtobufjs } from '../../../protocols/sparkplug/payload-codec.js';
import { spbMetric, spbPayloadOf } from '../../helpers/sparkplug-arbitraries.js';

const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);
const int = (min: number, max: number) => fc.integer({ min, max });
const text = fc.string({ maxLength: 8 });

/** scalar datatypes with a Sample form, and values of each (wire-extended integer forms included) */
const SCALARS: [number, fc.Arbitrary<unknown>][] = [
  [DataType.Int8, int(-128, 127)],
  [DataType.Int16, int(-32768, 32767)],
  [DataType.Int32, int(-(2 ** 31), 2 ** 31 - 1)],
  [DataType.Int64, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  [DataType.UInt8, int(0, 255)],
  [DataType.UInt16, int(0, 65535)],
  [DataType.UInt32, int(0, 2 ** 32 - 1)],
  [DataType.UInt64, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })],
  // NaN and ±Infinity often: an integer metric sent one must be BAD_VALUE, a floating one BAD_SAMPLE
  [DataType.Float, fc.oneof(fc.float(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0))],
  [DataType.Double, fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY, -0))],
  [DataType.Boolean, fc.boolean()],
  [DataType.String, text],
  [DataType.Text, text],
  [DataType.DateTime, int(0, 2 ** 45)],
];
const datatype = fc.constantFrom(...SCALARS.map(([dt]) => dt));
const valuesOf = (dt: number) => (SCALARS.find(([d]) => d === dt) as [number, fc.Arbitrary<unknown>])[1];

interface DataMetric {
  /** index of the birth metric it refers to */
  ref: number;
  byName: boolean;
  /** the datatype it is sent with: the birth's, none (`sendDatatype: false`), or another */
  wire: 'birth' | 'none' | number;
  value: unknown;
  isNull: boolean;
  historical: boolean | undefined;
  timestamp: number | undefined;
  quality: number | undefined;
}

const scenario = fc.array(datatype, { minLength: 1, maxLength: 6 }).chain((defs) =>
  fc.record({
    defs: fc.constant(defs),
    payloadTs: fc.option(int(T0 - 1000, T0 + 1000), { nil: undefined }),
    metrics: fc.array(
      fc
        .record({
          ref: int(0, defs.length - 1),
          byName: fc.boolean(),
          wire: fc.oneof(fc.constant('birth' as const), fc.constant('none' as const), datatype),
          isNull: fc.boolean(),
          historical: fc.option(fc.boolean(), { nil: undefined }),
          timestamp: fc.option(int(T0 - 5000, T0 + 5000), { nil: undefined }),
          quality: fc.option(fc.constantFrom(192, 64, 0, 500), { nil: undefined, freq: 4 }),
        })
        .chain((m) => {
          const dt = typeof m.wire === 'number' ? m.wire : (defs[m.ref] as number);
          return valuesOf(dt).map((value) => ({ ...m, value }) as DataMetric);
        }),
      { maxLength: 8 },
    ),
  }),
);

function session(defs: number[]) {
  let now = T0;
  const host = new HostApplication({ hostId: 'h', clock: () => now });
  const nbirth = encodePayload({
    timestamp: T0,
    seq: 0,
    metrics: [{ name: 'bdSeq', datatype: DataType.UInt64, value: 0n }],
  });
  host.handle('spBv1.0/cq/NBIRTH/gw', nbirth);
  const birth: SpbMetric[] = defs.map((dt, i) => ({
    name: `m${i}`,
    alias: BigInt(i + 1),
    datatype: dt,
    value: null,
    isNull: true,
  }));
  host.handle('spBv1.0/cq/DBIRTH/gw/press', encodePayload({ timestamp: T0, seq: 1, metrics: birth }));
  now = T0 + 42;
  return { host, clock: () => now };
}

function dataMetric(m: DataMetric, defs: number[]): SpbMetric {
  const birthDt = defs[m.ref] as number;
  const out: SpbMetric = {
    datatype: typeof m.wire === 'number' ? m.wire : birthDt,
    value: m.isNull ? null : (m.value as SpbMetric['value']),
  };
  if (m.wire === 'none') out.sendDatatype = false;
  if (m.byName) out.name = `m${m.ref}`;
  else out.alias = BigInt(m.ref + 1);
  if (m.isNull) out.isNull = true;
  if (m.historical !== undefined) out.isHistorical = m.historical;
  if (m.timestamp !== undefined) out.timestamp = m.timestamp;
  if (m.quality !== undefined)
    out.properties = [{ key: QUALITY_PROPERTY, type: DataType.Int32, value: m.quality }];
  return out;
}

/** the per-object algorithm the columns replaced, on the payload as protobufjs decodes it */
function oracle(bytes: Uint8Array, defs: number[], now: number, where: string) {
  const p = decodePayloadWithProtobufjs(bytes);
  const samples: HostSample[] = [];
  const problems: HostProblem[] = [];
  for (const m of p.metrics) {
    const ref = m.alias !== undefined ? Number(m.alias) - 1 : Number((m.name as string).slice(1));
    const dt = defs[ref] as number;
    const v = m.isNull ? ({ ok: true, value: null } as const) : sampleValueFromMetric(m.value, dt);
    if (!v.ok) {
      problems.push({ code: 'BAD_VALUE', message: `${where}: metric m${ref}: ${v.reason}`, dropped: 1 });
      continue;
    }
    const s: Sample = {
      device: 'press',
      metric: `m${ref}`,
      value: v.value,
      timestamp: m.timestamp ?? p.timestamp ?? now,
      quality: v.value === null ? 'bad' : qualityOf(m),
    };
    if (m.isHistorical) s.historical = true;
    const bad = checkSample(s);
    if (bad) {
      problems.push({ code: 'BAD_SAMPLE', message: `${where}: ${bad.code}: ${bad.message}`, dropped: 1 });
      continue;
    }
    samples.push({ ...s, site: 'cq', node: 'gw' });
  }
  return { samples, problems };
}

describe('the host’s DATA path as columns', () => {
  test('gives exactly the samples and problems of the per-object algorithm, for every scalar datatype', () => {
    fc.assert(
      fc.property(scenario, ({ defs, payloadTs, metrics }) => {
        const { host, clock } = session(defs);
        const topic = 'spBv1.0/cq/DDATA/gw/press';
        const payload = { seq: 2, metrics: metrics.map((m) => dataMetric(m, defs)) };
        let bytes: Uint8Array;
        try {
          bytes = encodePayload(payloadTs === undefined ? payload : { ...payload, timestamp: payloadTs });
        } catch {
          return; // a value its wire datatype cannot carry: not a message anyone can send
        }
        const r = host.handle(topic, bytes);
        const want = oracle(bytes, defs, clock(), topic);
        expect(r.samples.toArray()).toStrictEqual(want.samples);
        expect(r.problems.filter((x) => x.code === 'BAD_VALUE' || x.code === 'BAD_SAMPLE')).toStrictEqual(
          want.problems,
        );
      }),
      { numRuns: 400 },
    );
  });

  test('a metric with a NaN or infinite double stays a bad sample, as before', () => {
    const { host } = session([DataType.Double, DataType.Float]);
    const r = host.handle(
      'spBv1.0/cq/DDATA/gw/press',
      encodePayload({
        seq: 2,
        timestamp: T0,
        metrics: [
          { alias: 1n, datatype: DataType.Double, value: Number.NaN },
          { alias: 2n, datatype: DataType.Float, value: Number.POSITIVE_INFINITY },
        ],
      }),
    );
    // a non-finite good value is refused by the sample check (it must be marked bad): BAD_SAMPLE, not stored
    expect(r.samples.length).toBe(0);
    expect(r.problems.map((p) => p.code)).toEqual(['BAD_SAMPLE', 'BAD_SAMPLE']);
  });
});

describe('MetricColumns', () => {
  test('fromPayload then toPayload gives the flat payload back', () => {
    const flat = spbPayloadOf(spbMetric(false));
    fc.assert(
      fc.property(flat, (p) => {
        const decoded = decodePayloadWithProtobufjs(encodePayload(p));
        expect(new MetricColumns().fromPayload(decoded, qualityOf).toPayload()).toStrictEqual(decoded);
      }),
      { numRuns: 300 },
    );
  });

  test('reused for a smaller payload, it holds only the new one', () => {
    const cols = new MetricColumns();
    const big = decodePayloadWithProtobufjs(
      encodePayload({
        seq: 1,
        metrics: Array.from({ length: 40 }, (_, i) => ({
          name: `a${i}`,
          datatype: DataType.String,
          value: 'x',
        })),
      }),
    );
    cols.fromPayload(big, qualityOf);
    const small = decodePayloadWithProtobufjs(
      encodePayload({ seq: 2, metrics: [{ alias: 3n, datatype: DataType.Double, value: 1.5 }] }),
    );
    expect(cols.fromPayload(small, qualityOf).toPayload()).toStrictEqual(small);
  });
});

describe('HostSamples', () => {
  const s = (device: string, metric: string, value: HostSample['value'], extra: Partial<HostSample> = {}) =>
    ({
      site: 'cq',
      node: 'gw',
      device,
      metric,
      value,
      timestamp: T0,
      quality: 'good',
      ...extra,
    }) as HostSample;

  test('keeps every value type, quality and the historical flag; runs follow site/node/device', () => {
    const all = [
      s('a', 'x', 1.5),
      s('a', 'y', 7n),
      s('a', 'z', 'text', { quality: 'uncertain' }),
      s('b', 'x', true, { historical: true }),
      s('b', 'y', null, { quality: 'bad' }),
      s('a', 'x', -0.25, { timestamp: T0 + 1 }),
    ];
    const rows = HostSamples.of(all);
    expect(rows.length).toBe(6);
    expect(rows.toArray()).toStrictEqual(all);
    expect([...rows]).toStrictEqual(all);
    expect([0, 1, 2, 3, 4, 5].map((i) => rows.run(i))).toEqual([0, 0, 0, 1, 1, 2]);
  });

  test('retain compacts in order; select makes objects only for the devices wanted', () => {
    const rows = HostSamples.of([s('a', 'x', 1), s('b', 'x', 2), s('a', 'y', 3), s('c', 'x', 4)]);
    expect(rows.retain((i) => rows.value(i) !== 2)).toBe(1);
    expect(rows.toArray().map((x) => x.value)).toEqual([1, 3, 4]);
    const asked: string[] = [];
    const picked = rows.select((_site, device) => {
      asked.push(device);
      return device !== 'c';
    });
    expect(picked.map((x) => [x.device, x.value])).toEqual([
      ['a', 1],
      ['a', 3],
    ]);
    // asked once per run: a's two runs stay two after b's value went
    expect(asked).toEqual(['a', 'a', 'c']);
  });

  test('grows past its first capacity', () => {
    const rows = new HostSamples();
    for (let i = 0; i < 100; i++) rows.add('cq', 'gw', 'a', `m${i}`, i, T0 + i, 'good', false);
    expect(rows.length).toBe(100);
    expect(rows.at(99)).toStrictEqual(s('a', 'm99', 99, { timestamp: T0 + 99 }));
  });
});
