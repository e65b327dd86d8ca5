/**
 * A snapshot and the live stream join without a gap: what the stream already sent but InfluxDB does not hold yet
 * is in the snapshot (the LiveView overlay), the snapshot names the last event it includes (`Live-Event-Id`), and a
 * stream opened with that id (`Last-Event-ID`) delivers exactly the events after it, or says it cannot.
 * Against the 24-hour fixture plant in the real InfluxDB.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { type LiveAlarmEvent, LiveBus, parseEventId } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { readSse, type SseEvent } from '../../helpers/sse-reader.js';
import { type Fixture, SITE, writeFixture } from './plant-fixture.js';

const TOKEN = 'join-viewer-token-0123456';
const auth = { authorization: `Bearer ${TOKEN}` };
const live = new LiveBus();
let fx: Fixture;
let app: ReturnType<typeof createApiServer>;
let base: string;

const get = async (path: string) => {
  const res = await fetch(`${base}${path}`, { headers: auth });
  expect(res.status).toBe(200);
  return { body: (await res.json()) as unknown, eventId: res.headers.get('live-event-id') };
};

beforeAll(async () => {
  const db = await freshDatabase('join');
  fx = await writeFixture(influxUrl(), db);
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [{ name: 'wall', role: 'viewer', tokenHash: hashSecret(TOKEN, { N: 1024, r: 8, p: 1 }) }],
    }),
    influx: { url: influxUrl(), database: db },
    live,
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    clock: () => fx.now + 1000,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await app?.close();
});

type Tile = { device: string; state: string | null; stateSince: number | null; powerKw: number | null };

describe('overview snapshot + live stream', () => {
  it('includes a state the stream sent before InfluxDB has it, and its Live-Event-Id resumes the stream after it', async () => {
    const stored = (await get('/api/v1/overview')).body as { tiles: Tile[] };
    const before = stored.tiles.find((t) => t.device === 'cnc-01');
    expect(before?.state).not.toBe('down');
    // computed by analytics and published, but not (yet) written to InfluxDB
    live.publish({ type: 'state', site: SITE, device: 'cnc-01', state: 'down', timestamp: fx.now + 500 });
    live.publish({
      type: 'value',
      site: SITE,
      device: 'cnc-01',
      metric: 'power_kw',
      value: 0.25,
      quality: 'good',
      timestamp: fx.now + 500,
    });
    const snap = await get('/api/v1/overview');
    const tile = (snap.body as { tiles: Tile[] }).tiles.find((t) => t.device === 'cnc-01');
    expect(tile).toMatchObject({ state: 'down', stateSince: fx.now + 500, powerKw: 0.25 });
    expect(snap.eventId).toBe(live.lastEventId);

    // after the snapshot: only this one may come on a stream resumed at the snapshot's id
    const events = await readSse(`${base}/api/v1/live`, (evs) => evs.some((e) => e.event === 'state'), {
      headers: { ...auth, 'last-event-id': snap.eventId ?? '' },
      onHello: () =>
        live.publish({
          type: 'state',
          site: SITE,
          device: 'cnc-01',
          state: 'setup',
          timestamp: fx.now + 700,
        }),
    });
    expect(events[0]).toMatchObject({ event: 'hello', data: { resumed: true, epoch: live.epoch } });
    const states = events.filter((e) => e.event === 'state');
    expect(states.map((e) => (e.data as { state: string }).state)).toEqual(['setup']);
    expect(parseEventId(states[0]?.id)?.seq).toBe((parseEventId(snap.eventId ?? '')?.seq ?? 0) + 1);
  });

  it('replays what happened between the snapshot and the subscription, in order, with the lastEventId parameter', async () => {
    const snap = await get('/api/v1/overview');
    // the gap: these happen after the snapshot was read and before the client subscribes
    live.publish({ type: 'state', site: SITE, device: 'press-07', state: 'idle', timestamp: fx.now + 800 });
    live.publish({
      type: 'state',
      site: SITE,
      device: 'press-07',
      state: 'running',
      timestamp: fx.now + 900,
    });
    const id = encodeURIComponent(snap.eventId ?? '');
    const events = await readSse(
      `${base}/api/v1/live?types=state&lastEventId=${id}`,
      (evs) => evs.filter((e) => e.event === 'state').length >= 2,
      { headers: auth },
    );
    expect(events[0]).toMatchObject({ event: 'hello', data: { resumed: true } });
    expect(events.filter((e) => e.event === 'state').map((e) => (e.data as { state: string }).state)).toEqual(
      ['idle', 'running'],
    );
    const tile = ((await get('/api/v1/overview')).body as { tiles: Tile[] }).tiles.find(
      (t) => t.device === 'press-07',
    );
    expect(tile?.state).toBe('running');
  });

  it('says it did not resume when the id is from another ingester process (epoch) or not an id', async () => {
    for (const header of ['0123abcd:5', 'not-an-id']) {
      const events: SseEvent[] = await readSse(`${base}/api/v1/live`, (evs) => evs.length >= 1, {
        headers: { ...auth, 'last-event-id': header },
      });
      expect(events[0]).toMatchObject({
        event: 'hello',
        data: { resumed: false, epoch: live.epoch, lastEventId: live.lastEventId },
      });
    }
  });
});

describe('machine snapshots + live stream', () => {
  it('latest values and the state timeline include the live ones not yet stored', async () => {
    live.publish({
      type: 'value',
      site: SITE,
      device: 'lathe-03',
      metric: 'power_kw',
      value: 7.75,
      quality: 'good',
      timestamp: fx.now + 600,
      unit: 'kW',
    });
    live.publish({ type: 'state', site: SITE, device: 'lathe-03', state: 'setup', timestamp: fx.now + 600 });
    const latest = await get('/api/v1/devices/lathe-03/latest');
    expect(latest.body).toContainEqual({ metric: 'power_kw', value: 7.75, time: fx.now + 600, unit: 'kW' });
    expect(latest.eventId).toBe(live.lastEventId);
    const tl = await get('/api/v1/devices/lathe-03/states?from=-1h');
    const spans = (tl.body as { spans: { state: string; start: number; end: number; open?: boolean }[] })
      .spans;
    expect(spans.at(-1)).toMatchObject({
      state: 'setup',
      start: fx.now + 600,
      end: fx.now + 1000,
      open: true,
    });
    expect(spans.at(-2)?.end).toBe(fx.now + 600);
    expect(tl.eventId).toBe(live.lastEventId);
  });

  it('an older live value does not replace a newer stored one', async () => {
    const stored = (await get('/api/v1/devices/press-07/latest?metric=power_kw')).body as { time: number }[];
    const newest = stored[0]?.time ?? 0;
    live.publish({
      type: 'value',
      site: SITE,
      device: 'press-07',
      metric: 'power_kw',
      value: -1,
      quality: 'good',
      timestamp: newest - 60_000,
    });
    const again = (await get('/api/v1/devices/press-07/latest?metric=power_kw')).body as { value: number }[];
    expect(again[0]?.value).not.toBe(-1);
  });
});

describe('alarm snapshots + live stream', () => {
  const raise: LiveAlarmEvent = {
    type: 'alarm',
    site: SITE,
    device: 'molder-02',
    metric: 'barrel_temp_c',
    severity: 'high',
    active: true,
    message: 'barrel_temp_c above 260',
    value: 265,
    limit: 260,
    timestamp: 0,
    raisedAt: 0,
  };
  it('a raise, its acknowledgement and its clear appear before InfluxDB has them, in any order', async () => {
    const raisedAt = fx.now + 100;
    live.publish({ ...raise, timestamp: raisedAt, raisedAt });
    const active = await get('/api/v1/alarms?device=molder-02');
    const id = `${SITE}~molder-02~barrel_temp_c~high~${raisedAt}`;
    expect(active.body).toContainEqual(
      expect.objectContaining({ id, active: true, value: 265, limit: 260, acked: false }),
    );
    expect(active.eventId).toBe(live.lastEventId);
    // the clear (device time) arrives before an acknowledgement that still says active (cloud time)
    live.publish({ ...raise, active: false, value: 250, timestamp: raisedAt + 200, raisedAt });
    live.publish({ ...raise, acked: true, ackedBy: 'shift-lead', timestamp: raisedAt + 150, raisedAt });
    const after = (await get('/api/v1/alarms?device=molder-02')).body as { id: string }[];
    expect(after.map((a) => a.id)).not.toContain(id);
    const all = (await get('/api/v1/alarms?device=molder-02&status=all&from=-1h')).body;
    expect(all).toContainEqual(
      expect.objectContaining({
        id,
        active: false,
        clearedAt: raisedAt + 200,
        acked: true,
        ackedBy: 'shift-lead',
      }),
    );
    // the overview counts it no more
    const tile = (
      (await get('/api/v1/overview')).body as { tiles: (Tile & { activeAlarms: number })[] }
    ).tiles.find((t) => t.device === 'molder-02');
    const stored = fx.activeAlarms.filter((a) => a.device === 'molder-02').length;
    expect(tile?.activeAlarms).toBe(stored);
  });
});
