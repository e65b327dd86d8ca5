import { afterAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../cloud/analytics/index.js';
import { queryInfluxQL } from '../../../protocols/influx/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { dropDatabase, freshDatabase, influxUrl } from '../../helpers/services.js';
import { plantScenario, STEP } from '../../unit/analytics/scenarios.js';
import { type Delivery, everyStep, silentLog } from '../../unit/analytics/support.js';
import { driveInflux, influxQuery, TelemetryWriter } from './influx-io.js';

const MEASUREMENTS = ['oee', 'energy', 'emissions', 'kpi'];
const dbs: string[] = [];
afterAll(async () => {
  await Promise.allSettled(dbs.map(dropDatabase));
});

async function db(prefix: string): Promise<string> {
  const name = await freshDatabase(prefix);
  dbs.push(name);
  return name;
}

/** Every row of the window measurements, tags and fields, sorted: what a dashboard would read. */
async function dump(url: string, database: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const m of MEASUREMENTS) {
    const rows = await queryInfluxQL(url, { db: database, q: `SELECT * FROM "${m}"` });
    out[m] = rows.map((r) => JSON.stringify(Object.entries(r).sort())).sort();
  }
  return out;
}

async function runLive(s: ReturnType<typeof plantScenario>, deliveries: Delivery[], prefix: string) {
  const url = influxUrl();
  const database = await db(prefix);
  const clock = { now: s.from };
  const engine = createAnalytics(analyticsConfig(s.cfg), {
    log: silentLog,
    query: influxQuery(url, database),
    clock: () => clock.now,
  });
  await engine.rebuild(s.from);
  const events = await driveInflux(engine, clock, deliveries, {
    url,
    db: database,
    tickMs: 60_000,
    until: s.to,
  });
  return { url, database, events };
}

describe('analytics against a real InfluxDB: late data and restarts', () => {
  it('stores identical OEE, energy, emissions and kpi for windows whose data came 10 minutes late in one burst', async () => {
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
    const a = await runLive(s, live, 'analytics_live');
    const b = await runLive(s, late, 'analytics_late');
    const da = await dump(a.url, a.database);
    const db2 = await dump(b.url, b.database);
    for (const m of MEASUREMENTS) {
      expect(da[m]?.length, m).toBeGreaterThan(0);
      expect(db2[m], m).toEqual(da[m]);
    }
    // The 11:00 hour really saw the outage live (the machine went offline) and was recomputed after the burst.
    expect(b.events.some((e) => e.type === 'state' && e.state === 'offline')).toBe(true);
    const hour = await queryInfluxQL(b.url, {
      db: b.database,
      q: `SELECT "offline_s", "total_count" FROM "oee" WHERE "period" = '1h' AND "level" = 'machine' AND time = ${s.at('11:00')}ms`,
    });
    expect(hour[0]?.['offline_s']).toBe(0);
  });

  it('gives the same shift OEE, energy and emissions when the ingester restarts mid-shift and rebuilds from InfluxDB', async () => {
    const s = plantScenario();
    // Before the restart: 5 minutes of bad state readings, and an edge-node death followed by 4 minutes of silence.
    const bad = [s.at('09:00'), s.at('09:05')];
    const silent = [s.at('09:30'), s.at('09:34')];
    const deliveries = everyStep(s.from, s.to, STEP, (t) => {
      if (t >= (silent[0] as number) && t < (silent[1] as number)) return [];
      return s
        .make(t)
        .map((x) =>
          x.metric === 'state_code' && t >= (bad[0] as number) && t < (bad[1] as number)
            ? { ...x, value: null, quality: 'bad' as const }
            : x,
        );
    });
    const death = deliveries.find((d) => d.at === silent[0]);
    if (death)
      death.status = [
        {
          site: 'cq',
          node: 'gw1',
          online: false,
          reason: 'NDEATH',
          timestamp: (silent[0] as number) + 1_000,
        },
      ];
    const a = await runLive(s, deliveries, 'analytics_norestart');

    const url = influxUrl();
    const database = await db('analytics_restart');
    const telemetry = new TelemetryWriter(url, database);
    const crashAt = s.at('12:37') + 5_000;
    const clock = { now: s.from };
    const first = createAnalytics(analyticsConfig(s.cfg), {
      log: silentLog,
      query: influxQuery(url, database),
      clock: () => clock.now,
    });
    await first.rebuild(s.from);
    await driveInflux(first, clock, deliveries, {
      url,
      db: database,
      tickMs: 60_000,
      until: crashAt,
      stopAt: crashAt,
      telemetry,
    });

    // A new process: nothing in memory, everything from InfluxDB.
    clock.now = crashAt;
    const second = createAnalytics(analyticsConfig(s.cfg), {
      log: silentLog,
      query: influxQuery(url, database),
      clock: () => clock.now,
    });
    await second.rebuild(crashAt);
    await driveInflux(
      second,
      clock,
      deliveries.filter((d) => d.at >= crashAt),
      { url, db: database, tickMs: 60_000, until: s.to, telemetry },
    );

    const shiftA = await queryInfluxQL(a.url, {
      db: a.database,
      q: `SELECT * FROM "oee" WHERE "period" = 'shift' AND "level" = 'machine'`,
    });
    const shiftB = await queryInfluxQL(url, {
      db: database,
      q: `SELECT * FROM "oee" WHERE "period" = 'shift' AND "level" = 'machine'`,
    });
    expect(shiftA).toHaveLength(1);
    expect(shiftA[0]?.['total_count']).toBe(9_000);
    // 5 minutes of bad readings and the 4 minutes since the death are offline, in both.
    expect(shiftA[0]?.['offline_s']).toBe(300 + 239);
    expect(shiftB).toEqual(shiftA);
    const da = await dump(a.url, a.database);
    const db2 = await dump(url, database);
    for (const m of MEASUREMENTS) expect(db2[m], m).toEqual(da[m]);
  });
});
