import { describe, expect, test } from 'vitest';
import { EdgeNode, type EdgeNodeOptions, type OutMsg } from '../../../agent/publish/edge-node.js';
import type { Sample } from '../../../protocols/sample.js';
import { DataType, decodePayload, type SpbPayload } from '../../../protocols/sparkplug/index.js';
import { decodeUnifiedDevice, decodeUnifiedNodeStatus } from '../../../protocols/unified/index.js';

const T0 = 1767225600000;
const opts = (over: Partial<EdgeNodeOptions> = {}): EdgeNodeOptions => ({
  site: 'cq-plant1',
  node: 'line3-gw',
  clock: () => T0,
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
const dec = (m: OutMsg | undefined): SpbPayload => {
  if (!m) throw new Error('no message');
  return decodePayload(m.payload);
};
const stateMsg = (online: boolean, timestamp: number) =>
  new TextEncoder().encode(JSON.stringify({ online, timestamp }));

function connected(over: Partial<EdgeNodeOptions> = {}): { edge: EdgeNode; births: OutMsg[] } {
  const edge = new EdgeNode(opts(over));
  edge.will();
  return { edge, births: edge.onConnected() };
}

describe('EdgeNode (Sparkplug B)', () => {
  test('will() carries the bdSeq of each new session, wrapping 255 → 0, and NBIRTH repeats it', () => {
    const edge = new EdgeNode(opts({ initialBdSeq: 254 }));
    const w1 = edge.will();
    expect(w1.topic).toBe('spBv1.0/cq-plant1/NDEATH/line3-gw');
    expect(w1).toMatchObject({ qos: 1, retain: false });
    const d1 = dec(w1);
    expect(d1.seq).toBeUndefined();
    expect(d1.metrics).toEqual([{ name: 'bdSeq', timestamp: T0, datatype: DataType.Int64, value: 254n }]);
    const nbirth = dec(edge.onConnected()[0]);
    expect(nbirth.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(254n);
    expect(dec(edge.will()).metrics[0]?.value).toBe(255n);
    expect(dec(edge.will()).metrics[0]?.value).toBe(0n);
    expect(edge.nextBdSeq).toBe(1);
  });

  test('births: NBIRTH seq 0 with Node Control/Rebirth=false, then a DBIRTH per device with every metric', () => {
    const { edge, births } = connected();
    expect(births.map((m) => m.topic)).toEqual([
      'spBv1.0/cq-plant1/NBIRTH/line3-gw',
      'spBv1.0/cq-plant1/DBIRTH/line3-gw/press-07',
      'spBv1.0/cq-plant1/DBIRTH/line3-gw/lathe-03',
    ]);
    expect(births.every((m) => m.qos === 1 && !m.retain)).toBe(true);
    const [nb, db1, db2] = births.map(dec);
    expect(nb?.seq).toBe(0);
    expect(nb?.metrics).toContainEqual({
      name: 'Node Control/Rebirth',
      timestamp: T0,
      datatype: DataType.Boolean,
      value: false,
    });
    expect(db1?.seq).toBe(1);
    expect(db2?.seq).toBe(2);
    expect(db1?.metrics).toEqual([
      {
        name: 'power_kw',
        alias: 1n,
        timestamp: T0,
        datatype: DataType.Float,
        isNull: true,
        value: null,
        properties: [{ key: 'engUnit', type: DataType.String, value: 'kW' }],
      },
      { name: 'part_count', alias: 2n, timestamp: T0, datatype: DataType.UInt64, isNull: true, value: null },
    ]);
    expect(db2?.metrics[0]).toMatchObject({ name: 'state', alias: 3n, datatype: DataType.String });
    expect(edge.canPublishData()).toBe(true);
  });

  test('DDATA carries aliases only, no names or datatypes, exact 64-bit values, and continues the seq', () => {
    const { edge } = connected();
    const msg = edge.data('press-07', [
      s('power_kw', 12.5),
      s('part_count', 2n ** 64n - 1n, { quality: 'uncertain' }),
    ]);
    expect(msg?.topic).toBe('spBv1.0/cq-plant1/DDATA/line3-gw/press-07');
    const p = dec(msg);
    expect(p.seq).toBe(3);
    expect(p.timestamp).toBe(T0);
    expect(p.metrics).toEqual([
      { alias: 1n, timestamp: T0 - 100, value: 12.5 },
      {
        alias: 2n,
        timestamp: T0 - 100,
        value: 2n ** 64n - 1n,
        properties: [{ key: 'Quality', type: DataType.Int32, value: 64 }],
      },
    ]);
  });

  test('seq wraps 255 → 0 across every message of the session; a rebirth restarts it at 0', () => {
    const { edge } = connected();
    const seqs: number[] = [];
    for (let i = 0; i < 300; i++) seqs.push(dec(edge.data('press-07', [s('power_kw', i)])).seq ?? -1);
    expect(seqs[0]).toBe(3);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(((seqs[i - 1] ?? 0) + 1) % 256);
    expect(seqs).toContain(0);
    const down = edge.deviceDown('lathe-03', 'modbus timeout');
    expect(dec(down).seq).toBe(((seqs.at(-1) ?? 0) + 1) % 256);
  });

  test('historical replays are flagged is_historical and carry the current session seq', () => {
    const { edge } = connected();
    const p = dec(
      edge.data('press-07', [s('power_kw', 1, { timestamp: T0 - 3_600_000 })], { historical: true }),
    );
    expect(p.seq).toBe(3);
    expect(p.metrics[0]).toMatchObject({ isHistorical: true, timestamp: T0 - 3_600_000 });
    const q = dec(edge.data('press-07', [s('power_kw', 2, { historical: true })]));
    expect(q.metrics[0]?.isHistorical).toBe(true);
  });

  test('data is refused (undefined + event) before births, for unknown or dead devices; bad samples are dropped', () => {
    const edge = new EdgeNode(opts());
    expect(edge.data('press-07', [s('power_kw', 1)])).toBeUndefined();
    expect(edge.takeEvents()).toEqual([
      { type: 'data-refused', device: 'press-07', samples: 1, reason: 'not-connected' },
    ]);
    edge.will();
    edge.onConnected();
    edge.takeEvents();
    expect(edge.data('nope', [s('power_kw', 1, { device: 'nope' })])).toBeUndefined();
    expect(edge.takeEvents()[0]).toMatchObject({ type: 'data-refused', reason: 'unknown-device' });
    expect(edge.deviceDown('press-07', 'timeout')?.topic).toBe('spBv1.0/cq-plant1/DDEATH/line3-gw/press-07');
    expect(edge.data('press-07', [s('power_kw', 1)])).toBeUndefined();
    expect(edge.takeEvents()[0]).toMatchObject({ type: 'data-refused', reason: 'device-not-born' });
    edge.deviceUp('press-07');
    const p = dec(edge.data('press-07', [s('power_kw', 1), s('bogus', 1), s('part_count', 'x')]));
    expect(p.metrics).toHaveLength(1);
    expect(edge.takeEvents()).toEqual([
      expect.objectContaining({ type: 'sample-dropped', metric: 'bogus' }),
      expect.objectContaining({ type: 'sample-dropped', metric: 'part_count' }),
    ]);
    expect(edge.data('press-07', [s('bogus', 1)])).toBeUndefined();
  });

  test('deviceDown → DDEATH once; deviceUp → DBIRTH with the last known values', () => {
    const { edge } = connected();
    edge.data('press-07', [s('power_kw', 7.5, { timestamp: T0 - 50 }), s('part_count', 42n)]);
    edge.data('press-07', [s('power_kw', 1, { timestamp: T0 - 5000, historical: true })], {
      historical: true,
    });
    const death = edge.deviceDown('press-07', 'timeout');
    expect(dec(death).metrics).toEqual([]);
    expect(edge.deviceDown('press-07', 'timeout')).toBeUndefined();
    const birth = dec(edge.deviceUp('press-07'));
    expect(birth.metrics.map((m) => [m.name, m.value, m.timestamp])).toEqual([
      ['power_kw', 7.5, T0 - 50],
      ['part_count', 42n, T0 - 100],
    ]);
    expect(edge.deviceUp('press-07')).toBeUndefined();
  });

  test('NCMD Node Control/Rebirth → full births with the same bdSeq; other commands and DCMD are refused', async () => {
    const { encodePayload } = await import('../../../protocols/sparkplug/index.js');
    const { edge } = connected();
    edge.data('press-07', [s('power_kw', 3)]);
    edge.takeEvents();
    const rebirth = encodePayload({
      timestamp: T0,
      metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }],
    });
    const r = edge.onMessage('spBv1.0/cq-plant1/NCMD/line3-gw', rebirth);
    expect(r.out.map((m) => m.topic.split('/')[2])).toEqual(['NBIRTH', 'DBIRTH', 'DBIRTH']);
    expect(dec(r.out[0]).seq).toBe(0);
    expect(dec(r.out[0]).metrics[0]?.value).toBe(0n);
    expect(dec(r.out[1]).metrics[0]?.value).toBe(3);
    expect(r.events).toEqual([{ type: 'births-published', reason: 'rebirth-requested', devices: 2 }]);

    const write = encodePayload({
      metrics: [{ name: 'Node Control/Reboot', datatype: DataType.Boolean, value: true }],
    });
    expect(edge.onMessage('spBv1.0/cq-plant1/NCMD/line3-gw', write)).toEqual({
      out: [],
      events: [
        expect.objectContaining({ type: 'command-refused', reason: expect.stringContaining('Reboot') }),
      ],
    });
    const dcmd = edge.onMessage('spBv1.0/cq-plant1/DCMD/line3-gw/press-07', write);
    expect(dcmd.out).toEqual([]);
    expect(dcmd.events[0]).toMatchObject({ type: 'command-refused', device: 'press-07' });
    const other = edge.onMessage('spBv1.0/cq-plant1/NCMD/other-gw', rebirth);
    expect(other).toEqual({ out: [], events: [expect.objectContaining({ type: 'message-ignored' })] });
    const garbage = edge.onMessage('spBv1.0/cq-plant1/NCMD/line3-gw', new Uint8Array([0xff, 0xff]));
    expect(garbage).toEqual({ out: [], events: [expect.objectContaining({ type: 'message-ignored' })] });
    expect(edge.subscriptions()).toEqual([
      'spBv1.0/cq-plant1/NCMD/line3-gw',
      'spBv1.0/cq-plant1/DCMD/line3-gw/+',
    ]);
  });

  test('with a primary host: no births until STATE online; STATE offline → NDEATH, stop data, ask to disconnect', () => {
    const { edge, births } = connected({ primaryHost: 'plantpulse-cloud' });
    expect(births).toEqual([]);
    expect(edge.subscriptions()).toContain('spBv1.0/STATE/plantpulse-cloud');
    expect(edge.takeEvents()).toEqual([{ type: 'waiting-for-primary-host', hostId: 'plantpulse-cloud' }]);
    expect(edge.canPublishData()).toBe(false);
    expect(edge.data('press-07', [s('power_kw', 1)])).toBeUndefined();
    expect(edge.takeEvents()[0]).toMatchObject({ reason: 'waiting-for-primary-host' });

    const bad = edge.onMessage('spBv1.0/STATE/plantpulse-cloud', new TextEncoder().encode('ONLINE'));
    expect(bad.events[0]).toMatchObject({ type: 'message-ignored' });
    const online = edge.onMessage('spBv1.0/STATE/plantpulse-cloud', stateMsg(true, 1000));
    expect(online.out.map((m) => m.topic.split('/')[2])).toEqual(['NBIRTH', 'DBIRTH', 'DBIRTH']);
    expect(edge.canPublishData()).toBe(true);
    expect(edge.onMessage('spBv1.0/STATE/plantpulse-cloud', stateMsg(true, 1000)).out).toEqual([]);

    const stale = edge.onMessage('spBv1.0/STATE/plantpulse-cloud', stateMsg(false, 999));
    expect(stale.out).toEqual([]);
    expect(edge.canPublishData()).toBe(true);

    const offline = edge.onMessage('spBv1.0/STATE/plantpulse-cloud', stateMsg(false, 2000));
    expect(offline.out.map((m) => m.topic)).toEqual(['spBv1.0/cq-plant1/NDEATH/line3-gw']);
    expect(offline.events).toContainEqual({
      type: 'primary-host-offline',
      hostId: 'plantpulse-cloud',
      timestamp: 2000,
      disconnect: true,
    });
    expect(edge.canPublishData()).toBe(false);
    expect(edge.data('press-07', [s('power_kw', 1)])).toBeUndefined();
  });

  test('a reconnect waits for STATE again and starts a fresh session', () => {
    const { edge } = connected({ primaryHost: 'h' });
    edge.onMessage('spBv1.0/STATE/h', stateMsg(true, 1));
    edge.onDisconnected();
    expect(edge.canPublishData()).toBe(false);
    expect(dec(edge.will()).metrics[0]?.value).toBe(1n);
    expect(edge.onConnected()).toEqual([]);
    const births = edge.onMessage('spBv1.0/STATE/h', stateMsg(true, 1)).out;
    expect(dec(births[0]).metrics.find((m) => m.name === 'bdSeq')?.value).toBe(1n);
  });

  test('qos 0 option for strict Sparkplug conformance (the will stays QoS 1)', () => {
    const edge = new EdgeNode(opts({ qos: 0 }));
    expect(edge.will().qos).toBe(1);
    expect(edge.onConnected().every((m) => m.qos === 0)).toBe(true);
  });
});

describe('EdgeNode (JSON mode)', () => {
  test('node status is a retained will/birth; data and device deaths are JSON on plantpulse/v1', () => {
    const edge = new EdgeNode(opts({ format: 'json' }));
    const will = edge.will();
    expect(will).toMatchObject({ topic: 'plantpulse/v1/cq-plant1/line3-gw', qos: 1, retain: true });
    expect(decodeUnifiedNodeStatus(will.payload)).toEqual({ ts: T0, online: false });
    const births = edge.onConnected();
    expect(births.map((m) => m.topic)).toEqual([
      'plantpulse/v1/cq-plant1/line3-gw',
      'plantpulse/v1/cq-plant1/line3-gw/press-07',
      'plantpulse/v1/cq-plant1/line3-gw/lathe-03',
    ]);
    expect(edge.subscriptions()).toEqual([]);
    const data = edge.data('press-07', [s('power_kw', 2.5), s('part_count', 2n ** 60n, { quality: 'bad' })], {
      historical: true,
    });
    expect(decodeUnifiedDevice(data?.payload ?? new Uint8Array())).toEqual({
      ts: T0,
      seq: 3,
      metrics: [
        { name: 'power_kw', value: 2.5, ts: T0 - 100, q: 'good', historical: true },
        { name: 'part_count', value: (2n ** 60n).toString(), ts: T0 - 100, q: 'bad', historical: true },
      ],
    });
    const down = edge.deviceDown('lathe-03', 'no current');
    expect(decodeUnifiedDevice(down?.payload ?? new Uint8Array())).toEqual({
      ts: T0,
      seq: 4,
      online: false,
      reason: 'no current',
      metrics: [],
    });
  });
});
