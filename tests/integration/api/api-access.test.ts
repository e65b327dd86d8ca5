/** The API's access rules and error handling: bearer roles, CORS, validation messages, InfluxDB failures, docs. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { type Fixture, SITE, writeFixture } from './plant-fixture.js';

const VIEWER = 'viewer-token-0123456789';
const ADMIN = 'admin-token-9876543210';
const FAST = { N: 1024, r: 8, p: 1 };

let fx: Fixture;
let db: string;
let app: ReturnType<typeof createApiServer>;
const live = new LiveBus();

const get = async (url: string, token: string | null = VIEWER) => {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: res.statusCode,
    body: res.json() as Record<string, unknown> & unknown[],
    headers: res.headers,
  };
};

beforeAll(async () => {
  db = await freshDatabase('api');
  fx = await writeFixture(influxUrl(), db);
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [
        { name: 'control-room', role: 'viewer', tokenHash: hashSecret(VIEWER, FAST) },
        { name: 'shift-lead', role: 'admin', tokenHash: hashSecret(ADMIN, FAST) },
      ],
    }),
    influx: { url: influxUrl(), database: db },
    live,
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    clock: () => fx.now + 1000,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

describe('authentication and roles', () => {
  it('refuses a request without a token in fastify error shape', async () => {
    const r = await get('/api/v1/sites', null);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ statusCode: 401, code: 'PP_API_UNAUTHORIZED', error: 'Unauthorized' });
    expect(String(r.body['message'])).toMatch(/Bearer/);
  });

  it('refuses an unknown token', async () => {
    const r = await get('/api/v1/sites', 'not-a-real-token');
    expect(r.status).toBe(401);
    expect(r.body['message']).toBe('unknown or revoked token');
  });

  it('tells who a token belongs to', async () => {
    expect((await get('/api/v1/me')).body).toEqual({ name: 'control-room', role: 'viewer' });
    expect((await get('/api/v1/me', ADMIN)).body).toEqual({ name: 'shift-lead', role: 'admin' });
  });

  it('lets a viewer read but not acknowledge', async () => {
    const [a] = (await get(`/api/v1/alarms?site=${SITE}`)).body as unknown as { id: string }[];
    expect(a).toBeDefined();
    const r = await app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${encodeURIComponent(a?.id ?? '')}/ack`,
      headers: { authorization: `Bearer ${VIEWER}` },
      payload: {},
    });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'PP_API_FORBIDDEN' });
  });

  it('sends no CORS headers when none are configured', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/api/v1/sites',
      headers: { authorization: `Bearer ${VIEWER}`, origin: 'http://evil.example' },
    });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('request validation', () => {
  it('rejects a malformed step with a clear message', async () => {
    const r = await get('/api/v1/devices/press-07/metrics/power_kw/history?step=5minutes');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, code: 'FST_ERR_VALIDATION', error: 'Bad Request' });
    expect(String(r.body['message'])).toMatch(/querystring\.step must match pattern/);
  });

  it('names an unknown parameter', async () => {
    const r = await get('/api/v1/oee?form=-1d');
    expect(r.status).toBe(400);
    expect(r.body['message']).toBe('querystring has an unknown parameter "form"');
  });

  it('rejects a reversed range and too many points', async () => {
    const rev = await get('/api/v1/devices/press-07/states?from=now&to=-1h');
    expect(rev.status).toBe(400);
    expect(String(rev.body['message'])).toMatch(/must be before/);
    const many = await get('/api/v1/devices/press-07/metrics/power_kw/history?from=-30d&step=1s');
    expect(many.status).toBe(400);
    expect(String(many.body['message'])).toMatch(/use a longer step/);
  });

  it('rejects an injection attempt in a device id', async () => {
    const r = await get(`/api/v1/devices/${encodeURIComponent("x' OR 1=1")}/latest`);
    expect(r.status).toBe(400);
  });
});

describe('InfluxDB failures', () => {
  it('answers 502 with the reason when the database is missing', async () => {
    const other = createApiServer({
      config: apiConfig({ port: 0, anonymous: 'viewer' }),
      influx: { url: influxUrl(), database: 'no_such_db_here' },
      live,
      log: pino({ level: 'silent' }),
      site: SITE,
    });
    try {
      const r = await other.inject({ method: 'GET', url: '/api/v1/overview' });
      expect(r.json()).toMatchObject({ statusCode: 502, code: 'PP_API_INFLUX', error: 'Bad Gateway' });
      expect(r.json().message).toMatch(/database not found|does database "no_such_db_here" exist/);
    } finally {
      await other.close();
    }
  });

  it('rejects an aggregate InfluxDB cannot apply with 400', async () => {
    const r = await get(
      `/api/v1/devices/cnc-01/metrics/spindle_rpm/history?step=1h&aggregate=median&from=-2h`,
    );
    expect(r.status).toBe(200);
    const bad = await get(`/api/v1/devices/stack-01/metrics/state/history?step=1h&aggregate=mean&from=-2h`);
    expect(bad.status).toBe(200);
    expect(bad.body['points']).toEqual([]);
  });

  it('lets a trusted LAN read without a token when anonymous viewer is configured, but not acknowledge', async () => {
    const lan = createApiServer({
      config: apiConfig({ port: 0, anonymous: 'viewer' }),
      influx: { url: influxUrl(), database: db },
      live,
      log: pino({ level: 'silent' }),
      site: SITE,
    });
    try {
      expect((await lan.inject({ method: 'GET', url: '/api/v1/me' })).json()).toEqual({
        name: 'anonymous',
        role: 'viewer',
      });
      const ack = await lan.inject({
        method: 'POST',
        url: `/api/v1/alarms/${SITE}~a~b~c~1/ack`,
        payload: {},
      });
      expect(ack.statusCode).toBe(403);
    } finally {
      await lan.close();
    }
  });

  it('sends CORS headers only to configured origins', async () => {
    const cors = createApiServer({
      config: apiConfig({ port: 0, anonymous: 'viewer', cors: ['https://mes.example.com'] }),
      influx: { url: influxUrl(), database: db },
      live,
      log: pino({ level: 'silent' }),
      site: SITE,
    });
    try {
      const ok = await cors.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { origin: 'https://mes.example.com' },
      });
      expect(ok.headers['access-control-allow-origin']).toBe('https://mes.example.com');
      const other = await cors.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });
});

describe('docs and dashboard', () => {
  it('serves the OpenAPI document (to a token holder) and the dashboard with ECharts', async () => {
    const authorization = `Bearer ${VIEWER}`;
    const ui = await app.inject({ method: 'GET', url: '/docs/', headers: { authorization } });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/swagger/i);
    const doc = await app.inject({ method: 'GET', url: '/docs/json', headers: { authorization } });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys((doc.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain('/api/v1/oee');
    expect(paths).toContain('/api/v1/alarms/{id}/ack');
    expect(paths).toContain('/api/v1/audit');
    const html = await app.inject({ method: 'GET', url: '/' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    const echarts = await app.inject({ method: 'GET', url: '/vendor/echarts.min.js' });
    expect(echarts.statusCode).toBe(200);
    expect(echarts.body.length).toBeGreaterThan(500_000);
    const outside = await app.inject({ method: 'GET', url: '/static/..%2F..%2Fapi%2Fserver.ts' });
    expect(outside.statusCode).toBe(404);
  });
});
