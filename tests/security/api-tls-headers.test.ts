/**
 * HTTPS (`api.tls`), with and without client certificates, and the security headers on every kind of response.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, listen, raw, type TestApi, testApi, VIEWER } from './api-harness.js';
import { makeTestPki, type TestPki } from './api-tls-certs.js';

let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await rm(pki.dir, { recursive: true, force: true });
});

const SECURITY_HEADERS = {
  'content-security-policy': expect.stringContaining("default-src 'self'"),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

describe('security headers', () => {
  let app: TestApi;
  let base: string;
  beforeAll(async () => {
    app = await testApi();
    base = await listen(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('are on every response: dashboard, API data, refusals, 404s, /docs', async () => {
    const answers = [
      await raw(base, '/'),
      await raw(base, '/static/app.js'),
      await raw(base, '/api/v1/me', { headers: bearer(VIEWER) }),
      await raw(base, '/api/v1/me'),
      await raw(base, '/nowhere'),
      await raw(base, '/docs/json', { headers: bearer(VIEWER) }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 404, 200]);
    for (const a of answers) {
      expect(a.headers).toMatchObject(SECURITY_HEADERS);
      const csp = String(a.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      // no HSTS over plain HTTP
      expect(a.headers['strict-transport-security']).toBeUndefined();
    }
  });
});

describe('HTTPS', () => {
  it('serves the API over TLS with HSTS, and plain HTTP on that port gets nothing', async () => {
    const app = await testApi({ tls: { cert: pki.certPath, key: pki.keyPath } });
    try {
      const base = await listen(app);
      expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await raw(base, '/api/v1/me', { headers: bearer(VIEWER), tls: { ca: pki.ca } });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ name: 'control-room', role: 'viewer' });
      expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect((await raw(base, '/api/v1/me', { tls: { ca: pki.ca } })).status).toBe(401);
      const plain = raw(base.replace('https:', 'http:'), '/api/v1/me', { headers: bearer(VIEWER) });
      await expect(plain).rejects.toThrow();
    } finally {
      await app.close();
    }
  });

  it('with requestCert, refuses clients without a certificate from the CA and serves those with one', async () => {
    const app = await testApi({
      tls: { cert: pki.certPath, key: pki.keyPath, ca: pki.caPath, requestCert: true },
    });
    try {
      const base = await listen(app);
      await expect(
        raw(base, '/api/v1/me', { headers: bearer(VIEWER), tls: { ca: pki.ca } }),
      ).rejects.toThrow();
      await expect(
        raw(base, '/api/v1/me', { headers: bearer(VIEWER), tls: { ca: pki.ca, ...pki.stranger } }),
      ).rejects.toThrow();
      const ok = await raw(base, '/api/v1/me', {
        headers: bearer(VIEWER),
        tls: { ca: pki.ca, ...pki.client },
      });
      expect(ok.status).toBe(200);
      // a client certificate is not a token: the API still needs one
      expect((await raw(base, '/api/v1/me', { tls: { ca: pki.ca, ...pki.client } })).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('fails to start with the path when a certificate file is missing', async () => {
    await expect(testApi({ tls: { cert: `${pki.dir}/missing.crt`, key: pki.keyPath } })).rejects.toThrow(
      /api\.tls\.cert .*missing\.crt/,
    );
  });
});
