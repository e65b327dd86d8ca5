/**
 * Telemetry roll-ups and the history API against the real InfluxDB 1.6 (README "Data lifecycle"): what the spool
 * drains goes to the `raw` policy, the 1-minute and hourly roll-ups equal a recomputation from the raw data after
 * late data arrived, and the history endpoint reads raw, 1-minute or hourly data by span, says which, and still
 * answers from the roll-ups once the raw data is gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point } from '@influxdata/influxdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../cloud/analytics/index.js';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { DeadLetterFile } from '../../../cloud/ingest/dead-letter.js';
import { openSpoolPipeline, type SpoolPipeline } from '../../../cloud/ingest/spool-pipeline.js';
import { openLifecycle, type RunningLifecycle } from '../../../cloud/lifecycle/open-lifecycle.js';
import { telemetryFrom } from '../../../cloud/lifecycle/policies.js';
import { createRootLogger } from '../../../config/logging.js';
import { queryInfluxQL, queryInfluxQLSeries } from '../../../protocols/influx/influxql-query.js';
import { buildPoint } from '../../../protocols/influx/point-builder.js';
import { analyticsConfig, apiConfig, influxTarget, lifecycleConfig } from '../../helpers/configs.js';
import { dropDatabase, influxClockSkewMs, influxUrl } from '../../helpers/services.js';

const log = createRootLogger('test', 'silent');
const MIN = 60_000;
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'pp-rollups-'));
const db = `rollups_${Date.now().toString(36)}`;
// The ingester and the database share one clock in a plant (NTP); under a faked clock (test:repeat --faketime)
// only node's is shifted, so this file keeps time by the database's: the raw policy's 3 h are counted by influxd.
const skew = await influxClockSkewMs();
const clock = () => Date.now() + skew;
// whole hours, so the hourly roll-ups hold complete hours; the raw policy (3 h) still accepts them
const H0 = Math.floor(clock() / HOUR) * HOUR - 2 * HOUR;
let lc: RunningLifecycle;
let pipeline: SpoolPipeline;

function point(device: string, t: number, fields: Record<string, number | boolean | string>): Point {
  const r = buildPoint({
    measurement: 'telemetry',
    tags: { site: 'cq', node: 'gw', device },
    fields,
    timestamp: t,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.point;
}

async function write(points: Point[]): Promise<void> {
  await pipeline.writer.write(points, AbortSignal.timeout(10_000));
  await pipeline.drainer.drained(AbortSignal.timeout(20_000));
}

const q = (s: string) => queryInfluxQL(influxUrl(), { db, q: s });

/** one row per series and bucket, as a comparable map */
async function table(s: string): Promise<Map<string, Record<string, unknown>>> {
  const [series = []] = await queryInfluxQLSeries(influxUrl(), { db, q: s });
  const out = new Map<string, Record<string, unknown>>();
  for (const x of series)
    for (const row of x.rows) {
      const fields = Object.fromEntries(
        Object.entries(row).filter(([k, v]) => v !== null && !['site', 'node', 'device'].includes(k)),
      );
      out.set(`${x.tags['device'] ?? row['device']}@${row['time']}`, fields);
    }
  return out;
}

const AGG = 'mean(*), min(*), max(*), last(*), sum(*), count(*)';
const recomputed = (width: string) =>
  table(
    `SELECT ${AGG} FROM "raw"."telemetry" WHERE time >= ${H0}ms AND time < ${H0 + 2 * HOUR}ms GROUP BY time(${width}), * fill(none)`,
  );
const stored = (m: string) =>
  table(`SELECT * FROM ${m} WHERE time >= ${H0}ms AND time < ${H0 + 2 * HOUR}ms GROUP BY *`);

beforeAll(async () => {
  const target = influxTarget({ url: influxUrl(), database: db, flushInterval: '10ms' });
  lc = openLifecycle({
    target,
    lifecycle: lifecycleConfig({ raw: '3h', rollupDelay: '1s' }),
    log,
    clock,
  });
  lc.start();
  await lc.ready;
  pipeline = openSpoolPipeline({
    dataDir: dir,
    maxBytes: 64 * 1024 * 1024,
    batchLines: 1000,
    flushIntervalMs: 10,
    influx: target,
    sink: lc.sink,
    dead: new DeadLetterFile(join(dir, 'dead.jsonl'), log),
    log,
    onWritten: lc.onWritten,
  });
  pipeline.start();
  // two hours of a press (power every 10 s, a counter and a running flag) and a meter every minute
  const pts: Point[] = [];
  for (let t = H0; t < H0 + 2 * HOUR; t += 10_000) {
    const i = (t - H0) / 10_000;
    pts.push(
      point('press', t, { power_kw: 20 + (i % 7) * 1.5, parts: Math.floor(i / 3), running: i % 5 !== 0 }),
    );
    if (t % MIN === 0) pts.push(point('meter', t, { kwh: 1000 + i / 6 }));
  }
  await write(pts);
  await lc.runRollups();
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  await lc?.stop();
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase(db);
});

