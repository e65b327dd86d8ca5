import { describe, expect, test } from 'vitest';
import { EdgeNode, type EdgeNodeOptions, type OutMsg } from '../../../agent/publish/edge-node.js';
import { HostApplication, type HostResult } from '../../../cloud/host/host-application.js';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import type { Sample } from '../../../protocols/sample.js';
import { DataType, decodePayload, encodePayload } from '../../../protocols/sparkplug/index.js';

const T0 = 1767225600000;
let now = T0;
const clock = () => now;

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
    },
    { id: 'lathe-03', metrics: [{ name: 'state', kind: 'string', derived: true }] },
  ],
  ...over,
});
const s = (metric: string, value: Sample['value'], over: Partial<Sample> = {}): Sample => ({
  device: 'press-07',
  metric,
  value,
  timestamp: T0 - 100,
  quality: 'good',
  ...over,
});

/** Feeds messages to the host and merges the results. */
function feed(host: HostApplication, msgs: (OutMsg | undefined)[]): HostResult {
  const all: HostResult = { samples: new HostSamples(), status: [], commands: [], problems: [], births: [] };
  for (const m of msgs) {
    if (!m) continue;
    const r = host.handle(m.topic, m.payload);
    for (const k of Object.keys(all) as (keyof HostResult)[]) (all[k] as unknown[]).push(...r[k]);
  }
  return all;
}

function setup(over: Partial<EdgeNodeOptions> = {}) {
  now = T0;
  const host = new HostApplication({ hostId: 'plantpulse-cloud', clock, rebirthIntervalMs: 5000 });
  const edge = new EdgeNode(edgeOpts(over));
  const will = edge.will();
  const births = feed(host, edge.onConnected());
  return { host, edge, will, births };
}

