import { describe, expect, it } from 'vitest';
import {
  type AnalyticsConfigInput,
  createAnalytics,
  type HostSample,
} from '../../../cloud/analytics/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, PointStore, sample, silentLog } from './support.js';

const at = (hms: string) => cst(`2026-11-25T${hms}`);
const cfg: AnalyticsConfigInput = {
  timezone: 'Asia/Shanghai',
  staleAfter: '1m',
  machines: [
    {
      device: 'm1',
      state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '2': 'idle' } },
      total: { metric: 'part_count' },
      idealCycle: '1s',
    },
  ],
};

async function engineAt(start: number) {
  const clock = { now: start };
  const engine = createAnalytics(analyticsConfig(cfg), {
    log: silentLog,
    query: async () => [],
    clock: () => clock.now,
  });
  await engine.rebuild(start);
  const store = new PointStore();
  const events: { state?: string; timestamp: number }[] = [];
  const feed = (t: number, samples: HostSample[], status: Parameters<typeof engine.ingest>[1] = []) => {
    clock.now = t;
    const out = engine.ingest(samples, status);
    store.add(out.points);
    events.push(
      ...out.events.map((e) => ({
        timestamp: e.timestamp,
        ...(e.type === 'state' ? { state: e.state } : {}),
      })),
    );
  };
  const tick = (t: number) => {
    clock.now = t;
    const out = engine.tick(t);
    store.add(out.points);
    events.push(
      ...out.events.map((e) => ({
        timestamp: e.timestamp,
        ...(e.type === 'state' ? { state: e.state } : {}),
      })),
    );
  };
  return { engine, store, events, feed, tick };
}

const running = (t: number) => [
  sample('m1', 'state_code', 1, t),
  sample('m1', 'part_count', Math.floor(t / 1000), t),
];

describe('offline: dead or stale devices', () => {
  it('marks a machine offline when its data stops for longer than staleAfter, and back when it resumes', async () => {
    const e = await engineAt(at('08:00:00'));
    for (let t = at('08:00:00'); t <= at('08:05:00'); t += 10_000) e.feed(t, running(t));
    e.tick(at('08:05:30'));
    expect(e.events.filter((x) => x.state === 'offline')).toEqual([]);
    e.tick(at('08:06:30'));
    expect(e.events.filter((x) => x.state === 'offline')).toEqual([
      { timestamp: at('08:06:00'), state: 'offline' },
    ]);
    for (let t = at('08:10:00'); t <= at('08:11:00'); t += 10_000) e.feed(t, running(t));
    e.tick(at('08:11:10'));
    expect(e.events.at(-1)).toEqual({ timestamp: at('08:10:00'), state: 'running' });
    const minute = e.store.one('oee', { device: 'm1', period: '1m', level: 'machine' }, at('08:07:00'));
    expect(minute.fields['offline_s']).toBe(60);
    expect(minute.fields['down_s']).toBe(60);
  });

  it('takes a death as offline from its time, unless data on both sides shows the device kept working', async () => {
    const e = await engineAt(at('08:00:00'));
    for (let t = at('08:00:00'); t <= at('08:02:00'); t += 10_000) e.feed(t, running(t));
    e.feed(
      at('08:02:05'),
      [],
      [{ site: 'cq', node: 'gw1', device: 'm1', online: false, reason: 'NDEATH', timestamp: at('08:02:03') }],
    );
    expect(e.events.at(-1)).toEqual({ timestamp: at('08:02:03'), state: 'offline' });
    // The outbox replays what the agent read during the outage: the death is withdrawn.
    const replay: HostSample[] = [];
    for (let t = at('08:02:10'); t <= at('08:04:00'); t += 10_000)
      replay.push(...running(t).map((s) => ({ ...s, historical: true })));
    e.feed(at('08:04:05'), replay);
    e.tick(at('08:04:10'));
    const states = e.store.find('machine_state', { device: 'm1' }).sort((a, b) => a.time - b.time);
    // The offline start written at 08:02:03 was overwritten with the true state at that moment.
    expect(states.map((p) => [p.time, p.fields['state']])).toEqual([
      [at('08:00:00'), 'running'],
      [at('08:02:03'), 'running'],
    ]);
    const minute = e.store.one('oee', { device: 'm1', period: '1m', level: 'machine' }, at('08:02:00'));
    expect(minute.fields['offline_s']).toBe(0);
  });

  it("takes an edge node's death as offline for every machine behind that node", async () => {
    const e = await engineAt(at('08:00:00'));
    for (let t = at('08:00:00'); t <= at('08:01:00'); t += 10_000) e.feed(t, running(t));
    e.feed(
      at('08:01:05'),
      [],
      [{ site: 'cq', node: 'gw1', online: false, reason: 'NDEATH', timestamp: at('08:01:02') }],
    );
    expect(e.events.at(-1)).toEqual({ timestamp: at('08:01:02'), state: 'offline' });
    e.feed(
      at('08:01:06'),
      [],
      [{ site: 'cq', node: 'gw2', online: false, reason: 'NDEATH', timestamp: at('08:01:03') }],
    );
    expect(e.events).toHaveLength(2);
  });

  it('keeps a machine online through a silent stretch (report by exception) while its birth stands', async () => {
    const e = await engineAt(at('08:00:00'));
    const birth = {
      site: 'cq',
      node: 'gw1',
      device: 'm1',
      online: true,
      reason: 'DBIRTH',
      timestamp: at('08:00:00'),
    };
    e.feed(at('08:00:00'), running(at('08:00:00')), [birth]);
    e.feed(at('08:00:10'), [sample('m1', 'state_code', 2, at('08:00:10'))]);
    e.tick(at('08:20:00'));
    expect(e.events.map((x) => x.state)).toEqual(['running', 'idle']);
    e.feed(at('08:20:05'), [], [{ ...birth, online: false, reason: 'DDEATH', timestamp: at('08:20:01') }]);
    expect(e.events.at(-1)).toEqual({ timestamp: at('08:20:01'), state: 'offline' });
  });

  it('does not use samples from a device clock that runs ahead, and counts them', async () => {
    const e = await engineAt(at('08:00:00'));
    e.feed(at('08:00:00'), running(at('08:00:00')));
    e.feed(at('08:00:10'), [sample('m1', 'state_code', 2, at('09:00:00'))]);
    e.tick(at('08:00:20'));
    expect(e.events.map((x) => x.state)).toEqual(['running']);
    expect(e.engine.stats().future).toBe(1);
  });

  it('books bad-quality state readings as offline and counts unknown state codes', async () => {
    const e = await engineAt(at('08:00:00'));
    e.feed(at('08:00:00'), running(at('08:00:00')));
    e.feed(at('08:00:10'), [sample('m1', 'state_code', null, at('08:00:10'), { quality: 'bad' })]);
    e.feed(at('08:00:20'), [sample('m1', 'state_code', 77, at('08:00:20'))]);
    expect(e.events.map((x) => x.state)).toEqual(['running', 'offline', 'down']);
    expect(e.engine.stats().unknownStateValues).toBe(1);
  });
});
