import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { IngestFeed } from '../../../cloud/api/ingest-feed.js';
import { LiveBus, type LiveEvent } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';

const live = new LiveBus();
const registry = new DeviceRegistry();
const feed = new IngestFeed(registry, live, { clock: () => 1000 });
let app: ReturnType<typeof createApiServer>;

beforeAll(async () => {
  app = createApiServer({
    config: apiConfig({ port: 0, anonymous: 'viewer' }),
    influx: { url: influxUrl(), database: await freshDatabase('feed') },
    live,
    log: pino({ level: 'silent' }),
    site: 'cq-plant1',
    registry,
    deviceTags: { 'press-07': { line: 'line3' }, 'cnc-01': { line: 'line3' } },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

describe('IngestFeed: births, deaths and samples reach the registry and the live bus', () => {
  it('a DBIRTH registers the device online with its metrics and announces it', async () => {
    const sub = live.subscribe();
    feed.onHostResult({
      births: [
        { site: 'cq-plant1', node: 'line3-gw', metrics: [] },
        {
          site: 'cq-plant1',
          node: 'line3-gw',
          device: 'press-07',
          metrics: [{ name: 'power_kw', kind: 'float', unit: 'kW' }],
        },
        {
          site: 'cq-plant1',
          node: 'line3-gw',
          device: 'cnc-01',
          metrics: [{ name: 'spindle_rpm', kind: 'int32' }],
        },
      ],
      status: [],
      samples: HostSamples.of([
        {
          site: 'cq-plant1',
          node: 'line3-gw',
          device: 'press-07',
          metric: 'power_kw',
          value: 41.5,
          quality: 'good',
          timestamp: 900,
        },
        {
          site: 'cq-plant1',
          node: 'line3-gw',
          device: 'press-07',
          metric: 'power_kw',
          value: 7,
          quality: 'bad',
          timestamp: 950,
        },
      ]),
    });
    const batch = await sub.take();
    sub.close();
    expect(batch?.events.map((e: LiveEvent) => e.type)).toEqual(['status', 'status', 'value', 'value']);
    // numbered by the bus in publish order
    const seqs = batch?.events.map((e) => e.seq ?? 0) ?? [];
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    expect(batch?.events[2]).toEqual({
      seq: seqs[2],
      type: 'value',
      site: 'cq-plant1',
      device: 'press-07',
      metric: 'power_kw',
      value: 41.5,
      quality: 'good',
      timestamp: 900,
      unit: 'kW',
    });
    expect(batch?.events[3]).toMatchObject({ value: null, quality: 'bad' });
    const r = await app.inject({ method: 'GET', url: '/api/v1/devices/press-07' });
    expect(r.json()).toMatchObject({
      online: true,
      node: 'line3-gw',
      metrics: [{ name: 'power_kw', unit: 'kW' }],
    });
  });

  it('an NDEATH takes every device of the node offline, and the overview shows them offline', async () => {
    const sub = live.subscribe({ filter: (e) => e.type === 'status' });
    feed.onHostResult({
      births: [],
      samples: new HostSamples(),
      status: [{ site: 'cq-plant1', node: 'line3-gw', online: false, reason: 'NDEATH', timestamp: 2000 }],
    });
    const batch = await sub.take();
    sub.close();
    expect(batch?.events.map((e) => (e.type === 'status' ? [e.device, e.online] : []))).toEqual([
      ['cnc-01', false],
      ['press-07', false],
    ]);
    const devices = (await app.inject({ method: 'GET', url: '/api/v1/devices' })).json() as {
      online: boolean;
      since: number;
    }[];
    expect(devices.every((d) => d.online === false && d.since === 2000)).toBe(true);
    const ov = (await app.inject({ method: 'GET', url: '/api/v1/overview' })).json() as {
      tiles: { state: string }[];
    };
    expect(ov.tiles.map((t) => t.state)).toEqual(['offline', 'offline']);
  });

  it('passes analytics events through', async () => {
    const sub = live.subscribe();
    feed.onAnalyticsEvents([
      { type: 'state', site: 'cq-plant1', device: 'cnc-01', state: 'down', timestamp: 3000 },
    ]);
    expect((await sub.take())?.events).toEqual([
      {
        seq: live.seq,
        type: 'state',
        site: 'cq-plant1',
        device: 'cnc-01',
        state: 'down',
        timestamp: 3000,
      },
    ]);
    sub.close();
  });
});
