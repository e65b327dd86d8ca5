import { afterAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../cloud/analytics/index.js';
import { queryInfluxQL } from '../../../protocols/influx/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { dropDatabase, freshDatabase, influxUrl } from '../../helpers/services.js';
import { fluxScenario, oeeComScenario, STEP } from '../../unit/analytics/scenarios.js';
import { everyStep, silentLog } from '../../unit/analytics/support.js';
import { driveInflux, influxQuery } from './influx-io.js';

const dbs: string[] = [];
afterAll(async () => {
  await Promise.allSettled(dbs.map(dropDatabase));
});

async function runThroughInflux(s: ReturnType<typeof oeeComScenario> | ReturnType<typeof fluxScenario>) {
  const url = influxUrl();
  const db = await freshDatabase('analytics_ref');
  dbs.push(db);
  const clock = { now: s.from };
  const engine = createAnalytics(analyticsConfig(s.cfg), {
    log: silentLog,
    query: influxQuery(url, db),
    clock: () => clock.now,
  });
  await engine.rebuild(s.from);
  await driveInflux(engine, clock, everyStep(s.from, s.to, STEP, s.make), {
    url,
    db,
    tickMs: 60_000,
    until: s.to,
  });
  return { url, db };
}

describe('reference OEE vectors, written to and read back from a real InfluxDB', () => {
  it('oee.com worked example: A 0.8881, P 0.8611, Q 0.9780, OEE 0.7479 in the shift window', async () => {
    const s = oeeComScenario();
    const { url, db } = await runThroughInflux(s);
    const rows = await queryInfluxQL(url, {
      db,
      q: `SELECT * FROM "oee" WHERE "period" = 'shift' AND "device" = 'press-07' AND "level" = 'machine'`,
    });
    expect(rows).toHaveLength(1);
    const r = rows[0] ?? {};
    expect(r['time']).toBe(s.shiftStart);
    expect(r['shift']).toBe('A');
    expect(r['planned_s']).toBe(25_200);
    expect(r['run_s']).toBe(22_380);
    expect(r['total_count']).toBe(19_271);
    expect(r['good_count']).toBe(18_848);
    expect(r['availability']).toBeCloseTo(0.8881, 4);
    expect(r['performance']).toBeCloseTo(0.8611, 4);
    expect(r['quality']).toBeCloseTo(0.978, 4);
    expect(r['oee']).toBeCloseTo(0.7479, 4);
    // The day window holds the same shift (the only one that day), and the 1h windows sum to it.
    const hours = await queryInfluxQL(url, {
      db,
      q: `SELECT sum("planned_s") AS p, sum("run_s") AS r, sum("total_count") AS n FROM "oee" WHERE "period" = '1h' AND "device" = 'press-07' AND "level" = 'machine'`,
    });
    expect(hours[0]?.['p']).toBe(25_200);
    expect(hours[0]?.['r']).toBe(22_380);
    expect(hours[0]?.['n']).toBe(19_271);
    const stateRows = await queryInfluxQL(url, {
      db,
      q: `SELECT "state", "duration_s" FROM "machine_state" WHERE "device" = 'press-07' AND "state" = 'down'`,
    });
    expect(stateRows).toEqual([{ time: s.shiftStart + 5 * 3_600_000, state: 'down', duration_s: 47 * 60 }]);
  });

  it('Flux experimental/oee example: A 0.95625, P 0.98976, Q 0.98998', async () => {
    const s = fluxScenario();
    const { url, db } = await runThroughInflux(s);
    const rows = await queryInfluxQL(url, {
      db,
      q: `SELECT * FROM "oee" WHERE "period" = 'shift' AND "device" = 'cnc-01' AND "level" = 'machine'`,
    });
    expect(rows).toHaveLength(1);
    const r = rows[0] ?? {};
    expect(r['planned_s']).toBe(28_800);
    expect(r['run_s']).toBe(27_540);
    expect(r['availability']).toBeCloseTo(0.95625, 5);
    expect(r['performance']).toBeCloseTo(0.98976, 5);
    expect(r['quality']).toBeCloseTo(0.98998, 5);
  });
});
