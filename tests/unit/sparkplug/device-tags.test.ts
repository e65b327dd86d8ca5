/**
 * Device tags end to end (docs/architecture.md#deviations-from-the-specification): the agent's
 * `devices[].tags` go into the DBIRTH as `Properties/<key>` String metrics, the host turns them into
 * `BirthInfo.tags`, and the ingester writes them on `telemetry` points.
 */
import sparkplugPayload from 'sparkplug-payload';
import { describe, expect, test } from 'vitest';
import { EdgeNode, type EdgeNodeOptions, type OutMsg } from '../../../agent/publish/edge-node.js';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { IngestFeed } from '../../../cloud/api/ingest-feed.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { HostApplication, type HostResult } from '../../../cloud/host/host-application.js';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import type { BirthInfo, HostSample } from '../../../cloud/host/host-types.js';
import { HostPointMapper } from '../../../cloud/ingest/points-from-host.js';
import type { Sample } from '../../../protocols/sample.js';
import {
  DataType,
  decodePayload,
  encodePayload,
  type SpbMetric,
} from '../../../protocols/sparkplug/index.js';

const T0 = 1767225600000;
const clock = () => T0;
const TAGS = { line: 'line3', kind: 'press' };

const edgeOpts = (over: Partial<EdgeNodeOptions> = {}): EdgeNodeOptions => ({
  site: 'cq-plant1',
  node: 'line3-gw',
  clock,
  devices: [
    {
      id: 'press-07',
      metrics: [
        { name: 'power_kw', kind: 'float', unit: 'kW' },
        { name: 'part_count', kind: 'uint64' },
      ],
      tags: TAGS,
    },
    { id: 'lathe-03', metrics: [{ name: 'state', kind: 'string' }] },
  ],
  ...over,
});
const sample = (metric: string, value: Sample['value']): Sample => ({
  device: 'press-07',
  metric,
  value,
  timestamp: T0 - 100,
  quality: 'good',
});
const dec = (m: OutMsg | undefined) => {
  if (!m) throw new Error('no message');
  return decodePayload(m.payload);
};

function feed(host: HostApplication, msgs: (OutMsg | undefined)[]): HostResult {
  const all: HostResult = { samples: new HostSamples(), status: [], commands: [], problems: [], births: [] };
  for (const m of msgs) {
    if (!m) continue;
    const r = host.handle(m.topic, m.payload);
    for (const k of Object.keys(all) as (keyof HostResult)[]) (all[k] as unknown[]).push(...r[k]);
  }
  return all;
}

function born(over: Partial<EdgeNodeOptions> = {}) {
  const host = new HostApplication({ hostId: 'plantpulse-cloud', clock });
  const edge = new EdgeNode(edgeOpts(over));
  edge.will();
  const out = edge.onConnected();
  return { host, edge, out, births: feed(host, out) };
}

const lines = (r: HostResult, mapper = new HostPointMapper()) =>
  mapper
    .map(r)
    .batch.toLines()
    .filter((l) => l.startsWith('telemetry,'));