describe('routing and roll-ups', () => {
  it('writes telemetry to the raw policy and leaves nothing of it in the default one', async () => {
    expect(await q(`SELECT count("power_kw") FROM "raw"."telemetry"`)).toEqual([
      expect.objectContaining({ count: 720 }),
    ]);
    expect(await q(`SELECT count("power_kw") FROM "telemetry"`)).toEqual([]);
  });

  it('keeps roll-ups equal to a recomputation from raw, late data included', async () => {
    expect(await stored('"rollup_1m"."telemetry_1m"')).toEqual(await recomputed('1m'));
    expect(await stored('"rollup_1h"."telemetry_1h"')).toEqual(await recomputed('1h'));
    const before = await stored('"rollup_1m"."telemetry_1m"');
    // late: a spike in a minute computed long ago, and a device that was not there at all
    await write([
      point('press', H0 + 17 * MIN + 3_000, { power_kw: 999 }),
      point('lathe', H0 + 75 * MIN + 500, { power_kw: 4.5, running: true }),
    ]);
    await lc.runRollups();
    const after = await stored('"rollup_1m"."telemetry_1m"');
    expect(after).toEqual(await recomputed('1m'));
    expect(await stored('"rollup_1h"."telemetry_1h"')).toEqual(await recomputed('1h'));
    expect(after.get(`press@${H0 + 17 * MIN}`)?.['max_power_kw']).toBe(999);
    expect(before.get(`press@${H0 + 17 * MIN}`)?.['max_power_kw']).not.toBe(999);
    expect(after.get(`lathe@${H0 + 75 * MIN}`)).toMatchObject({ mean_power_kw: 4.5, count_power_kw: 1 });
    // only the minute and hour still running wait (marked at start); nothing failed
    expect(lc.stats().rollups).toMatchObject({ failures: 0, pending: 2 });
  });
});

describe('history by span', () => {
  const now = clock();
  const app = (rawMs: number) =>
    createApiServer({
      config: apiConfig({ port: 0, anonymous: 'viewer' }),
      influx: { url: influxUrl(), database: db },
      live: new LiveBus(),
      log,
      registry: new DeviceRegistry(),
      clock: () => now,
      site: 'cq',
      lifecycle: { rawMs, minuteMs: 730 * 24 * HOUR, hourMs: 3650 * 24 * HOUR, rollups: () => true },
    });
  const history = async (a: ReturnType<typeof app>, qs: string) => {
    const res = await a.inject({
      method: 'GET',
      url: `/api/v1/devices/press/metrics/power_kw/history?${qs}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { resolution: string; step: string | null; points: [number, number][] };
  };
  const rawMean = async (width: string, from: number, to: number) =>
    (
      await q(
        `SELECT mean("power_kw") AS v FROM "raw"."telemetry" WHERE "device" = 'press' AND time >= ${from}ms AND time < ${to}ms GROUP BY time(${width}) fill(none)`,
      )
    ).map((r) => [r['time'], r['v']]);

  it('reads raw points for a short span, 1-minute roll-ups for days, hourly ones for months', async () => {
    const a = app(3 * HOUR);
    const short = await history(a, `from=${H0}&to=${H0 + 10 * MIN}`);
    expect(short.resolution).toBe('raw');
    expect(short.points).toHaveLength(60);
    const days = await history(a, `from=${now - 3 * 24 * HOUR}&to=${now}&step=1h`);
    expect(days).toMatchObject({ resolution: '1m', step: '1h' });
    const exact = (await rawMean('1h', H0, H0 + 2 * HOUR)) as [number, number][];
    expect(days.points.map(([t, v]) => [t, Number(v.toFixed(9))])).toEqual(
      exact.map(([t, v]) => [t, Number(v.toFixed(9))]),
    );
    const months = await history(a, `from=${now - 90 * 24 * HOUR}&to=${now}`);
    expect(months).toMatchObject({ resolution: '1h', step: '1h' });
    expect(months.points.map(([t]) => t)).toEqual([H0, H0 + HOUR]);
    await a.close();
  });

  it('answers from the roll-ups once the raw data has expired', async () => {
    const a = app(HOUR);
    // what the retention enforcement does when the raw shard ages out
    await q(`DELETE FROM "telemetry" WHERE time < ${H0 + 30 * MIN}ms`);
    const old = await history(a, `from=${H0}&to=${H0 + 20 * MIN}`);
    expect(old.resolution).toBe('1m');
    const minutes = await q(
      `SELECT "mean_power_kw" FROM "rollup_1m"."telemetry_1m" WHERE "device" = 'press' AND time >= ${H0}ms AND time < ${H0 + 20 * MIN}ms`,
    );
    expect(minutes).toHaveLength(20);
    expect(old.points).toEqual(minutes.map((r) => [r['time'], r['mean_power_kw']]));
    const forcedRaw = await history(a, `from=${H0}&to=${H0 + 20 * MIN}&resolution=raw`);
    expect(forcedRaw).toMatchObject({ resolution: 'raw', points: [] });
    await a.close();
  });
});

describe('analytics after a restart', () => {
  it('rebuilds its state from the raw policy', async () => {
    const restored = async (from: string | undefined) => {
      const a = createAnalytics(
        analyticsConfig({
          meters: [{ device: 'press', carrier: 'electricity', rate: { metric: 'power_kw' } }],
        }),
        { log, query: (s) => q(s) as never, ...(from ? { telemetryFrom: from } : {}) },
      );
      await a.rebuild(H0 + 2 * HOUR);
      // the energy windows it restates from what it read
      return a.tick(H0 + 2 * HOUR + MIN).points.length;
    };
    expect(await restored(telemetryFrom(true))).toBeGreaterThan(0);
    // the default policy holds no telemetry with a lifecycle
    expect(await restored(undefined)).toBe(0);
  });
});
