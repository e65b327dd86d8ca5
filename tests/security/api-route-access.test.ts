/**
 * Authorisation is decided on the route the router matched: no spelling of a path reaches an API handler without
 * a token, unknown paths under /api and /docs look the same as known ones to someone without a token, a route that
 * declares no role is refused to everybody, and /docs needs a role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, listen, raw, type TestApi, testApi, VIEWER } from './api-harness.js';

let app: TestApi;
let base: string;

beforeAll(async () => {
  app = await testApi({ authFailures: { max: 100_000 } }); // this file is not about the rate limit
  // routes a careless change might add: one under the API prefix and one outside it, neither declaring a role
  app.get('/api/v1/forgot-the-role', async () => ({ secret: 'leaked' }));
  app.get('/internal/forgot-the-role', async () => ({ secret: 'leaked' }));
  base = await listen(app);
});

afterAll(async () => {
  await app?.close();
});

// request targets that a router, a proxy or a lenient server may read as an API route
const ATTACKS = [
  '/%61pi/v1/devices',
  '/%61%70%69/v1/devices',
  '/api/v1/%64evices',
  '/%2561pi/v1/devices',
  '/api//v1/devices',
  '//api/v1/devices',
  '/api/v1//devices',
  '/api/v1/../v1/devices',
  '/api/v1/./devices',
  '/api/x/../v1/devices',
  '/API/v1/devices',
  '/Api/V1/Devices',
  '/api%2Fv1%2Fdevices',
  '/api/v1%2Fdevices',
  '/api%2fv1/devices',
  '/api/v1/devices;x=1',
  '/api;x=1/v1/devices',
  '/api/v1;/devices',
  '/api\\v1\\devices',
  '/api/v1/devices/',
  '/api/v1/devices?token=x',
  '/api/v1/devices#frag',
  '/api/v1/live',
  '/%61pi/v1/live',
  '/api/v1/%6cive',
  '/api//v1/live',
  '/api/v1/live;',
  '/API/V1/LIVE',
  '/api/v1/live/',
  '/api/v1/nope',
  '/api/v2/devices',
  '/api',
  '/api/',
];

describe('no spelling of a path reaches the API without a token', () => {
  it.each(ATTACKS)('refuses %s', async (path) => {
    const r = await raw(base, path);
    // 401 (or 400 for a request target the server cannot parse): never data, never a hint the path exists
    expect([400, 401]).toContain(r.status);
    expect(r.body).not.toMatch(/press-|"devices"|leaked|text\/event-stream/);
    expect(r.headers['content-type'] ?? '').not.toMatch(/event-stream/);
  });

  it('answers an unknown and a known API path alike without a token', async () => {
    const known = await raw(base, '/api/v1/devices');
    const unknown = await raw(base, '/api/v1/no-such-thing');
    expect(known.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.body)).toEqual(JSON.parse(known.body));
  });

  it('still serves a token holder, whatever the spelling the router accepts', async () => {
    for (const path of [
      '/api/v1/devices',
      '/%61pi/v1/devices',
      '/api/v1/%64evices',
      '/api/v1/devices?site=cq-plant1',
    ]) {
      const r = await raw(base, path, { headers: bearer(VIEWER) });
      expect(r.status, path).toBe(200);
      expect(JSON.parse(r.body), path).toEqual(expect.any(Array));
    }
    const me = await raw(base, '/%61pi/v1/me', { headers: bearer(VIEWER) });
    expect(JSON.parse(me.body)).toEqual({ name: 'control-room', role: 'viewer' });
    // an unknown path, with a token: a plain 404
    expect((await raw(base, '/api/v1/no-such-thing', { headers: bearer(VIEWER) })).status).toBe(404);
  });

  it('refuses HEAD and other methods on API routes without a token', async () => {
    expect((await raw(base, '/%61pi/v1/devices', { method: 'HEAD' })).status).toBe(401);
    expect((await raw(base, '/api/v1/devices', { method: 'DELETE' })).status).toBe(401);
    expect((await raw(base, '/api/v1/alarms/x~y~z~w~1/ack', { method: 'POST' })).status).toBe(401);
    expect((await raw(base, '/%61pi/v1/devices', { method: 'HEAD', headers: bearer(VIEWER) })).status).toBe(
      200,
    );
  });
});

describe('default deny', () => {
  it('refuses a route that declares no role, to an admin too, under the prefix or not', async () => {
    for (const path of [
      '/api/v1/forgot-the-role',
      '/%61pi/v1/forgot-the-role',
      '/internal/forgot-the-role',
    ]) {
      const anon = await raw(base, path);
      expect(anon.status, path).toBe(401);
      const admin = await raw(base, path, { headers: bearer(ADMIN) });
      expect(admin.status, path).toBe(403);
      expect(admin.body).not.toMatch(/leaked/);
    }
  });

  it('keeps the public parts public: dashboard, its files, /healthz', async () => {
    expect((await raw(base, '/')).status).toBe(200);
    expect((await raw(base, '/static/app.js')).status).toBe(200);
    expect((await raw(base, '/healthz')).status).toBe(200);
    // an unknown path outside the API is a plain 404
    expect((await raw(base, '/favicon.ico')).status).toBe(404);
  });
});

describe('/docs needs a role', () => {
  it('refuses the OpenAPI document and UI without a token, however spelt', async () => {
    for (const path of [
      '/docs',
      '/docs/',
      '/docs/json',
      '/docs/yaml',
      '/%64ocs/json',
      '/DOCS/json',
      '/docs//json',
    ]) {
      const r = await raw(base, path);
      expect(r.status, path).toBe(401);
      expect(r.body, path).not.toMatch(/openapi|swagger/i);
    }
  });

  it('serves it to a viewer (the default docsRole)', async () => {
    const r = await raw(base, '/docs/json', { headers: bearer(VIEWER) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ openapi: expect.any(String) });
    expect((await raw(base, '/docs/', { headers: bearer(VIEWER) })).body).toMatch(/swagger/i);
  });

  it('serves it to admins only when docsRole is admin', async () => {
    const strict = await testApi({ docsRole: 'admin' });
    try {
      const url = await listen(strict);
      expect((await raw(url, '/docs/json', { headers: bearer(VIEWER) })).status).toBe(403);
      expect((await raw(url, '/docs/json', { headers: bearer(ADMIN) })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
