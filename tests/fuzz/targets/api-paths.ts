/**
 * Random request lines into the real API (`createApiServer`, cloud/api/server.ts: fastify, bearer tokens, the
 * dashboard, OpenAPI docs) listening on 127.0.0.1 with a token-protected config and a real InfluxDB behind it:
 * each case is one raw HTTP/1.1 request over TCP — a route of ours or a near miss, its path percent-encoded,
 * double-encoded, re-cased, with dot segments, doubled or encoded slashes, invalid escapes and odd bytes, a query
 * string of our parameters with hostile values (InfluxQL quotes, huge numbers, repeated keys, prototype keys), with
 * no token, a wrong or malformed one, a viewer's or an admin's.
 *
 * Rules: no 5xx answer; every request gets an answer; no handler under /api/ runs for a request without a valid
 * token, and no admin handler for a viewer (whatever it then answers). The process does not die (the harness), and the API keeps
 * answering a well-behaved client (liveness).
 *
 * The rules tell the ways past the token check apart — `encoded-path-auth-bypass` (`/%61pi/v1/devices`),
 * `absolute-form-auth-bypass` (`GET http://127.0.0.1/api/v1/devices HTTP/1.1`), `auth-bypass` — and all fail the
 * run. Both named ones were found before the access check moved onto the matched route (cloud/api/access-control.ts);
 * their reports replay clean since.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { defineTarget, expectThat, Finding, within } from '../harness/target.js';
import { type Auth, generate, type Request } from './api-requests.js';

const VIEWER = 'viewer-token-fuzz-0123456789';
const ADMIN = 'admin-token-fuzz-9876543210';
const FAST = { N: 1024, r: 8, p: 1 };
const DATABASE = 'plantpulse_fuzz_api';

function authHeader(a: Auth): string | undefined {
  switch (a) {
    case 'none':
      return undefined;
    case 'wrong':
      return 'Bearer not-a-token-of-ours';
    case 'malformed':
      return 'Basic Zm9vOmJhcg==';
    case 'viewer':
      return `Bearer ${VIEWER}`;
    case 'admin':
      return `Bearer ${ADMIN}`;
  }
}

interface Seen {
  route: string;
  role: string;
  rawUrl: string;
}

let app: FastifyInstance | undefined;
let port = 0;
let counter = 0;
/** what the route handler saw of each request, by its x-fuzz-id */
const seen = new Map<string, Seen>();
const reached: Record<string, number> = {};
const bump = (k: string) => {
  reached[k] = (reached[k] ?? 0) + 1;
};

/** Sends one request; resolves with the status code once the head of the answer is in (or null: none came). */
function send(r: Request, id: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let head = '';
    let done = false;
    const finish = (status: number | null) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(status);
    };
    s.setEncoding('latin1');
    s.on('data', (chunk: string) => {
      head += chunk;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m && head.includes('\r\n\r\n')) finish(Number(m[1]));
    });
    s.on('close', () =>
      finish(/^HTTP\/1\.[01] (\d{3})/.exec(head) ? Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]) : null),
    );
    s.on('error', (err) => (done ? undefined : reject(err)));
    const auth = authHeader(r.auth);
    const lines = [
      `${r.method} ${r.target} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: close',
      `x-fuzz-id: ${id}`,
    ];
    if (auth !== undefined) lines.push(`Authorization: ${auth}`);
    if (r.body !== undefined)
      lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(r.body)}`);
    s.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${r.body ?? ''}`, 'latin1'));
  });
}

function check(r: Request, status: number | null, saw: Seen | undefined): void {
  const what = () => `${r.method} ${r.target.slice(0, 300)} (${r.auth})`;
  expectThat(status !== null, 'no-answer', () => `no answer to ${what()}`);
  bump(`${Math.floor(status / 100)}xx`);
  // a handler of ours ran (`saw`): under /api/ without a valid token that is a bypass whatever it answered (the
  // alarm ack, reached so, fails on the missing principal with a 500)
  const valid = r.auth === 'viewer' || r.auth === 'admin';
  if (saw !== undefined) checkAccess(r, status, saw, valid, what);
  expectThat(status < 500, 'server-error', () => `${status} for ${what()}`);
  if (status < 300 && saw?.route.startsWith('/api/')) bump('api-2xx');
}

function checkAccess(r: Request, status: number, saw: Seen, valid: boolean, what: () => string): void {
  // the messages start alike for one rule (a report per rule, not per route): the details come last
  if (saw.route.startsWith('/api/') && !valid) {
    const path = saw.rawUrl.split('?')[0] ?? '';
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
      throw new Finding(
        'absolute-form-auth-bypass',
        `a protected route ran without a token for an absolute-form request target (http://host/api/…): ${status} from ${saw.route} to ${what()}`,
      );
    }
    if (!path.startsWith('/api/') && path.includes('%')) {
      throw new Finding(
        'encoded-path-auth-bypass',
        `a protected route ran without a token for a percent-encoded path (/%61pi/…): ${status} from ${saw.route} to ${what()}`,
      );
    }
    throw new Finding(
      'auth-bypass',
      `a protected route ran without a token: ${status} from ${saw.route} to ${what()}`,
    );
  }
  if (saw.role === 'admin' && r.auth !== 'admin') {
    throw new Finding(
      'role-bypass',
      `an admin route ran for a viewer: ${status} from ${saw.route} to ${what()}`,
    );
  }
}

