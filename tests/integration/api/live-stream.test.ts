import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBus, type LiveEvent, parseEventId } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { readSse, type SseEvent } from '../../helpers/sse-reader.js';

const TOKEN = 'live-viewer-token-abcdef';
const bus = new LiveBus();
let app: ReturnType<typeof createApiServer>;
let base: string;

const value = (device: string, v: number, t = 1_700_000_000_000 + v): LiveEvent => ({
  type: 'value',
  site: 'cq-plant1',
  device,
  metric: 'power_kw',
  value: v,
  quality: 'good',
  timestamp: t,
});

const readEvents = (url: string, until: (events: SseEvent[]) => boolean, onHello?: () => void) =>
  readSse(url, until, { headers: { authorization: `Bearer ${TOKEN}` }, ...(onHello ? { onHello } : {}) });

beforeAll(async () => {
  const db = await freshDatabase('live');
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [{ name: 'wall', role: 'viewer', tokenHash: hashSecret(TOKEN, { N: 1024, r: 8, p: 1 }) }],
    }),
    influx: { url: influxUrl(), database: db },
    live: bus,
    log: pino({ level: 'silent' }),
    site: 'cq-plant1',
    liveMaxBuffered: 5,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await app?.close();
});

describe('LiveBus', () => {
  it('bounds each subscriber and reports what it dropped', async () => {
    const b = new LiveBus({ maxBuffered: 3 });
    const slow = b.subscribe();
    const fast = b.subscribe({ maxBuffered: 100 });
    for (let i = 0; i < 10; i++) b.publish(value('press-07', i));
    const got = await slow.take();
    expect(got?.dropped).toBe(7);
    expect(got?.events.map((e) => (e.type === 'value' ? e.value : null))).toEqual([7, 8, 9]);
    expect((await fast.take())?.events).toHaveLength(10);
    expect(b.stats()).toMatchObject({ published: 10, dropped: 7, subscribers: 2 });
    slow.close();
    expect(await slow.take()).toBeUndefined();
    expect(b.subscriberCount).toBe(1);
  });

  it('filters, wakes a waiting reader, and stops on abort', async () => {
    const b = new LiveBus();
    const sub = b.subscribe({ filter: (e) => e.device === 'cnc-01' });
    const waiting = sub.take();
    b.publish(value('press-07', 1));
    b.publish(value('cnc-01', 2));
    expect((await waiting)?.events).toEqual([{ ...value('cnc-01', 2), seq: 2 }]);
    const ctrl = new AbortController();
    const aborted = sub.take(ctrl.signal);
    ctrl.abort();
    expect(await aborted).toBeUndefined();
  });
});

describe('LiveBus values without a live client (publishValues)', () => {
  const sample = (
    device: string,
    metric: string,
    v: number,
    t: number,
    quality: 'good' | 'bad' = 'good',
  ) => ({
    site: 'cq-plant1',
    node: 'line3-gw',
    device,
    metric,
    value: v,
    quality,
    timestamp: t,
  });
  const unitOf = (_site: string, _device: string, metric: string) =>
    metric === 'power_kw' ? 'kW' : undefined;

  it('numbers every value and keeps the latest in the view; a later resume replays them as events', async () => {
    const b = new LiveBus({ epoch: 'e2' });
    b.publish(value('press-07', 1, 1000));
    // nobody listens: no event per value, but the view and the numbering go on
    b.publishValues(
      HostSamples.of([
        sample('press-07', 'power_kw', 40, 2000),
        sample('press-07', 'count', 7, 2000),
        sample('press-07', 'power_kw', 5, 1500), // older than what the view holds: the view keeps 40
        sample('cnc-01', 'power_kw', 3, 2100, 'bad'),
      ]),
      unitOf,
    );
    expect(b.seq).toBe(5);
    expect(b.stats()).toMatchObject({ published: 5, delivered: 0 });
    expect(b.view.value('cq-plant1', 'press-07', 'power_kw')).toEqual({
      seq: 2,
      type: 'value',
      site: 'cq-plant1',
      device: 'press-07',
      metric: 'power_kw',
      value: 40,
      quality: 'good',
      timestamp: 2000,
      unit: 'kW',
    });
    expect(b.view.values('cq-plant1', 'press-07').map((e) => [e.metric, e.value])).toEqual([
      ['power_kw', 40],
      ['count', 7],
    ]);
    expect(b.view.value('cq-plant1', 'cnc-01', 'power_kw')).toMatchObject({ value: null, quality: 'bad' });
    // a stream that joins a snapshot taken at seq 1 gets seq 2..5 as the events they would have been
    const joined = b.subscribe({ after: 1 });
    expect(joined.resumed).toBe(true);
    expect((await joined.take())?.events).toEqual([
      { seq: 2, ...value('press-07', 40, 2000), unit: 'kW' },
      { seq: 3, ...value('press-07', 7, 2000), metric: 'count' },
      { seq: 4, ...value('press-07', 5, 1500), unit: 'kW' },
      { seq: 5, ...value('cnc-01', 3, 2100), value: null, quality: 'bad', unit: 'kW' },
    ]);
  });

  it('makes events for the subscribers that want a device, and defers the rest', async () => {
    const b = new LiveBus({ epoch: 'e3' });
    const cnc = b.subscribe({
      filter: (e) => e.device === 'cnc-01',
      wants: { types: new Set(['value'] as const), device: 'cnc-01' },
    });
    const states = b.subscribe({
      filter: (e) => e.type === 'state',
      wants: { types: new Set(['state'] as const) },
    });
    b.publishValues(
      HostSamples.of([sample('press-07', 'power_kw', 1, 10), sample('cnc-01', 'power_kw', 2, 10)]),
      unitOf,
    );
    expect((await cnc.take())?.events).toEqual([{ seq: 2, ...value('cnc-01', 2, 10), unit: 'kW' }]);
    expect(states.buffered).toBe(0);
    expect(b.stats()).toMatchObject({ published: 2, delivered: 1 });
    // the deferred press-07 value is still there for a resume
    const all = b.subscribe({ after: 0 });
    expect((await all.take())?.events.map((e) => [e.seq, e.device])).toEqual([
      [1, 'press-07'],
      [2, 'cnc-01'],
    ]);
  });
});