describe('device tags: edge node', () => {
  test('the DBIRTH carries each tag as a String metric Properties/<key> with its own alias; DDATA never does', () => {
    const { edge, out } = born();
    const press = dec(out[1]);
    expect(press.metrics.filter((m) => m.name?.startsWith('Properties/'))).toEqual([
      { name: 'Properties/line', alias: 4n, timestamp: T0, datatype: DataType.String, value: 'line3' },
      { name: 'Properties/kind', alias: 5n, timestamp: T0, datatype: DataType.String, value: 'press' },
    ]);
    // metric aliases are those of a node without tags: properties come after every metric
    const plain = new EdgeNode(edgeOpts({ devices: edgeOpts().devices.map(({ tags: _t, ...d }) => d) }));
    plain.will();
    const plainBirths = plain.onConnected();
    const aliases = (p: ReturnType<typeof dec>) =>
      p.metrics.filter((m) => !m.name?.startsWith('Properties/')).map((m) => [m.name, m.alias]);
    expect(aliases(press)).toEqual(aliases(dec(plainBirths[1])));
    expect(aliases(dec(out[2]))).toEqual(aliases(dec(plainBirths[2])));
    expect(dec(out[2]).metrics.some((m) => m.name?.startsWith('Properties/'))).toBe(false);
    const data = dec(edge.data('press-07', [sample('power_kw', 12.5)]));
    expect(data.metrics).toHaveLength(1);
    expect(data.metrics[0]?.alias).toBe(1n);
    // a rebirth (deviceDown/Up) sends them again
    edge.deviceDown('press-07', 'unreachable');
    const again = dec(edge.deviceUp('press-07'));
    expect(again.metrics.find((m) => m.name === 'Properties/line')?.value).toBe('line3');
  });

  test('Tahu (sparkplug-payload) reads the properties as ordinary String metrics', () => {
    const { out } = born();
    const tahu = sparkplugPayload.get('spBv1.0');
    if (!tahu) throw new Error('sparkplug-payload has no spBv1.0 codec');
    const got = tahu.decodePayload((out[1] as OutMsg).payload);
    const props = (got.metrics ?? []).filter((m) => m.name?.startsWith('Properties/'));
    expect(props.map((m) => [m.name, m.type, m.value])).toEqual([
      ['Properties/line', 'String', 'line3'],
      ['Properties/kind', 'String', 'press'],
    ]);
  });
});

describe('device tags: host application', () => {
  test('a DBIRTH’s properties become BirthInfo.tags, not metrics or samples', () => {
    const { births } = born();
    expect(births.problems).toEqual([]);
    const press = births.births.find((b) => b.device === 'press-07');
    expect(press?.tags).toEqual(TAGS);
    expect(press?.metrics.map((m) => m.name)).toEqual(['power_kw', 'part_count']);
    expect(births.births.find((b) => b.device === 'lathe-03')?.tags).toEqual({});
    expect(births.births.find((b) => b.device === undefined)?.tags).toBeUndefined();
    expect(births.samples.toArray().filter((s) => s.metric.startsWith('Properties/'))).toEqual([]);
  });

  test('the API registry learns the tags from the birth: lines come from the agent config', () => {
    const { births } = born();
    const registry = new DeviceRegistry();
    new IngestFeed(registry, new LiveBus()).onHostResult(births);
    expect(registry.get('cq-plant1', 'press-07')?.tags).toEqual(TAGS);
    expect(registry.list({ line: 'line3' }).map((d) => d.device)).toEqual(['press-07']);
  });

  test('tags survive a host restart through the stored births', () => {
    const { out } = born();
    const host = new HostApplication({ hostId: 'plantpulse-cloud', clock });
    const restored = host.restore(out.map((m) => ({ topic: m.topic, payload: m.payload })));
    expect(restored.births.find((b) => b.device === 'press-07')?.tags).toEqual(TAGS);
  });

  test('bad properties are reported (BAD_PROPERTY) and left out; the rest of the birth is kept', () => {
    const host = new HostApplication({ hostId: 'plantpulse-cloud', clock });
    const edge = new EdgeNode(edgeOpts({ devices: [] }));
    edge.will();
    feed(host, edge.onConnected());
    const prop = (
      name: string,
      value: SpbMetric['value'],
      datatype: number = DataType.String,
    ): SpbMetric => ({
      name,
      timestamp: T0,
      datatype,
      value,
    });
    const dbirth = encodePayload({
      timestamp: T0,
      seq: 1,
      metrics: [
        { name: 'power_kw', alias: 1n, timestamp: T0, datatype: DataType.Float, value: 3.5 },
        prop('Properties/line', 'line\n3\\'),
        prop('Properties/area', 'north', DataType.Text),
        prop('Properties/device', 'spoofed'),
        prop('Properties/site', 'spoofed'),
        prop('Properties/time', 'x'),
        prop('Properties/bad-key', 'x'),
        prop('Properties/blank', '  '),
        { name: 'Properties/none', timestamp: T0, datatype: DataType.String, value: null, isNull: true },
      ],
    });
    const r = host.handle('spBv1.0/cq-plant1/DBIRTH/line3-gw/press-07', dbirth);
    expect(r.births[0]?.tags).toEqual({ line: 'line 3', area: 'north' });
    expect(r.births[0]?.metrics.map((m) => m.name)).toEqual(['power_kw']);
    expect(r.samples.toArray().map((s) => s.metric)).toEqual(['power_kw']);
    const bad = r.problems.filter((p) => p.code === 'BAD_PROPERTY').map((p) => p.message.split(': ')[1]);
    expect(bad).toEqual([
      'Properties/device',
      'Properties/site',
      'Properties/time',
      'Properties/bad-key',
      'Properties/blank',
      'Properties/none',
    ]);
    expect(r.problems.filter((p) => p.code !== 'BAD_PROPERTY')).toEqual([]);
  });

  test('a property sent again in DDATA is counted as dropped, never applied or turned into a sample', () => {
    const { host } = born();
    const ddata = encodePayload({
      timestamp: T0,
      seq: 3,
      metrics: [
        { alias: 4n, timestamp: T0, datatype: DataType.String, value: 'line9' },
        { alias: 1n, timestamp: T0, datatype: DataType.Float, value: 7.5 },
      ],
    });
    const r = host.handle('spBv1.0/cq-plant1/DDATA/line3-gw/press-07', ddata);
    expect(r.samples.toArray().map((s) => [s.metric, s.value])).toEqual([['power_kw', 7.5]]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'UNSUPPORTED_METRIC', dropped: 1 })]);
  });
});

