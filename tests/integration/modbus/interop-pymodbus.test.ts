import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import type { Sample } from '../../../protocols/sample.js';
import { captureLogger, deviceConfig } from './helpers.js';
import { type PymodbusPeer, startPymodbusPeer } from './pymodbus-peer.js';

/**
 * Interop with an independent peer: a Debian python3-pymodbus server encodes known values with its own payload
 * builder, for every type and byte/word order; the agent must decode exactly those values.
 */
type PeerPoint = ModbusPointSpec & { value: number | string | boolean };

const O32 = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
const O64 = ['ABCDEFGH', 'GHEFCDAB', 'BADCFEHG', 'HGFEDCBA'] as const;

function layout(): PeerPoint[] {
  const pts: PeerPoint[] = [];
  let a = 0;
  const add = (p: Omit<PeerPoint, 'name' | 'address'>, width: number) => {
    pts.push({ ...p, name: `p${pts.length}`, address: a } as PeerPoint);
    a += width;
  };
  add({ table: 'holding', type: 'int16', value: -12345 }, 1);
  add({ table: 'holding', type: 'uint16', value: 54321 }, 1);
  add({ table: 'holding', type: 'uint16', order: 'BADC', value: 0x1234 }, 1);
  for (const order of O32) {
    add({ table: 'holding', type: 'int32', order, value: -123456789 }, 2);
    add({ table: 'holding', type: 'uint32', order, value: 3_000_000_001 }, 2);
    add({ table: 'holding', type: 'float32', order, value: 123.456 }, 2);
  }
  for (const order of O64) {
    add({ table: 'holding', type: 'int64', order, value: '-1234567890123456789' }, 4);
    add({ table: 'holding', type: 'uint64', order, value: '18000000000000000001' }, 4);
    add({ table: 'holding', type: 'float64', order, value: -9876.54321 }, 4);
  }
  add({ table: 'holding', type: 'string', length: 5, value: 'PRESS-7' }, 5);
  add({ table: 'holding', type: 'bool', bit: 3, value: true }, 0);
  add({ table: 'holding', type: 'bool', bit: 4, value: false }, 1);
  add({ table: 'holding', type: 'int16', scale: 0.1, offset: -40, value: 650 }, 1);
  add({ table: 'input', type: 'float32', order: 'CDAB', scale: 0.001, unit: 'kW', value: 45123 }, 2);
  pts.push({ name: 'coil7', table: 'coil', address: 7, value: true });
  pts.push({ name: 'coil8', table: 'coil', address: 8, value: false });
  pts.push({ name: 'di3', table: 'discrete', address: 3, value: true });
  return pts;
}

function expected(p: PeerPoint): unknown {
  if (p.type === 'int64' || p.type === 'uint64') return BigInt(p.value as string);
  if (p.type === 'float32' && p.scale === undefined) return Math.fround(p.value as number);
  if (p.scale !== undefined)
    return (
      (p.type === 'float32' ? Math.fround(p.value as number) : (p.value as number)) * p.scale +
      (p.offset ?? 0)
    );
  if (p.type === 'string') return (p.value as string).slice(0, (p.length ?? 0) * 2);
  return p.value;
}

let peer: PymodbusPeer | undefined;
let port = 0;
const points = layout();

beforeAll(async () => {
  peer = await startPymodbusPeer(points.map(({ name: _n, ...p }) => p));
  port = peer.port;
});

afterAll(() => {
  peer?.close();
});

describe('agent ⇄ pymodbus server (independent peer)', () => {
  it('decodes every type and byte/word order exactly as pymodbus encoded it', async () => {
    const { log } = captureLogger();
    const specs = points.map(({ value: _v, ...p }) => p);
    const src = createModbusSource(deviceConfig('peer', `tcp://127.0.0.1:${port}`, specs, { maxGap: 0 }), {
      log,
    });
    try {
      await src.connect(AbortSignal.timeout(10_000));
      const r = await src.read(0, AbortSignal.timeout(10_000));
      expect(r.failures).toEqual([]);
      const got = new Map<string, Sample>(r.samples.map((s) => [s.metric, s]));
      for (const p of points) {
        const s = got.get(p.name);
        const label = `${p.name} ${p.table} ${p.address} ${p.type ?? ''} ${p.order ?? ''}`;
        expect(s?.quality, label).toBe('good');
        const want = expected(p);
        if (typeof want === 'number' && !Number.isInteger(want))
          expect(s?.value as number, label).toBeCloseTo(want, 9);
        else expect(s?.value, label).toEqual(want);
      }
    } finally {
      await src.close();
    }
  });

  it("pymodbus's exception 2 for an unmapped register marks only that request bad", async () => {
    const { log } = captureLogger();
    const specs: ModbusPointSpec[] = [
      { name: 'known', table: 'holding', address: 0, type: 'int16' },
      { name: 'unmapped', table: 'holding', address: 5000, type: 'uint16' },
    ];
    const src = createModbusSource(deviceConfig('peer', `tcp://127.0.0.1:${port}`, specs, { maxGap: 0 }), {
      log,
    });
    try {
      await src.connect(AbortSignal.timeout(10_000));
      const r = await src.read(0, AbortSignal.timeout(10_000));
      expect(r.failures).toEqual([
        expect.objectContaining({ code: 'MODBUS_EXCEPTION', detail: 2, linkFault: false }),
      ]);
      // the failure names the points it made bad, so a reader can say why each is bad
      expect(r.failures[0]?.metrics).toEqual(['unmapped']);
      const got = Object.fromEntries(r.samples.map((s) => [s.metric, s]));
      expect(got.known).toMatchObject({ value: -12345, quality: 'good' });
      expect(got.unmapped).toMatchObject({ value: null, quality: 'bad' });
    } finally {
      await src.close();
    }
  });
});