describe('HostApplication (Sparkplug B)', () => {
  test('STATE will and online messages: retained QoS 1 JSON with the same timestamp', () => {
    now = T0;
    const host = new HostApplication({ hostId: 'plantpulse-cloud', clock });
    expect(host.stateTopic()).toBe('spBv1.0/STATE/plantpulse-cloud');
    const will = host.willMessage();
    now += 500;
    const online = host.onlineMessage();
    expect(will).toMatchObject({ topic: 'spBv1.0/STATE/plantpulse-cloud', qos: 1, retain: true });
    expect(JSON.parse(new TextDecoder().decode(will.payload))).toEqual({ online: false, timestamp: T0 });
    expect(JSON.parse(new TextDecoder().decode(online.payload))).toEqual({ online: true, timestamp: T0 });
    expect(online.retain).toBe(true);
    expect(host.subscriptions()).toEqual(['spBv1.0/#']);
  });

  test('births bring the node and its devices online with their metric definitions', () => {
    const { births } = setup();
    expect(births.problems).toEqual([]);
    expect(births.status).toEqual([
      { site: 'cq-plant1', node: 'line3-gw', online: true, reason: 'NBIRTH', timestamp: T0 },
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'press-07',
        online: true,
        reason: 'DBIRTH',
        timestamp: T0,
      },
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'lathe-03',
        online: true,
        reason: 'DBIRTH',
        timestamp: T0,
      },
    ]);
    expect(births.births).toEqual([
      { site: 'cq-plant1', node: 'line3-gw', metrics: [], properties: {} },
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'press-07',
        metrics: [
          { name: 'power_kw', kind: 'float', unit: 'kW' },
          { name: 'part_count', kind: 'uint64' },
        ],
        tags: {},
      },
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'lathe-03',
        metrics: [{ name: 'state', kind: 'string', derived: true }],
        tags: {},
      },
    ]);
    expect(births.samples.toArray()).toEqual([]);
  });

  test('DDATA aliases resolve to samples with exact values, quality and the historical flag', () => {
    const { host, edge } = setup();
    const r = feed(host, [
      edge.data('press-07', [s('power_kw', 12.5, { quality: 'uncertain' }), s('part_count', 2n ** 64n - 1n)]),
      edge.data('press-07', [s('power_kw', null, { quality: 'bad', timestamp: T0 - 5000 })], {
        historical: true,
      }),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.commands).toEqual([]);
    const base = { site: 'cq-plant1', node: 'line3-gw', device: 'press-07', timestamp: T0 - 100 };
    expect(r.samples.toArray()).toEqual([
      { ...base, metric: 'power_kw', value: 12.5, quality: 'uncertain' },
      { ...base, metric: 'part_count', value: 2n ** 64n - 1n, quality: 'good' },
      { ...base, metric: 'power_kw', value: null, quality: 'bad', timestamp: T0 - 5000, historical: true },
    ]);
  });

  test('a seq gap keeps the data, reports it and asks for a rebirth at most once per interval', () => {
    const { host, edge } = setup();
    edge.data('press-07', [s('power_kw', 1)]); // lost on the way
    const r1 = feed(host, [edge.data('press-07', [s('power_kw', 2)])]);
    expect(r1.samples.toArray().map((x) => x.value)).toEqual([2]);
    expect(r1.problems.map((p) => p.code)).toEqual(['SEQ_GAP', 'REBIRTH_REQUESTED']);
    expect(r1.commands).toHaveLength(1);
    const cmd = r1.commands[0];
    expect(cmd).toMatchObject({ topic: 'spBv1.0/cq-plant1/NCMD/line3-gw', qos: 0, retain: false });
    expect(decodePayload(cmd?.payload ?? new Uint8Array()).metrics).toEqual([
      { name: 'Node Control/Rebirth', timestamp: T0, datatype: DataType.Boolean, value: true },
    ]);

    edge.data('press-07', [s('power_kw', 3)]); // lost again, within the interval
    const r2 = feed(host, [edge.data('press-07', [s('power_kw', 4)])]);
    expect(r2.problems.map((p) => p.code)).toEqual(['SEQ_GAP']);
    expect(r2.commands).toEqual([]);

    now += 5000;
    edge.data('press-07', [s('power_kw', 5)]);
    const r3 = feed(host, [edge.data('press-07', [s('power_kw', 6)])]);
    expect(r3.commands).toHaveLength(1);

    // the edge honours it: births, then data flows without gaps
    const rebirth = edge.onMessage(cmd?.topic ?? '', cmd?.payload ?? new Uint8Array());
    const r4 = feed(host, [...rebirth.out, edge.data('press-07', [s('power_kw', 7)])]);
    expect(r4.problems).toEqual([]);
    expect(r4.samples.toArray().map((x) => [x.metric, x.value])).toEqual([
      ['power_kw', 6],
      ['power_kw', 7],
    ]);
  });

  test('a host that starts after the edge drops data it cannot name, counts it, and rebirths the node', () => {
    now = T0;
    const edge = new EdgeNode(edgeOpts());
    edge.will();
    edge.onConnected();
    const host = new HostApplication({ hostId: 'h', clock });
    const r = feed(host, [edge.data('press-07', [s('power_kw', 1), s('part_count', 2n)])]);
    expect(r.samples.toArray()).toEqual([]);
    expect(r.problems[0]).toMatchObject({ code: 'NOT_BORN', dropped: 2 });
    expect(r.commands).toHaveLength(1);
    const rebirth = edge.onMessage(r.commands[0]?.topic ?? '', r.commands[0]?.payload ?? new Uint8Array());
    const after = feed(host, [...rebirth.out, edge.data('press-07', [s('power_kw', 3)])]);
    expect(after.problems).toEqual([]);
    expect(after.samples.toArray().map((x) => [x.metric, x.value])).toEqual([
      ['power_kw', 1], // the birth's last known value
      ['part_count', 2n],
      ['power_kw', 3],
    ]);
  });

  test('an alias the birth did not define is dropped, counted and triggers a rebirth', () => {
    const { host } = setup();
    const bad = encodePayload({
      timestamp: T0,
      seq: 3,
      metrics: [
        { alias: 99n, timestamp: T0, datatype: DataType.Double, sendDatatype: false, value: 1 },
        { alias: 1n, timestamp: T0, datatype: DataType.Float, sendDatatype: false, value: 2 },
      ],
    });
    const r = host.handle('spBv1.0/cq-plant1/DDATA/line3-gw/press-07', bad);
    expect(r.samples.toArray().map((x) => x.value)).toEqual([2]);
    expect(r.problems[0]).toMatchObject({ code: 'UNKNOWN_ALIAS', dropped: 1 });
    expect(r.commands).toHaveLength(1);
  });

  test('DDEATH / DBIRTH toggle a device; NDEATH with the birth bdSeq takes everything offline, a stale one does not', () => {
    const { host, edge, will } = setup();
    const down = feed(host, [edge.deviceDown('lathe-03', 'no current')]);
    expect(down.status).toEqual([
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'lathe-03',
        online: false,
        reason: 'DDEATH',
        timestamp: T0,
      },
    ]);
    const up = feed(host, [edge.deviceUp('lathe-03')]);
    expect(up.status[0]).toMatchObject({ device: 'lathe-03', online: true, reason: 'DBIRTH' });

    const stale = new EdgeNode(edgeOpts({ initialBdSeq: 7 })).will();
    const ignored = feed(host, [stale]);
    expect(ignored.status).toEqual([]);
    expect(ignored.problems[0]?.code).toBe('STALE_NDEATH');

    now += 60_000;
    const dead = feed(host, [will]);
    expect(dead.status).toEqual([
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'press-07',
        online: false,
        reason: 'NDEATH (edge node offline)',
        timestamp: now,
      },
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'lathe-03',
        online: false,
        reason: 'NDEATH (edge node offline)',
        timestamp: now,
      },
      { site: 'cq-plant1', node: 'line3-gw', online: false, reason: 'NDEATH', timestamp: now },
    ]);
  });

  test('its own STATE seen offline (a late will) makes it republish online', () => {
    now = T0;
    const host = new HostApplication({ hostId: 'h', clock });
    host.willMessage();
    const r = host.handle('spBv1.0/STATE/h', new TextEncoder().encode('{"online":false,"timestamp":1}'));
    expect(r.commands).toHaveLength(1);
    expect(JSON.parse(new TextDecoder().decode(r.commands[0]?.payload))).toEqual({
      online: true,
      timestamp: T0,
    });
    expect(host.handle('spBv1.0/STATE/other', new TextEncoder().encode('{"online":false}'))).toEqual({
      samples: new HostSamples(),
      status: [],
      commands: [],
      problems: [],
      births: [],
    });
  });

  test('memory stays bounded under a flood of node ids: offline sessions are forgotten first', () => {
    now = T0;
    const host = new HostApplication({ hostId: 'h', clock, maxNodes: 3 });
    const edge = new EdgeNode(edgeOpts());
    edge.will();
    feed(host, edge.onConnected());
    for (let i = 0; i < 50; i++)
      host.handle(`spBv1.0/cq-plant1/NDATA/flood-${i}`, encodePayload({ seq: 1, metrics: [] }));
    expect(host.trackedNodes).toBe(3);
    const r = feed(host, [edge.data('press-07', [s('power_kw', 1)])]);
    expect(r.problems).toEqual([]);
    expect(r.samples).toHaveLength(1);
  });

  test('a bdSeq with a fraction (a double) counts as missing: the birth is taken, never an internal error', () => {
    now = T0;
    const host = new HostApplication({ hostId: 'plantpulse-cloud', clock });
    const birth = encodePayload({
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', timestamp: T0, datatype: DataType.Double, value: -3.5e-30 },
        { name: 'power_kw', timestamp: T0, datatype: DataType.Double, value: 4.5 },
      ],
    });
    const r = host.handle('spBv1.0/cq-plant1/NBIRTH/line3-gw', birth);
    expect(r.problems.filter((p) => p.code === 'HOST_INTERNAL')).toEqual([]);
    expect(r.samples.toArray().map((x) => [x.metric, x.value])).toEqual([['power_kw', 4.5]]);
    const death = encodePayload({
      timestamp: T0,
      metrics: [{ name: 'bdSeq', timestamp: T0, datatype: DataType.Double, value: 0.25 }],
    });
    expect(host.handle('spBv1.0/cq-plant1/NDEATH/line3-gw', death).problems).not.toContainEqual(
      expect.objectContaining({ code: 'HOST_INTERNAL' }),
    );
  });

  test('bad topics and payloads are problems, never exceptions', () => {
    const { host } = setup();
    const cases: [string, Uint8Array][] = [
      ['not/sparkplug', new Uint8Array()],
      ['spBv1.0/cq-plant1/DDATA/line3-gw/press-07', new Uint8Array([0xff, 0xff, 0xff])],
      ['spBv1.0/STATE/plantpulse-cloud', new Uint8Array([0xc3])],
      ['plantpulse/v1/a/b/c', new TextEncoder().encode('{')],
      ['plantpulse/v1/a', new Uint8Array()],
    ];
    for (const [topic, payload] of cases) {
      const r = host.handle(topic, payload);
      expect(r.problems.length).toBeGreaterThan(0);
      expect(r.samples.toArray()).toEqual([]);
    }
  });
});