describe('device tags: telemetry points', () => {
  const birth = (tags: Record<string, string> | undefined): BirthInfo => ({
    site: 'cq-plant1',
    node: 'line3-gw',
    device: 'press-07',
    metrics: [{ name: 'power_kw', kind: 'float' }],
    ...(tags === undefined ? {} : { tags }),
  });
  const hs = (metric: string, value: Sample['value']): HostSample => ({
    ...sample(metric, value),
    site: 'cq-plant1',
    node: 'line3-gw',
  });
  const result = (births: BirthInfo[], samples: HostSample[]): HostResult => ({
    samples: HostSamples.of(samples),
    births,
    status: [],
    commands: [],
    problems: [],
  });

  test('the whole path: every telemetry point of the device carries its tags, other devices none', () => {
    const { host, edge, births } = born();
    const mapper = new HostPointMapper();
    lines(births, mapper);
    const r = feed(host, [
      edge.data('press-07', [sample('power_kw', 12.5), sample('part_count', 4)]),
      edge.data('lathe-03', [{ ...sample('state', 'running'), device: 'lathe-03' }]),
    ]);
    const got = lines(r, mapper);
    // one line per device and time: press-07's two values share theirs
    expect(got).toHaveLength(2);
    expect(got.find((x) => x.includes('device=press-07'))).toMatch(/ part_count=4i,power_kw=12\.5 /);
    for (const l of got.filter((x) => x.includes('device=press-07'))) {
      expect(l).toMatch(/^telemetry,device=press-07,kind=press,line=line3,node=line3-gw,site=cq-plant1 /);
    }
    const lathe = got.find((x) => x.includes('device=lathe-03'));
    expect(lathe).toMatch(/^telemetry,device=lathe-03,node=line3-gw,site=cq-plant1 /);
  });

  test('site, node and device win; a tag named like the metric is left off that point; a new DBIRTH replaces tags', () => {
    const mapper = new HostPointMapper();
    const first = lines(
      result(
        [birth({ line: 'line3', device: 'other', site: 'x', power_kw: 'clash' })],
        [hs('power_kw', 1), hs('part_count', 2)],
      ),
      mapper,
    );
    expect(first[0]).toMatch(
      /^telemetry,device=press-07,line=line3,node=line3-gw,site=cq-plant1 power_kw=1 /,
    );
    expect(first[1]).toMatch(
      /^telemetry,device=press-07,line=line3,node=line3-gw,power_kw=clash,site=cq-plant1 part_count=2 /,
    );
    const second = lines(result([birth({ line: 'line4' })], [hs('power_kw', 3)]), mapper);
    expect(second[0]).toMatch(/^telemetry,device=press-07,line=line4,node=line3-gw,site=cq-plant1 /);
    const none = lines(result([birth(undefined)], [hs('power_kw', 4)]), mapper);
    expect(none[0]).toMatch(/^telemetry,device=press-07,node=line3-gw,site=cq-plant1 /);
  });
});
