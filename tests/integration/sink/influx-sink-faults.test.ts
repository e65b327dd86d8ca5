import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxSink } from '../../../cloud/sink/influx-sink.js';
import { createRootLogger } from '../../../config/logging.js';
import { queryInfluxQL } from '../../../protocols/influx/influxql-query.js';
import { buildPoint } from '../../../protocols/influx/point-builder.js';
import { type InfluxdService, startInfluxd } from '../../../scripts/services/influxd.js';
import { startVictoriaMetrics } from '../../../scripts/services/victoria-metrics.js';
import { influxTarget } from '../../helpers/configs.js';

const log = createRootLogger('test', 'silent');
const T0 = 1_700_000_000_000;

function point(device: string, i: number, extra: Record<string, string> = {}) {
  const r = buildPoint({
    measurement: 'telemetry',
    tags: { site: 's', node: 'n', device },
    fields: { v: i, ...extra },
    timestamp: T0 + i,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.point;
}

describe('sink against an InfluxDB with auth and a small max-body-size', () => {
  let influx: InfluxdService;
  const admin = { username: 'admin', password: 'S3cret-pw' };

  beforeAll(async () => {
    influx = await startInfluxd({ admin, maxBodySize: 4000 });
    return () => influx.stop();
  });

  it('writes with username/password and refuses wrong credentials as retryable SINK_UNAUTHORIZED', async () => {
    const target = { url: influx.url, database: 'authdb', ...admin };
    const sink = createInfluxSink(influxTarget(target), log);
    await sink.ensureDatabase();
    expect(await sink.write([point('a', 1)])).toEqual({ accepted: 1, rejected: [] });
    expect(
      await queryInfluxQL(influx.url, { db: 'authdb', q: 'SELECT v FROM telemetry', auth: admin }),
    ).toEqual([{ time: T0 + 1, v: 1 }]);

    const wrong = createInfluxSink(influxTarget({ ...target, password: 'nope' }), log);
    await expect(wrong.write([point('a', 2)])).rejects.toMatchObject({
      code: 'SINK_UNAUTHORIZED',
      retryable: true,
      statusCode: 401,
    });
    await expect(wrong.ensureDatabase()).rejects.toMatchObject({ code: 'SINK_UNAUTHORIZED' });
    await expect(queryInfluxQL(influx.url, { q: 'SHOW DATABASES' })).rejects.toMatchObject({
      code: 'INFLUX_QUERY_UNAUTHORIZED',
    });
  });

  it('splits a request the server finds too large (413) and rejects only a line that can never fit', async () => {
    const sink = createInfluxSink(influxTarget({ url: influx.url, database: 'authdb', ...admin }), log, {
      gzipThreshold: 1_000_000,
    });
    const points = Array.from({ length: 200 }, (_, i) => point('big', i));
    points.push(point('huge', 1000, { note: 'x'.repeat(5000) }));
    const outcome = await sink.write(points);
    expect(outcome.accepted).toBe(200);
    expect(outcome.rejected).toHaveLength(1);
    expect(outcome.rejected[0]?.line).toContain('device=huge');
    expect(outcome.rejected[0]?.reason).toMatch(/413/);
    expect(
      await queryInfluxQL(influx.url, {
        db: 'authdb',
        q: `SELECT count(v) FROM telemetry WHERE device = 'big'`,
        auth: admin,
      }),
    ).toEqual([{ time: 0, count: 200 }]);
  });
});

describe('sink against a server that throttles', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  const bodies: { headers: IncomingHttpHeaders; body: Buffer }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => bodies.push({ headers: req.headers, body: Buffer.concat(chunks) }));
      if (req.url?.startsWith('/write')) {
        res.writeHead(503, { 'retry-after': '7', 'content-type': 'application/json' });
        res.end('{"error":"engine: cache-max-memory-size exceeded"}');
      } else if (req.url?.startsWith('/api/v2/write')) {
        res.writeHead(429, {
          'retry-after': new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(),
          'content-type': 'application/json',
        });
        res.end('{"code":"too many requests","message":"slow down"}');
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('503 with Retry-After seconds becomes a retryable SINK_THROTTLED with retryAfterMs', async () => {
    const sink = createInfluxSink(influxTarget({ url, database: 'd', api: 'v1' }), log);
    await expect(sink.write([point('a', 1), point('a', 2)])).rejects.toMatchObject({
      code: 'SINK_THROTTLED',
      retryable: true,
      retryAfterMs: 7000,
      statusCode: 503,
    });
    // the sink does not retry by itself: exactly one request
    expect(seen.filter((s) => s.startsWith('POST /write'))).toEqual(['POST /write?db=d&precision=ms']);
  });

  it('sends plain bodies by default, and gzips those above 1 KiB with influx.gzip', async () => {
    const plain = createInfluxSink(influxTarget({ url, database: 'd', api: 'v1' }), log);
    bodies.length = 0;
    const many = Array.from({ length: 100 }, (_, i) => point('plain', i));
    await expect(plain.write(many)).rejects.toMatchObject({ code: 'SINK_THROTTLED' });
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]?.headers['content-encoding']).toBeUndefined();
    expect(bodies[0]?.body.toString('utf8').split('\n')).toEqual(many.map((p) => p.toLineProtocol()));
    const sink = createInfluxSink(influxTarget({ url, database: 'd', api: 'v1', gzip: true }), log);
    bodies.length = 0;
    const points = Array.from({ length: 100 }, (_, i) => point('gz', i));
    await expect(sink.write(points)).rejects.toMatchObject({ code: 'SINK_THROTTLED' });
    await expect.poll(() => bodies.length).toBe(1);
    const sent = bodies[0];
    expect(sent?.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(sent?.body ?? Buffer.alloc(0)).toString('utf8');
    expect(text.split('\n')).toEqual(points.map((p) => p.toLineProtocol()));
  });

  it('429 with an HTTP-date Retry-After counts from the injected clock', async () => {
    const sink = createInfluxSink(
      influxTarget({ url, database: 'd', api: 'v2', org: 'o', token: 't' }),
      log,
      {
        now: () => Date.UTC(2026, 0, 1, 0, 0, 0),
      },
    );
    await expect(sink.write([point('a', 1)])).rejects.toMatchObject({
      code: 'SINK_THROTTLED',
      retryAfterMs: 30_000,
      statusCode: 429,
    });
  });
});

describe('sink with the v2 API against VictoriaMetrics', () => {
  it('writes through /api/v2/write; the data reads back from /api/v1/export', async () => {
    const vm = await startVictoriaMetrics();
    try {
      const sink = createInfluxSink(influxTarget({ url: vm.url, database: 'plant', api: 'auto' }), log);
      expect(await sink.flavour()).toBe('v2');
      await sink.ensureDatabase();
      expect(await sink.write([point('press-07', 1), point('press-07', 2)])).toEqual({
        accepted: 2,
        rejected: [],
      });
      await vm.flush();
      const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': 'telemetry_v' })}`);
      expect(JSON.parse(await res.text())).toEqual({
        metric: { __name__: 'telemetry_v', site: 's', node: 'n', device: 'press-07' },
        values: [1, 2],
        timestamps: [T0 + 1, T0 + 2],
      });
      await sink.close();
    } finally {
      await vm.stop();
    }
  });
});
