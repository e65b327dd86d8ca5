/**
 * The ingester's bounds and warning limit without a broker (README "Security / Ingester"): JSON-mode devices and
 * metric names past the bounds, the mapper's per-node memory across rebirths with new device names, and warnings
 * at most `max` per code per window, the next one saying how many were left out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostApplication, type HostResult } from '../../../cloud/host/host-application.js';
import { DeadLetterFile } from '../../../cloud/ingest/dead-letter.js';
import { createMessageHandler } from '../../../cloud/ingest/message-handler.js';
import { HostPointMapper } from '../../../cloud/ingest/points-from-host.js';
import { DataType, encodePayload } from '../../../protocols/sparkplug/index.js';
import { encodeUnifiedDevice } from '../../../protocols/unified/index.js';
import { captureLog } from '../../helpers/log-capture.js';

const T0 = 1767225600000;
const json = (metrics: Record<string, number>, seq = 0) =>
  encodeUnifiedDevice({
    ts: T0,
    seq,
    metrics: Object.entries(metrics).map(([name, value]) => ({ name, value, ts: T0, q: 'good' as const })),
  });

describe('JSON-mode bounds', () => {
  it('refuses a device past maxDevicesPerNode and new metric names past maxMetricsPerDevice, keeping the known ones', () => {
    const host = new HostApplication({
      hostId: 'h',
      format: 'json',
      clock: () => T0,
      maxDevicesPerNode: 2,
      maxMetricsPerDevice: 2,
    });
    const topic = (d: string) => `plantpulse/v1/p1/gw1/${d}`;
    expect(host.handle(topic('a'), json({ x: 1, y: 2 })).samples).toHaveLength(2);
    expect(host.handle(topic('b'), json({ x: 1 }, 1)).samples).toHaveLength(1);
    const c = host.handle(topic('c'), json({ x: 1 }, 2));
    expect(c.samples.toArray()).toEqual([]);
    expect(c.status).toEqual([]);
    expect(c.problems).toEqual([expect.objectContaining({ code: 'DEVICE_LIMIT', dropped: 1 })]);
    const a = host.handle(topic('a'), json({ x: 3, z: 4, w: 5 }, 3));
    expect(a.samples.toArray().map((s) => [s.metric, s.value])).toEqual([['x', 3]]);
    expect(a.problems).toEqual([expect.objectContaining({ code: 'METRIC_LIMIT', dropped: 2 })]);
    // the other node has its own bound
    expect(host.handle('plantpulse/v1/p1/gw2/c', json({ x: 1 })).samples).toHaveLength(1);
  });
});

describe('mapper memory per node', () => {
  it('keeps at most maxDevicesPerNode devices (and the node) however many device names rebirths bring', () => {
    const host = new HostApplication({ hostId: 'h', clock: () => T0, maxDevicesPerNode: 3 });
    const mapper = new HostPointMapper({ maxDevicesPerNode: 3 });
    const bd = { name: 'bdSeq', datatype: DataType.Int64, value: 0n, timestamp: T0 };
    const v = { name: 'v', datatype: DataType.Double, value: 1, timestamp: T0 };
    const feed = (topic: string, seq: number, metrics: (typeof v | typeof bd)[]): HostResult => {
      const r = host.handle(topic, encodePayload({ timestamp: T0, seq, metrics }));
      mapper.map(r);
      return r;
    };
    for (let round = 0; round < 20; round++) {
      feed('spBv1.0/p1/NBIRTH/gw1', 0, [bd]);
      for (let i = 0; i < 3; i++) {
        const r = feed(`spBv1.0/p1/DBIRTH/gw1/dev-${round}-${i}`, i + 1, [v]);
        expect(r.samples).toHaveLength(1);
      }
    }
    expect(mapper.trackedDevices).toBe(3 + 1);
  });
});

describe('warning limit', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('logs at most max warnings per code per window; the next one says how many were left out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-warn-'));
    dirs.push(dir);
    const { log, lines } = captureLog('info');
    let now = T0;
    const handler = createMessageHandler({
      host: new HostApplication({ hostId: 'h', clock: () => now }),
      mapper: new HostPointMapper(),
      writer: { writeBatch: async () => undefined },
      dead: new DeadLetterFile(join(dir, 'dead-letter.jsonl'), log),
      log,
      command: async () => undefined,
      warnings: { max: 2, windowMs: 60_000 },
      clock: () => now,
    });
    const garbage = () =>
      handler.handle('spBv1.0/p1/DDATA/gw1/d', Buffer.from([0xff, 0xff]), AbortSignal.timeout(5000));
    for (let i = 0; i < 5; i++) await garbage();
    const warned = () => lines.filter((l) => l['msg'] === 'message problem' && l['code'] === 'SPB_DECODE');
    expect(warned()).toHaveLength(2);
    expect(handler.stats().warningsSuppressed).toBe(3);
    expect(handler.stats().problems['SPB_DECODE']).toBe(5);
    now += 60_000;
    await garbage();
    expect(warned()).toHaveLength(3);
    expect(warned()[2]).toMatchObject({ suppressed: 3 });
  });
});