export const apiPaths = defineTarget<Request>({
  name: 'api-paths',
  summary:
    'the API (fastify, bearer tokens) on raw request lines: encoded paths, near-miss routes, hostile queries',
  shortCases: 600,
  caseTimeoutMs: 8000,
  memoryBoundBytes: 64 * 1024 * 1024,
  checkEvery: 1000,
  async start(env) {
    if (env.influxUrl === undefined) throw new Error('api-paths needs an InfluxDB (--influx-url)');
    const res = await fetch(`${env.influxUrl}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE ${DATABASE}` }),
    });
    if (!res.ok) throw new Error(`CREATE DATABASE: HTTP ${res.status}`);
    app = createApiServer({
      config: apiConfig({
        port: 0,
        tokens: [
          { name: 'viewer', role: 'viewer', tokenHash: hashSecret(VIEWER, FAST) },
          { name: 'admin', role: 'admin', tokenHash: hashSecret(ADMIN, FAST) },
        ],
      }),
      influx: { url: env.influxUrl, database: DATABASE },
      live: new LiveBus(),
      log: pino({ level: 'silent' }),
      site: 'plant-1',
      liveHeartbeatMs: 1000,
    });
    app.addHook('preHandler', async (req) => {
      const id = req.headers['x-fuzz-id'];
      if (typeof id !== 'string') return;
      seen.set(id, {
        route: req.routeOptions.url ?? '',
        role: req.routeOptions.config.role ?? 'viewer',
        rawUrl: req.raw.url ?? '',
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  },
  generate,
  async run(r) {
    const id = String(++counter);
    const status = await within(send(r, id), 6000, 'an answer from the API');
    const saw = seen.get(id);
    seen.delete(id);
    check(r, status, saw);
  },
  async liveness() {
    // without a token: refused, or (after the fuzzer's many refused requests) rate limited
    for (const [target, auth, want] of [
      ['/api/v1/me', 'viewer', [200]],
      ['/api/v1/devices', 'viewer', [200]],
      ['/api/v1/devices', 'none', [401, 429]],
      ['/healthz', 'none', [200]],
    ] as const) {
      const status = await within(send({ method: 'GET', target, auth }, 'liveness'), 10_000, `GET ${target}`);
      expectThat(
        status !== null && (want as readonly number[]).includes(status),
        'api-stopped',
        () => `GET ${target} (${auth}) answered ${status}, not ${want.join(' or ')}`,
      );
    }
    seen.clear();
  },
  async stop() {
    await app?.close();
  },
  save: (r) => r,
  load: (s) => s as Request,
  *shrink(r) {
    const [path, q] = [
      r.target.split('?')[0] ?? '',
      r.target.includes('?') ? r.target.slice(r.target.indexOf('?')) : '',
    ];
    if (q !== '') yield { ...r, target: path || '/' };
    if (r.body !== undefined) {
      const { body: _, ...rest } = r;
      yield rest;
    }
    if (r.method !== 'GET') yield { ...r, method: 'GET' };
    const params = q.slice(1).split('&');
    for (let i = 0; i < params.length && params.length > 1; i++) {
      yield { ...r, target: `${path}?${params.filter((_, j) => j !== i).join('&')}` };
    }
  },
  size: (r) => r.target.length + (r.body?.length ?? 0),
  coverage: () => ({ ...reached }),
});