describe('LiveBus replay ring (Last-Event-ID)', () => {
  it('resumes after any seq still in the ring, in order and filtered; not after one that left it', async () => {
    const b = new LiveBus({ replayCapacity: 4, epoch: 'e1' });
    for (let i = 1; i <= 6; i++) b.publish(value(i % 2 ? 'press-07' : 'cnc-01', i));
    expect(b.lastEventId).toBe('e1:6');
    // the ring holds seq 3..6: resuming after 2 needs 3..6, all there
    const ok = b.subscribe({ after: 2 });
    expect(ok.resumed).toBe(true);
    expect((await ok.take())?.events.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    const filtered = b.subscribe({ after: 2, filter: (e) => e.device === 'cnc-01' });
    expect(filtered.resumed).toBe(true);
    expect((await filtered.take())?.events.map((e) => e.seq)).toEqual([4, 6]);
    // after 1 would need seq 2, which the ring no longer holds
    const gone = b.subscribe({ after: 1 });
    expect(gone.resumed).toBe(false);
    expect(gone.buffered).toBe(0);
    // at the head: nothing to replay, and nothing missed
    expect(b.subscribe({ after: 6 }).resumed).toBe(true);
    // a seq from the future (another process's counter) is not resumable
    expect(b.subscribe({ after: 7 }).resumed).toBe(false);
    // a resume that overflows the subscriber's buffer is not a resume: the client must reload
    expect(b.subscribe({ after: 2, maxBuffered: 2 }).resumed).toBe(false);
  });

  it('parses and refuses event ids', () => {
    expect(parseEventId('ab12:42')).toEqual({ epoch: 'ab12', seq: 42 });
    for (const bad of ['', '42', 'ab:-1', 'a b:1', 'ab:1:2', `${'a'.repeat(33)}:1`]) {
      expect(parseEventId(bad)).toBeUndefined();
    }
  });
});

describe('GET /api/v1/live (server-sent events)', () => {
  it('streams the events of the requested device and types', async () => {
    const events = await readEvents(
      `${base}/api/v1/live?device=cnc-01&types=value,state`,
      (evs) => evs.filter((e) => e.event !== 'hello').length >= 2,
      () => {
        bus.publish(value('press-07', 1));
        bus.publish({
          type: 'status',
          site: 'cq-plant1',
          device: 'cnc-01',
          online: false,
          reason: 'DDEATH',
          timestamp: 5,
        });
        bus.publish(value('cnc-01', 2));
        bus.publish({
          type: 'state',
          site: 'cq-plant1',
          device: 'cnc-01',
          state: 'down',
          previous: 'running',
          timestamp: 6,
        });
      },
    );
    expect(events.map((e) => e.event)).toEqual(['hello', 'value', 'state']);
    expect(events[1]?.data).toMatchObject({ device: 'cnc-01', value: 2 });
    expect(events[2]?.data).toMatchObject({ state: 'down', previous: 'running' });
  });

  it('tells a slow client how many events it lost instead of growing memory', async () => {
    const events = await readEvents(
      `${base}/api/v1/live`,
      (evs) => evs.some((e) => e.event === 'lagged') && evs.filter((e) => e.event === 'value').length >= 5,
      () => {
        for (let i = 0; i < 50; i++) bus.publish(value('press-07', 100 + i));
      },
    );
    const lagged = events.find((e) => e.event === 'lagged');
    const values = events.filter((e) => e.event === 'value').map((e) => (e.data as { value: number }).value);
    expect((lagged?.data as { dropped: number } | undefined)?.dropped).toBe(50 - values.length);
    expect(values.length).toBe(5);
    expect(values.at(-1)).toBe(149);
  });

  it('serialises bigint values without losing them', async () => {
    const events = await readEvents(
      `${base}/api/v1/live?device=counter-1`,
      (evs) => evs.some((e) => e.event === 'value'),
      () => {
        bus.publish({ ...value('counter-1', 0), value: 18_446_744_073_709_551_615n } as LiveEvent);
      },
    );
    const got = events.find((e) => e.event === 'value')?.data as { value: unknown } | undefined;
    expect(got?.value).toBe('18446744073709551615');
  });

  it('answers HEAD with the head of a stream and ends it, holding no stream open', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/api/v1/live`, {
        method: 'HEAD',
        headers,
        signal: AbortSignal.timeout(20_000),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    }
    // a GET still streams: the HEADs took no live client slot and left nothing behind
    const events = await readEvents(`${base}/api/v1/live`, (e) => e.some((x) => x.event === 'hello'));
    expect(events[0]?.event).toBe('hello');
  });

  it('refuses a stream without a token', async () => {
    const res = await fetch(`${base}/api/v1/live`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'PP_API_UNAUTHORIZED' });
  });
});
