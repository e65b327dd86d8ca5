import { describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../cloud/analytics/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { plantScenario, STEP } from './scenarios.js';
import { type Delivery, drive, everyStep, type PointStore, silentLog } from './support.js';

const MEASUREMENTS = ['oee', 'energy', 'emissions', 'kpi', 'alarms'];

function snapshot(store: PointStore): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, p] of store.byKey) if (MEASUREMENTS.includes(p.measurement)) out.set(k, p.fields);
  return out;
}

async function run(deliveries: Delivery[], s: ReturnType<typeof plantScenario>) {
  const clock = { now: s.from };
  const engine = createAnalytics(analyticsConfig(s.cfg), {
    log: silentLog,
    query: async () => [],
    clock: () => clock.now,
  });
  await engine.rebuild(s.from);
  return { ...drive(engine, clock, deliveries, { tickMs: 60_000, until: s.to }), engine };
}

describe('late data recomputes every window it touches', () => {
  it('gives identical OEE, energy, emissions, kpi and alarms whether 10 minutes arrive live or 10 minutes late', async () => {
    const s = plantScenario();
    const live = everyStep(s.from, s.to, STEP, s.make);
    const outageFrom = s.at('11:00');
    const outageTo = s.at('11:10');
    const late: Delivery[] = live.filter((d) => d.at < outageFrom || d.at >= outageTo);
    late.push({
      at: s.at('11:20'),
      samples: live
        .filter((d) => d.at >= outageFrom && d.at < outageTo)
        .flatMap((d) => d.samples.map((x) => ({ ...x, historical: true }))),
    });

    const a = await run(live, s);
    const b = await run(late, s);

    // While the data was missing the machine looked offline; the replay withdrew that.
    expect(
      b.events.some((e) => e.type === 'state' && e.state === 'offline' && e.timestamp > outageFrom),
    ).toBe(true);
    const sa = snapshot(a.store);
    const sb = snapshot(b.store);
    expect(sa.size).toBeGreaterThan(500);
    for (const [k, v] of sa) expect(sb.get(k), k).toEqual(v);
    // The only extra points are alarm transitions written while data was missing and withdrawn after the replay;
    // they were overwritten with the alarm's true state at that moment.
    const liveAlarms = a.store.find('alarms', { device: 'stack-1' }).sort((x, y) => x.time - y.time);
    const extra = [...sb.keys()].filter((k) => !sa.has(k));
    expect(extra.length).toBeLessThanOrEqual(2);
    for (const k of extra) {
      const p = b.store.byKey.get(k);
      expect(p?.measurement).toBe('alarms');
      const before = liveAlarms.filter((x) => x.time <= (p?.time ?? 0)).pop();
      expect(p?.fields['active']).toBe(before?.fields['active'] ?? false);
    }

    // The windows the outage touched really were rewritten (not merely equal by chance).
    const shiftOee = b.store.one(
      'oee',
      { device: 'press-07', period: 'shift', level: 'machine' },
      s.shiftStart,
    );
    expect(shiftOee.fields['offline_s']).toBe(0);
    expect(shiftOee.fields['total_count']).toBe(9_000);
  });

  it('counts redelivered samples once (at-least-once transport, exactly-once windows)', async () => {
    const s = plantScenario();
    const live = everyStep(s.from, s.to, STEP, s.make);
    const twice = [...live, ...live.filter((_, i) => i % 7 === 0).map((d) => ({ ...d, at: d.at + 5_000 }))];
    const a = await run(live, s);
    const b = await run(twice, s);
    const sa = snapshot(a.store);
    const sb = snapshot(b.store);
    for (const [k, v] of sa) expect(sb.get(k), k).toEqual(v);
  });
});

describe('write rate', () => {
  it('rewrites open windows at most once a minute, but at once when late data touches a written window', async () => {
    const s = plantScenario();
    const clock = { now: s.at('08:00') };
    const engine = createAnalytics(analyticsConfig(s.cfg), {
      log: silentLog,
      query: async () => [],
      clock: () => clock.now,
    });
    await engine.rebuild(clock.now);
    const oeePoints = (t: number) => {
      clock.now = t;
      return engine.tick(t).points.filter((p) => p.toLineProtocol()?.startsWith('oee,')).length;
    };
    for (let t = s.at('08:00'); t < s.at('08:03'); t += STEP) engine.ingest(s.make(t));
    expect(oeePoints(s.at('08:03') + 1_000)).toBeGreaterThan(0);
    clock.now = s.at('08:03') + 5_000;
    engine.ingest(s.make(s.at('08:03')));
    expect(oeePoints(s.at('08:03') + 11_000)).toBe(0);
    expect(oeePoints(s.at('08:04') + 1_000)).toBeGreaterThan(0);
    // A sample for 08:01 arriving now touches windows already written: they are rewritten on the next tick.
    clock.now = s.at('08:04') + 2_000;
    engine.ingest(s.make(s.at('08:01') + 5_000));
    expect(oeePoints(s.at('08:04') + 3_000)).toBeGreaterThan(0);
  });
});
