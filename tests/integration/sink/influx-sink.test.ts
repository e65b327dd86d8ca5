import { getEventListeners } from 'node:events';
import { Point } from '@influxdata/influxdb-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInfluxSink, type InfluxSink } from '../../../cloud/sink/influx-sink.js';
import { SinkError } from '../../../cloud/sink/sink-error.js';
import { createRootLogger } from '../../../config/logging.js';
import { detectFlavour } from '../../../protocols/influx/flavour.js';
import { queryInfluxQL } from '../../../protocols/influx/influxql-query.js';
import {
  qualityPoint,
  type SamplePointResult,
  telemetryPoint,
} from '../../../protocols/influx/sample-points.js';
import type { Sample } from '../../../protocols/sample.js';
import { freePort } from '../../../scripts/services/free-port.js';
import { influxTarget } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';

const log = createRootLogger('test', 'silent');
const T0 = 1_700_000_000_000;
const ctx = { site: 'cq-plant1', node: 'line3-gw', tags: { line: 'line3' } };

function pointOf(r: SamplePointResult): Point {
  if (!r.ok) throw new Error(`no point: ${r.code} ${r.reason}`);
  return r.point;
}

function sample(over: Partial<Sample>): Sample {
  return { device: 'press-07', metric: 'power_kw', value: 1.5, timestamp: T0, quality: 'good', ...over };
}

