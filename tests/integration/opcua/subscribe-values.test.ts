/**
 * Subscription values end to end against the simulator: every built-in type with the right JavaScript type and
 * metric kind, arrays as indexed metrics, DateTime as epoch ms, structures flattened or as JSON, status → quality
 * with the code kept, source timestamps, refused items published as bad while the rest flows.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { createOpcuaSources } from '../../../agent/sources/opcua/opcua-source.js';
import type { OpcuaSubscriptionSource } from '../../../agent/sources/opcua/subscription-source.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import { TYPE_SHOWCASE_DATE } from '../../../simulators/opcua/models/type-showcase.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { clientPki, device, quietLog, SampleLog, waitFor } from './opcua-fixture.js';

let sim: OpcuaSimulator;
let pki: Awaited<ReturnType<typeof clientPki>>;

beforeAll(async () => {
  [sim, pki] = await Promise.all([startOpcuaSimulator({ model: ['cnc', 'types'], tickMs: 50 }), clientPki()]);
});
afterAll(async () => {
  await sim?.close();
  await pki?.remove();
});

const TYPES = [
  'Boolean',
  'SByte',
  'Byte',
  'Int16',
  'UInt16',
  'Int32',
  'UInt32',
  'Int64',
  'UInt64',
  'Float',
  'Double',
  'String',
  'DateTime',
  'Guid',
  'ByteString',
  'XmlElement',
  'NodeId',
  'ExpandedNodeId',
  'StatusCode',
  'QualifiedName',
  'LocalizedText',
] as const;

async function subscribeTo(
  items: NonNullable<AgentDeviceInput['subscribe']>,
  onMetrics?: (m: readonly MetricInfo[]) => void,
  publishingInterval?: number,
) {
  const dev = device(
    'sim-1',
    {
      endpoint: sim.endpoint,
      securityMode: 'None',
      allowInsecure: true,
      pki: pki.dir,
      ...(publishingInterval === undefined ? {} : { publishingInterval }),
    },
    { subscribe: items },
  );
  const [source] = createOpcuaSources(dev, {
    log: quietLog,
    ...(onMetrics ? { onMetricsChanged: (_d: string, m: readonly MetricInfo[]) => onMetrics(m) } : {}),
  });
  const s = source as OpcuaSubscriptionSource;
  const log = new SampleLog();
  const ctl = new AbortController();
  await s.connect(ctl.signal);
  await s.subscribe(log.push, ctl.signal);
  return {
    source: s,
    log,
    async stop() {
      ctl.abort();
      await s.close();
    },
  };
}

describe('OPC UA subscription values', () => {
  test('every built-in scalar type arrives with its value, kind and source timestamp', async () => {
    let metrics: readonly MetricInfo[] = [];
    const items = TYPES.map((t) => ({
      name: `t_${t.toLowerCase()}`,
      node: sim.nodeId(`Types.${t}`),
      samplingInterval: 100,
    }));
    const sub = await subscribeTo(items, (m) => {
      metrics = m;
    });
    try {
      await waitFor('all types', () => (items.every((i) => sub.log.last(i.name)) ? true : undefined));
      const v = (n: string) => sub.log.last(`t_${n}`);
      expect(v('boolean')?.value).toBe(true);
      expect(v('sbyte')?.value).toBe(-8);
      expect(v('byte')?.value).toBe(200);
      expect(v('int16')?.value).toBe(-1600);
      expect(v('uint16')?.value).toBe(60000);
      expect(v('int32')?.value).toBe(-2_000_000_000);
      expect(v('uint32')?.value).toBe(4_000_000_000);
      expect(v('int64')?.value).toBe(-9_007_199_254_740_993n);
      expect(v('uint64')?.value).toBe(18_000_000_000_000_000_000n);
      expect(v('float')?.value).toBe(1.5);
      expect(v('double')?.value).toBeTypeOf('number');
      expect(v('string')?.value).toBe('hello 世界');
      expect(v('datetime')?.value).toBe(TYPE_SHOWCASE_DATE.getTime());
      expect(String(v('guid')?.value).toUpperCase()).toBe('72962B91-FA75-4AE6-8D28-B404DC7DAF63');
      expect(v('bytestring')?.value).toBe(Buffer.from([1, 2, 3, 250]).toString('base64'));
      expect(v('xmlelement')?.value).toBe('<a>1</a>');
      expect(v('nodeid')?.value).toBe('ns=2;s=CNC01.Spindle.Speed');
      expect(v('expandednodeid')?.value).toBe('ns=2;i=1234');
      expect(v('statuscode')?.value).toBe(0x80340000);
      expect(v('qualifiedname')?.value).toContain('Spindle');
      expect(v('localizedtext')?.value).toBe('Spindelgeschwindigkeit');
      for (const i of items) {
        const s = sub.log.last(i.name);
        expect(s?.quality, i.name).toBe('good');
        expect(s?.device).toBe('sim-1');
        expect(Math.abs((s?.timestamp ?? 0) - Date.now()), `${i.name} timestamp`).toBeLessThan(120_000);
      }
      const kind = (n: string) => metrics.find((m) => m.name === `t_${n}`)?.kind;
      expect(kind('int64')).toBe('int64');
      expect(kind('uint32')).toBe('uint32');
      expect(kind('float')).toBe('float');
      expect(kind('datetime')).toBe('datetime');
      expect(kind('boolean')).toBe('boolean');
      expect(kind('localizedtext')).toBe('string');
      expect(kind('sbyte')).toBe('int8');
    } finally {
      await sub.stop();
    }
  });

  test('arrays become indexed metrics, structures flattened fields or JSON', async () => {
    const sub = await subscribeTo([
      { name: 'pos', node: sim.nodeId('CNC01.Axis.Position'), samplingInterval: 100 },
      { name: 'flags', node: sim.nodeId('Types.BooleanArray') },
      { name: 'travel', node: sim.nodeId('CNC01.Axis.TravelX') },
      { name: 'status', node: 'i=2256', structure: 'json' },
      { name: 'srv', node: 'i=2256' },
    ]);
    try {
      await waitFor('array, structure', () =>
        sub.log.last('pos_2') &&
        sub.log.last('travel_high') &&
        sub.log.last('status') &&
        sub.log.last('srv_buildInfo_productName')
          ? true
          : undefined,
      );
      expect(sub.log.last('pos_0')?.value).toBeTypeOf('number');
      expect(sub.log.last('pos_3')).toBeUndefined();
      expect(sub.log.last('flags_0')?.value).toBe(true);
      expect(sub.log.last('flags_1')?.value).toBe(false);
      expect(sub.log.last('travel_low')?.value).toBe(0);
      expect(sub.log.last('travel_high')?.value).toBe(800);
      expect(sub.log.last('srv_buildInfo_productName')?.value).toBe('plantpulse OPC UA simulator');
      expect(sub.log.last('srv_state')?.value).toBe(0);
      expect(sub.log.last('srv_startTime')?.value).toBeTypeOf('number');
      const json = JSON.parse(String(sub.log.last('status')?.value)) as {
        buildInfo: { productName: string };
      };
      expect(json.buildInfo.productName).toBe('plantpulse OPC UA simulator');
      const names = sub.source.metrics.map((m) => m.name);
      expect(names).toEqual(
        expect.arrayContaining(['pos_0', 'pos_1', 'pos_2', 'travel_low', 'travel_high', 'status']),
      );
      expect(names).not.toContain('pos');
    } finally {
      await sub.stop();
    }
  });

  test('a bad status is published as bad with its code, never as the last good value; uncertain keeps the value', async () => {
    // the setpoint only changes when set, so the model cannot race the forced statuses
    const node = 'CNC01.Spindle.SpeedSetpoint';
    const sub = await subscribeTo([{ name: 'load', node: sim.nodeId(node), samplingInterval: 50 }]);
    try {
      sim.set(node, 55.5);
      await waitFor('good value', () => sub.log.lastWhere('load', (s) => s.value === 55.5));
      sim.set(node, 55.5, { status: 'BadSensorFailure' });
      const bad = await waitFor('bad sample', () => sub.log.lastWhere('load', (s) => s.quality === 'bad'));
      expect(bad.value).toBeNull();
      expect(bad.qualityCode).toBe(0x808c0000);
      sim.set(node, 60.25, { status: 'UncertainLastUsableValue' });
      const unc = await waitFor('uncertain sample', () =>
        sub.log.lastWhere('load', (s) => s.quality === 'uncertain'),
      );
      expect(unc.value).toBe(60.25);
      expect(unc.qualityCode).toBe(0x40900000);
    } finally {
      await sub.stop();
    }
  });

  test('source timestamps are the server-side change time', async () => {
    const sub = await subscribeTo([
      { name: 'setpoint', node: sim.nodeId('CNC01.Spindle.Override'), samplingInterval: 50 },
    ]);
    try {
      await waitFor('initial', () => sub.log.last('setpoint'));
      const before = Date.now();
      sim.set('CNC01.Spindle.Override', 91);
      const after = Date.now();
      const s = await waitFor('changed', () => sub.log.lastWhere('setpoint', (x) => x.value === 91));
      expect(s.timestamp).toBeGreaterThanOrEqual(before);
      expect(s.timestamp).toBeLessThanOrEqual(after);
    } finally {
      await sub.stop();
    }
  });

  test('refused items (unknown node, percent deadband without EURange) are bad with the server code; the rest flows', async () => {
    const sub = await subscribeTo([
      {
        name: 'rpm',
        node: sim.nodeId('CNC01.Spindle.Speed'),
        samplingInterval: 100,
        deadband: { absolute: 5 },
      },
      { name: 'rpm_pct', node: sim.nodeId('CNC01.Spindle.Speed'), deadband: { percent: 1 } },
      { name: 'ghost', node: 'ns=2;s=CNC01.NoSuchThing' },
      { name: 'count_pct', node: sim.nodeId('CNC01.PartCount'), deadband: { percent: 1 } },
    ]);
    try {
      await waitFor('rpm', () => sub.log.lastWhere('rpm', (s) => s.quality === 'good'));
      await waitFor('rpm_pct', () => sub.log.lastWhere('rpm_pct', (s) => s.quality === 'good'));
      const ghost = await waitFor('ghost', () => sub.log.last('ghost'));
      expect(ghost.quality).toBe('bad');
      expect(ghost.qualityCode).toBe(0x80340000); // BadNodeIdUnknown
      const pct = await waitFor('count_pct', () => sub.log.last('count_pct'));
      expect(pct.quality).toBe('bad');
      expect(sub.source.stats.itemsRefused).toBe(2);
      expect(sub.source.stats.itemsMonitored).toBe(2);
    } finally {
      await sub.stop();
    }
  });

  test('per-item queue size, discard policy and absolute deadband are applied by the server', async () => {
    const node = sim.nodeId('CNC01.Spindle.SpeedSetpoint');
    const sub = await subscribeTo(
      [
        // samplingInterval 0: every change is sampled; the queue decides what survives until the next publish
        { name: 'all', node, samplingInterval: 0, queueSize: 10 },
        { name: 'latest', node, samplingInterval: 0, queueSize: 1, discardOldest: true },
        { name: 'newest2', node, samplingInterval: 0, queueSize: 2, discardOldest: true },
        { name: 'oldest2', node, samplingInterval: 0, queueSize: 2, discardOldest: false },
        { name: 'banded', node, samplingInterval: 0, queueSize: 10, deadband: { absolute: 5 } },
      ],
      undefined,
      1000,
    );
    try {
      await waitFor('initial values', () =>
        sub.log.last('all') && sub.log.last('latest') ? true : undefined,
      );
      const mark = sub.log.samples.length;
      // five changes within one publishing interval (set synchronously, so no publish can fall in between)
      for (const v of [7001, 7002, 7010, 7011, 7030]) sim.set('CNC01.Spindle.SpeedSetpoint', v);
      await waitFor('the last value everywhere', () =>
        ['all', 'latest', 'banded', 'newest2', 'oldest2'].every((m) =>
          sub.log.samples.slice(mark).some((s) => s.metric === m && s.value === 7030),
        )
          ? true
          : undefined,
      );
      const valuesOf = (m: string) =>
        sub.log.samples
          .slice(mark)
          .filter((s) => s.metric === m)
          .map((s) => s.value);
      expect(valuesOf('all')).toEqual([7001, 7002, 7010, 7011, 7030]);
      expect(valuesOf('latest')).toEqual([7030]);
      expect(valuesOf('banded')).toEqual([7001, 7010, 7030]);
      // a full queue drops its oldest entry, or (discardOldest false) overwrites its newest one (Part 4 §5.12.1.5)
      expect(valuesOf('newest2')).toEqual([7011, 7030]);
      expect(valuesOf('oldest2')).toEqual([7001, 7030]);
    } finally {
      await sub.stop();
    }
  });
});
