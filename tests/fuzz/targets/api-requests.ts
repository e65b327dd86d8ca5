/**
 * The requests of the api-paths fuzz target (api-paths.ts): our routes and near misses, their paths encoded and
 * bent the ways a router and an auth check may read differently, hostile query strings, methods, tokens.
 */
import type { Rng } from '../harness/prng.js';

export type Auth = 'none' | 'wrong' | 'malformed' | 'viewer' | 'admin';

export interface Request {
  method: string;
  /** the request-target as sent (path and query), latin1 */
  target: string;
  auth: Auth;
  /** a body for POST/PUT (JSON or not) */
  body?: string;
}

const ROUTES = [
  '/api/v1/devices',
  '/api/v1/devices/press-07',
  '/api/v1/devices/press-07/latest',
  '/api/v1/devices/press-07/metrics/power_kw/history',
  '/api/v1/devices/press-07/states',
  '/api/v1/sites',
  '/api/v1/sites/plant-1/lines',
  '/api/v1/overview',
  '/api/v1/alarms',
  '/api/v1/alarms/a1/ack',
  '/api/v1/oee',
  '/api/v1/energy',
  '/api/v1/emissions',
  '/api/v1/kpi',
  '/api/v1/limits',
  '/api/v1/live',
  '/api/v1/me',
  '/healthz',
  '/',
  '/docs',
  '/docs/json',
  '/docs/static/index.html',
  '/static/app.js',
  '/vendor/echarts.min.js',
];

const PARAMS = [
  'from',
  'to',
  'start',
  'end',
  'step',
  'period',
  'metric',
  'metrics',
  'device',
  'site',
  'line',
  'groupBy',
  'aggregate',
  'limit',
  'types',
  'lastEventId',
  'state',
  'active',
  'since',
  'severity',
  'carrier',
  'tariff',
  'windows',
  '__proto__',
  'constructor',
  '',
];

const VALUES = [
  '',
  '0',
  '-1',
  '1',
  '1e309',
  'NaN',
  'Infinity',
  '99999999999999999999999',
  '2026-12-06T00:00:00Z',
  '2026-13-45T99:99:99Z',
  '-271821-04-20T00:00:00Z',
  'now()',
  'now() - 1000w',
  "x' OR 1=1 --",
  'press-07\' AND "x"=\'x',
  '"',
  '\\',
  '/.*/',
  'line',
  'device',
  'day',
  'hour',
  'value,state,status,alarm',
  'a,b,,c',
  '1:2:3',
  '%00',
  '%',
  '%zz',
  '%E2%80%AE',
  '%C0%AF',
  'press-07',
  'power_kw',
  '[]',
  '{}',
  '1h',
  '-1s',
];

/** `c` percent-encoded, in upper or lower case hex. */
function pct(rng: Rng, c: string): string {
  const hex = Buffer.from(c, 'utf8').toString('hex');
  const cased = rng.chance(0.5) ? hex.toUpperCase() : hex;
  return cased.replace(/(..)/g, '%$1');
}

function encodeSome(rng: Rng, s: string, p: number): string {
  return [...s].map((c) => (rng.chance(p) ? pct(rng, c) : c)).join('');
}

/** One change to a path: the encodings and near misses a router and an auth check may see differently. */
function twist(rng: Rng, path: string): string {
  return rng.weighted<() => string>([
    [4, () => encodeSome(rng, path, 0.15)],
    [1, () => path.replace(/[a-z]/, (c) => pct(rng, c))],
    [1, () => path.replace(/[a-z]/, (c) => `%25${Buffer.from(c).toString('hex')}`)],
    [2, () => path.replace(/\//g, () => rng.pick(['/', '//', '/./', '/x/../', '%2F', '%2f', '\\', '/;/']))],
    [
      1,
      () =>
        path.replace(/[a-z]+/, (s) => (rng.chance(0.5) ? s.toUpperCase() : s[0]?.toUpperCase() + s.slice(1))),
    ],
    [
      1,
      () => path + rng.pick(['/', ';x=1', '#frag', '?', '??', '/.', '/..', '%00', '%', '%G1', '%1', '.json']),
    ],
    [1, () => rng.pick(['', '/..', '/.', '/%2e%2e', '/%2E', '//']) + path],
    [
      1,
      () =>
        path.replace(/[^/]+$/, () =>
          rng.pick(['%C0%AF', '%FF', '%E2%80%AE', 'x'.repeat(rng.range(100, 5000)), 'é😀', '%F0%9F%98%80']),
        ),
    ],
    [1, () => `${path}/${Array.from({ length: rng.range(2, 40) }, () => 'a').join('/')}`],
    [1, () => `http://127.0.0.1${path}`],
    [
      1,
      () =>
        Buffer.from(rng.bytes(rng.size(60)))
          .toString('latin1')
          .replace(/[\r\n ]/g, ''),
    ],
  ])();
}

function query(rng: Rng): string {
  const n = rng.chance(0.3) ? 0 : rng.range(1, 6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let k = rng.pick(PARAMS);
    let v = rng.chance(0.8) ? rng.pick(VALUES) : Buffer.from(rng.bytes(rng.size(40))).toString('hex');
    if (rng.chance(0.1)) v = v.repeat(rng.range(50, 500));
    if (rng.chance(0.1)) k = `${k}[${rng.pick(['', '0', 'a', '__proto__'])}]`;
    if (rng.chance(0.2)) v = encodeSome(rng, v, 0.3);
    parts.push(rng.chance(0.05) ? k : `${k}=${v}`);
  }
  if (rng.chance(0.05)) parts.push(rng.pick(['&&', '=', '==', '&=&', ';']));
  return parts.length === 0 ? '' : `?${parts.join('&').replace(/[\r\n ]/g, '+')}`;
}

export function generate(rng: Rng): Request {
  let path = rng.pick(ROUTES);
  for (
    let i = rng.weighted([
      [3, 0],
      [5, 1],
      [2, 2],
      [1, 3],
    ]);
    i > 0;
    i--
  )
    path = twist(rng, path);
  const method = rng.weighted([
    [20, 'GET'],
    [3, 'HEAD'],
    [3, 'POST'],
    [2, 'OPTIONS'],
    [1, 'PUT'],
    [1, 'DELETE'],
    [1, 'PATCH'],
    [1, 'TRACE'],
    [1, 'get'],
    [1, 'M-SEARCH'],
  ]);
  const auth = rng.weighted<Auth>([
    [5, 'none'],
    [2, 'wrong'],
    [1, 'malformed'],
    [3, 'viewer'],
    [1, 'admin'],
  ]);
  const req: Request = { method, target: (path === '' ? '/' : path) + query(rng), auth };
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    req.body = rng.pick([
      '{}',
      '{"comment":"ok"}',
      '{"comment":',
      'null',
      '[]',
      '{"__proto__":{"x":1}}',
      'x'.repeat(70_000),
    ]);
  }
  return req;
}
