/**
 * A minimal Sparkplug host built on Eclipse Tahu's decoder (`sparkplug-payload`) follows a whole scripted session of
 * our EdgeNode and checks the edge-node rules of Sparkplug B 3.0 independently of our own decoder: bdSeq in will and
 * NBIRTH, NBIRTH seq 0 with Node Control/Rebirth=false, DBIRTH only after NBIRTH, name+alias+datatype in births,
 * aliases only in DDATA, seq +1 (mod 256) on every message, DDEATH/DBIRTH per device. The rebirth command it sends
 * is encoded by Tahu's encoder.
 */
import { createRequire } from 'node:module';
import sparkplugPayload from 'sparkplug-payload';
import { expect, test } from 'vitest';
import { EdgeNode, type OutMsg } from '../../../agent/publish/edge-node.js';
import type { Sample } from '../../../protocols/sample.js';

const tahuOrNull = sparkplugPayload.get('spBv1.0');
if (!tahuOrNull) throw new Error('no Tahu codec');
const tahu = tahuOrNull;
type RawMetric = {
  name?: string;
  alias?: unknown;
  datatype?: number;
  intValue?: number;
  longValue?: unknown;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
  isNull?: boolean;
  isHistorical?: boolean;
  hasOwnProperty(k: string): boolean;
};
const TahuPayload = (
  createRequire(import.meta.url)('sparkplug-payload/lib/sparkplugPayloadProto.js') as {
    org: {
      eclipse: {
        tahu: { protobuf: { Payload: { decode(b: Uint8Array): { seq?: unknown; metrics: RawMetric[] } } } };
      };
    };
  }
).org.eclipse.tahu.protobuf.Payload;

const num = (x: unknown): number => Number(String(x));
const big = (x: unknown): bigint => BigInt(String(x));

/** Tahu-based host: records what it saw and throws on any rule violation. */
class TahuHost {
  seq: number | undefined;
  bdSeq: bigint | undefined;
  nodeBorn = false;
  readonly devices = new Map<string, Map<string, { name: string; type: string }>>();
  readonly values: [string, string, unknown, boolean][] = [];
  readonly log: string[] = [];

  receive(m: OutMsg): void {
    const [, , type, , device] = m.topic.split('/');
    this.log.push(device ? `${type}:${device}` : String(type));
    if (type === 'NDEATH') {
      const p = tahu.decodePayload(m.payload);
      expect(p.seq).toBeUndefined();
      expect(p.metrics?.map((x) => [x.name, x.type])).toEqual([['bdSeq', 'Int64']]);
      expect(big(p.metrics?.[0]?.value)).toBe(this.bdSeq);
      this.nodeBorn = false;
      return;
    }
    const p = tahu.decodePayload(m.payload);
    const seq = num(p.seq);
    if (type === 'NBIRTH') {
      expect(seq).toBe(0);
      const bd = p.metrics?.find((x) => x.name === 'bdSeq');
      expect(bd?.type).toBe('Int64');
      this.bdSeq = big(bd?.value);
      expect(p.metrics?.find((x) => x.name === 'Node Control/Rebirth')).toMatchObject({
        type: 'Boolean',
        value: false,
      });
      this.nodeBorn = true;
      this.devices.clear();
    } else {
      expect(this.nodeBorn).toBe(true);
      expect(seq).toBe(((this.seq ?? -1) + 1) % 256);
    }
    this.seq = seq;
    if (type === 'DBIRTH' && device) {
      const defs = new Map<string, { name: string; type: string }>();
      for (const x of p.metrics ?? []) {
        expect(x.name).toBeTypeOf('string');
        expect(x.alias).toBeDefined();
        expect(x.type).toBeTypeOf('string');
        defs.set(String(x.alias), { name: x.name ?? '', type: x.type });
        if (x.value !== null) this.values.push([device, x.name ?? '', this.norm(x.type, x.value), false]);
      }
      this.devices.set(device, defs);
    }
    if (type === 'DDEATH' && device) this.devices.delete(device);
    if (type === 'DDATA' && device) {
      const defs = this.devices.get(device);
      expect(defs, `DDATA for ${device} without DBIRTH`).toBeDefined();
      for (const raw of TahuPayload.decode(m.payload).metrics) {
        expect(Object.hasOwn(raw, 'name')).toBe(false);
        const def = defs?.get(String(raw.alias));
        expect(def, `alias ${String(raw.alias)} not in DBIRTH`).toBeDefined();
        this.values.push([
          device,
          def?.name ?? '',
          this.rawValue(def?.type ?? '', raw),
          raw.isHistorical === true,
        ]);
      }
    }
  }