describe('HostApplication (JSON mode)', () => {
  test('follows a JSON-mode edge node: status, samples, device death, node will', () => {
    now = T0;
    const host = new HostApplication({ hostId: 'h', clock, format: 'json' });
    expect(host.subscriptions()).toEqual(['plantpulse/v1/#']);
    const edge = new EdgeNode(edgeOpts({ format: 'json' }));
    const will = edge.will();
    const r = feed(host, [
      ...edge.onConnected(),
      edge.data('press-07', [s('power_kw', 2.5, { quality: 'uncertain' })], { historical: true }),
      edge.deviceDown('lathe-03', 'no current'),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.samples.toArray()).toEqual([
      {
        site: 'cq-plant1',
        node: 'line3-gw',
        device: 'press-07',
        metric: 'power_kw',
        value: 2.5,
        timestamp: T0 - 100,
        quality: 'uncertain',
        historical: true,
      },
    ]);
    expect(r.status.map((x) => [x.device ?? '-', x.online, x.reason])).toEqual([
      ['-', true, 'online'],
      ['press-07', true, 'online'],
      ['lathe-03', true, 'online'],
      ['lathe-03', false, 'no current'],
    ]);
    now += 1000;
    const dead = feed(host, [will]);
    expect(dead.status.map((x) => [x.device ?? '-', x.online, x.timestamp])).toEqual([
      ['press-07', false, now],
      ['-', false, now],
    ]);
  });
});