describe('InfluxDB sink against a real InfluxDB 1.6', () => {
  let db: string;
  let sink: InfluxSink;

  beforeAll(async () => {
    db = await freshDatabase('sink');
    sink = createInfluxSink(influxTarget({ url: influxUrl(), database: db }), log);
    return () => sink.close();
  });

  const select = (q: string) => queryInfluxQL(influxUrl(), { db, q });

  it('detects the v1 flavour from /ping', async () => {
    expect(await detectFlavour(influxUrl())).toBe('v1');
    expect(await sink.flavour()).toBe('v1');
  });

  it('stores points with their types, tags and ms timestamps', async () => {
    const points = [
      pointOf(telemetryPoint(sample({ metric: 'power_kw', value: 12.25, timestamp: T0 + 1 }), ctx)),
      pointOf(telemetryPoint(sample({ metric: 'running', value: true, timestamp: T0 + 2 }), ctx)),
      pointOf(telemetryPoint(sample({ metric: 'recipe', value: 'A-7', timestamp: T0 + 3 }), ctx)),
      pointOf(
        telemetryPoint(
          sample({ metric: 'energy_wh', value: 9_223_372_036_854_775_807n, timestamp: T0 + 4 }),
          ctx,
        ),
      ),
      pointOf(
        telemetryPoint(sample({ metric: 'parts', value: 41, timestamp: T0 + 5 }), { ...ctx, kind: 'uint32' }),
      ),
      pointOf(
        qualityPoint(sample({ quality: 'uncertain', timestamp: T0 + 6 }), { ...ctx, code: 0x40000000 }),
      ),
    ];
    expect(await sink.write(points)).toEqual({ accepted: 6, rejected: [] });

    const rows = await select('SELECT * FROM telemetry ORDER BY time');
    expect(rows).toEqual([
      {
        time: T0 + 1,
        device: 'press-07',
        line: 'line3',
        node: 'line3-gw',
        site: 'cq-plant1',
        power_kw: 12.25,
        running: null,
        recipe: null,
        energy_wh: null,
        parts: null,
      },
      {
        time: T0 + 2,
        device: 'press-07',
        line: 'line3',
        node: 'line3-gw',
        site: 'cq-plant1',
        power_kw: null,
        running: true,
        recipe: null,
        energy_wh: null,
        parts: null,
      },
      {
        time: T0 + 3,
        device: 'press-07',
        line: 'line3',
        node: 'line3-gw',
        site: 'cq-plant1',
        power_kw: null,
        running: null,
        recipe: 'A-7',
        energy_wh: null,
        parts: null,
      },
      {
        time: T0 + 4,
        device: 'press-07',
        line: 'line3',
        node: 'line3-gw',
        site: 'cq-plant1',
        power_kw: null,
        running: null,
        recipe: null,
        energy_wh: 9_223_372_036_854_775_807n,
        parts: null,
      },
      {
        time: T0 + 5,
        device: 'press-07',
        line: 'line3',
        node: 'line3-gw',
        site: 'cq-plant1',
        power_kw: null,
        running: null,
        recipe: null,
        energy_wh: null,
        parts: 41,
      },
    ]);
    const types = await select('SHOW FIELD KEYS FROM telemetry');
    expect(Object.fromEntries(types.map((r) => [r['fieldKey'], r['fieldType']]))).toEqual({
      energy_wh: 'integer',
      parts: 'integer',
      power_kw: 'float',
      recipe: 'string',
      running: 'boolean',
    });
    expect(await select('SELECT * FROM quality')).toEqual([
      {
        time: T0 + 6,
        code: 0x40000000,
        device: 'press-07',
        metric: 'power_kw',
        node: 'line3-gw',
        quality: 'uncertain',
        site: 'cq-plant1',
      },
    ]);
  });

  it('rejects a type-conflicting line with the server reason and stores the good ones', async () => {
    await sink.write([pointOf(telemetryPoint(sample({ device: 'cnc-01', metric: 'rpm', value: 100 }), ctx))]);
    const batch = [1, 2, 3, 4, 5, 6, 7].map((i) =>
      pointOf(
        telemetryPoint(
          sample({ device: 'cnc-01', metric: 'rpm', value: i === 5 ? 'fast' : 100 + i, timestamp: T0 + i }),
          ctx,
        ),
      ),
    );
    const outcome = await sink.write(batch);
    expect(outcome.accepted).toBe(6);
    expect(outcome.rejected).toHaveLength(1);
    expect(outcome.rejected[0]?.line).toBe(
      `telemetry,device=cnc-01,line=line3,node=line3-gw,site=cq-plant1 rpm="fast" ${T0 + 5}`,
    );
    expect(outcome.rejected[0]?.reason).toMatch(/field type conflict.*rpm.*string.*float/);
    const rows = await select(
      `SELECT rpm FROM telemetry WHERE device = 'cnc-01' AND time > ${T0}ms ORDER BY time`,
    );
    expect(rows.map((r) => [r['time'], r['rpm']])).toEqual([
      [T0 + 1, 101],
      [T0 + 2, 102],
      [T0 + 3, 103],
      [T0 + 4, 104],
      [T0 + 6, 106],
      [T0 + 7, 107],
    ]);
  });

  it('settles many conflicting lines of one field in a couple of requests, not one per line', async () => {
    await sink.write([
      pointOf(telemetryPoint(sample({ device: 'mix-1', metric: 'temp', value: 20.5 }), ctx)),
    ]);
    const before = sink.stats().requests;
    const batch = Array.from({ length: 200 }, (_, i) =>
      pointOf(
        telemetryPoint(
          sample({
            device: 'mix-1',
            metric: 'temp',
            value: i % 2 === 0 ? `t${i}` : i + 0.5,
            timestamp: T0 + 1 + i,
          }),
          ctx,
        ),
      ),
    );
    const outcome = await sink.write(batch);
    expect(outcome.accepted).toBe(100);
    expect(outcome.rejected).toHaveLength(100);
    expect(new Set(outcome.rejected.map((r) => r.reason)).size).toBe(1);
    expect(outcome.rejected.every((r) => r.line.includes(' temp="t'))).toBe(true);
    expect(sink.stats().requests - before).toBe(2);
    const counted = await select(
      `SELECT count(temp) FROM telemetry WHERE device = 'mix-1' AND time > ${T0}ms`,
    );
    expect(counted.map((r) => r['count'])).toEqual([100]);
  });

  it('a rewrite of the same point overwrites instead of duplicating', async () => {
    const p = (value: number) => pointOf(telemetryPoint(sample({ device: 'dup-1', value }), ctx));
    await sink.write([p(3.5)]);
    await sink.write([p(3.5), p(3.5)]);
    expect(await select(`SELECT count(power_kw) FROM telemetry WHERE device = 'dup-1'`)).toEqual([
      { time: 0, count: 1 },
    ]);
    await sink.write([p(4.5)]);
    expect(await select(`SELECT power_kw FROM telemetry WHERE device = 'dup-1'`)).toEqual([
      { time: T0, power_kw: 4.5 },
    ]);
  });

  it('stores sanitised tags and string fields: CR/LF and trailing backslashes never break a line', async () => {
    const points = [
      pointOf(
        telemetryPoint(sample({ device: 'san-1', metric: 'note', value: 'jam at\r\nstation 2\\' }), {
          site: 'cq-plant1',
          node: 'line3-gw',
          tags: { area: 'hall\n2\\', cell: 'c:\\\\', empty: '\r\n' },
        }),
      ),
      pointOf(
        telemetryPoint(sample({ device: 'san-1', metric: 'note', value: 'next', timestamp: T0 + 1 }), ctx),
      ),
    ];
    expect(await sink.write(points)).toEqual({ accepted: 2, rejected: [] });
    const rows = await select(`SELECT * FROM telemetry WHERE device = 'san-1' ORDER BY time`);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ area: 'hall 2', cell: 'c:', note: 'jam at\\r\\nstation 2\\' });
    expect(rows[0]).not.toHaveProperty('empty');
    expect(rows[1]).toMatchObject({ note: 'next', area: null });
  });

  it('never writes NaN: the sample becomes bad, only its quality is stored', async () => {
    const s = sample({ device: 'nan-1', value: Number.NaN });
    const t = telemetryPoint(s, ctx);
    expect(t).toMatchObject({ ok: false, code: 'BAD_QUALITY' });
    expect(await sink.write([pointOf(qualityPoint(s, ctx))])).toEqual({ accepted: 1, rejected: [] });
    expect(await select(`SELECT * FROM telemetry WHERE device = 'nan-1'`)).toEqual([]);
    expect(await select(`SELECT quality FROM quality WHERE device = 'nan-1'`)).toEqual([
      { time: T0, quality: 'bad' },
    ]);
  });

  it('reports a point without fields as rejected instead of dropping it silently', async () => {
    const outcome = await sink.write([new Point('telemetry').tag('device', 'x').timestamp(T0)]);
    expect(outcome.accepted).toBe(0);
    expect(outcome.rejected).toEqual([
      { line: expect.stringContaining('telemetry'), reason: expect.stringMatching(/no fields/) },
    ]);
  });

  it('writes large batches in several gzip requests, all stored', async () => {
    const small = createInfluxSink(
      influxTarget({ url: influxUrl(), database: db, batchSize: 300, gzip: true }),
      log,
    );
    const points = Array.from({ length: 1000 }, (_, i) =>
      pointOf(telemetryPoint(sample({ device: 'bulk-1', value: i, timestamp: T0 + i }), ctx)),
    );
    expect(await small.write(points)).toEqual({ accepted: 1000, rejected: [] });
    expect(
      await select(`SELECT count(power_kw), sum(power_kw) FROM telemetry WHERE device = 'bulk-1'`),
    ).toEqual([{ time: 0, count: 1000, sum: 499_500 }]);
    await small.close();
  });

  it('writes into the configured retention policy; an unknown one is a retryable SINK_TARGET_INVALID', async () => {
    // INF, not 7d: InfluxDB drops points older than the policy by its own clock, and the suite also runs with a
    // faked clock days away from the server's (npm run test:repeat -- --faketime)
    await queryInfluxQL(influxUrl(), {
      q: `CREATE RETENTION POLICY week ON "${db}" DURATION INF REPLICATION 1`,
    });
    const now = Date.now();
    const weekSink = createInfluxSink(
      influxTarget({ url: influxUrl(), database: db, retentionPolicy: 'week' }),
      log,
    );
    const p = pointOf(telemetryPoint(sample({ device: 'rp-1', timestamp: now }), ctx));
    expect(await weekSink.write([p])).toEqual({ accepted: 1, rejected: [] });
    expect(await select(`SELECT power_kw FROM "${db}"."week".telemetry WHERE device = 'rp-1'`)).toEqual([
      { time: now, power_kw: 1.5 },
    ]);
    expect(await select(`SELECT power_kw FROM "${db}"."autogen".telemetry WHERE device = 'rp-1'`)).toEqual(
      [],
    );
    const bad = createInfluxSink(
      influxTarget({ url: influxUrl(), database: db, retentionPolicy: 'nope' }),
      log,
    );
    await expect(bad.write([p])).rejects.toMatchObject({ code: 'SINK_TARGET_INVALID', retryable: true });
    await Promise.all([weekSink.close(), bad.close()]);
  });

  it('ensureDatabase creates the database once and is idempotent', async () => {
    const name = `ensure_${Date.now().toString(36)}`;
    const s = createInfluxSink(influxTarget({ url: influxUrl(), database: name }), log);
    await s.ensureDatabase();
    await s.ensureDatabase();
    const dbs = await queryInfluxQL(influxUrl(), { q: 'SHOW DATABASES' });
    expect(dbs.map((r) => r['name'])).toContain(name);
    expect(await s.write([pointOf(telemetryPoint(sample({}), ctx))])).toEqual({ accepted: 1, rejected: [] });
    await s.close();
  });

  it('a database that does not exist yet is created after the first failed write, so a retry succeeds', async () => {
    const name = `late_${Date.now().toString(36)}`;
    const s = createInfluxSink(influxTarget({ url: influxUrl(), database: name }), log);
    const p = pointOf(telemetryPoint(sample({}), ctx));
    await expect(s.write([p])).rejects.toMatchObject({ code: 'SINK_DATABASE_NOT_FOUND', retryable: true });
    expect(await s.write([p])).toEqual({ accepted: 1, rejected: [] });
    await s.close();
  });

  it('a missing database is a retryable SINK_DATABASE_NOT_FOUND, not rejected lines', async () => {
    const s = createInfluxSink(
      influxTarget({ url: influxUrl(), database: 'no_such_db_x', createDatabase: false }),
      log,
    );
    await expect(s.ensureDatabase()).rejects.toMatchObject({
      code: 'SINK_DATABASE_NOT_FOUND',
      retryable: true,
    });
    const err = await s.write([pointOf(telemetryPoint(sample({}), ctx))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect(err).toMatchObject({ code: 'SINK_DATABASE_NOT_FOUND', retryable: true, statusCode: 404 });
    await s.close();
  });

  it('an unreachable server is a retryable SINK_UNAVAILABLE', async () => {
    const port = await freePort();
    const s = createInfluxSink(
      influxTarget({ url: `http://127.0.0.1:${port}`, database: 'x', api: 'v1' }),
      log,
    );
    const err = await s.write([pointOf(telemetryPoint(sample({}), ctx))]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SINK_UNAVAILABLE', retryable: true });
    const auto = createInfluxSink(influxTarget({ url: `http://127.0.0.1:${port}`, database: 'x' }), log);
    await expect(auto.write([pointOf(telemetryPoint(sample({}), ctx))])).rejects.toMatchObject({
      code: 'SINK_UNAVAILABLE',
      retryable: true,
    });
  });

  it('honours an AbortSignal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('shutting down'));
    await expect(sink.write([pointOf(telemetryPoint(sample({}), ctx))], ac.signal)).rejects.toThrow(
      'shutting down',
    );
  });

  it('keeps no abort listener behind on a signal shared by many writes (no leak, no MaxListenersExceededWarning)', async () => {
    // the drainer passes one signal, alive for the whole process, to every write
    const ac = new AbortController();
    for (let i = 0; i < 15; i++) {
      const r = await sink.write(
        [pointOf(telemetryPoint(sample({ device: 'press-leak', value: i, timestamp: T0 + i }), ctx))],
        ac.signal,
      );
      expect(r.rejected).toEqual([]);
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    const rows = await select("SELECT COUNT(power_kw) FROM telemetry WHERE device = 'press-leak'");
    expect(rows[0]?.['count']).toBe(15);
  });

  it('refuses writes after close()', async () => {
    const s = createInfluxSink(influxTarget({ url: influxUrl(), database: db }), log);
    await s.close();
    await expect(s.write([])).rejects.toMatchObject({ code: 'SINK_CLOSED', retryable: false });
  });
});