  norm(type: string, v: unknown): unknown {
    return type === 'UInt64' || type === 'Int64' ? big(v) : type === 'Float' ? Math.fround(Number(v)) : v;
  }

  rawValue(type: string, raw: RawMetric): unknown {
    if (raw.isNull) return null;
    if (type === 'UInt64' || type === 'Int64') return big(raw.longValue);
    if (type === 'Float') return raw.floatValue;
    if (type === 'Double') return raw.doubleValue;
    if (type === 'Boolean') return raw.booleanValue;
    if (type === 'String') return raw.stringValue;
    return raw.intValue;
  }
}

test('a Tahu-decoder host follows births, data, rebirth, DDEATH and DBIRTH of our EdgeNode', () => {
  let now = 1767225600000;
  const edge = new EdgeNode({
    site: 'cq-plant1',
    node: 'line3-gw',
    clock: () => now,
    qos: 0,
    devices: [
      {
        id: 'press-07',
        metrics: [
          { name: 'power_kw', kind: 'float', unit: 'kW' },
          { name: 'part_count', kind: 'uint64' },
          { name: 'running', kind: 'boolean' },
        ],
      },
      { id: 'lathe-03', metrics: [{ name: 'state', kind: 'string' }] },
    ],
  });
  const host = new TahuHost();
  const sample = (device: string, metric: string, value: Sample['value']): Sample => ({
    device,
    metric,
    value,
    timestamp: now,
    quality: 'good',
  });
  const send = (m: OutMsg | OutMsg[] | undefined) => {
    for (const x of Array.isArray(m) ? m : m ? [m] : []) {
      expect(x.qos).toBe(x.topic.includes('/NDEATH/') ? 1 : 0); // the will is QoS 1 (spec)
      expect(x.retain).toBe(false);
      host.receive(x);
    }
  };

  const will = edge.will();
  send(edge.onConnected());
  for (let i = 0; i < 300; i++) {
    now += 1000;
    send(
      edge.data('press-07', [
        sample('press-07', 'power_kw', i / 4),
        sample('press-07', 'part_count', 2n ** 63n + BigInt(i)),
      ]),
    );
  }
  send(edge.data('lathe-03', [sample('lathe-03', 'state', 'running')], { historical: true }));

  // the host asks for a rebirth with a Tahu-encoded NCMD
  const ncmd = tahu.encodePayload({
    timestamp: now,
    metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true, timestamp: now }],
  });
  const rebirth = edge.onMessage('spBv1.0/cq-plant1/NCMD/line3-gw', ncmd);
  expect(rebirth.events).toContainEqual({
    type: 'births-published',
    reason: 'rebirth-requested',
    devices: 2,
  });
  send(rebirth.out);
  send(edge.data('press-07', [sample('press-07', 'running', true)]));
  send(edge.deviceDown('lathe-03', 'no current'));
  expect(edge.data('lathe-03', [sample('lathe-03', 'state', 'idle')])).toBeUndefined();
  send(edge.deviceUp('lathe-03'));
  send(edge.data('lathe-03', [sample('lathe-03', 'state', 'idle')]));
  send(will); // the broker delivers the will when the link dies

  expect(host.log.slice(0, 3)).toEqual(['NBIRTH', 'DBIRTH:press-07', 'DBIRTH:lathe-03']);
  expect(host.log.slice(-9)).toEqual([
    'DDATA:lathe-03',
    'NBIRTH',
    'DBIRTH:press-07',
    'DBIRTH:lathe-03',
    'DDATA:press-07',
    'DDEATH:lathe-03',
    'DBIRTH:lathe-03',
    'DDATA:lathe-03',
    'NDEATH',
  ]);
  const press = host.values.filter(([d, m, , h]) => d === 'press-07' && m === 'part_count' && !h);
  expect(press.slice(0, 300).map(([, , v]) => v)).toEqual(
    Array.from({ length: 300 }, (_, i) => 2n ** 63n + BigInt(i)),
  );
  expect(host.values).toContainEqual(['lathe-03', 'state', 'running', true]);
  // the rebirth's DBIRTH carries the last known values
  expect(host.values).toContainEqual(['press-07', 'power_kw', 299 / 4, false]);
  expect(host.values.at(-1)).toEqual(['lathe-03', 'state', 'idle', false]);
});
