/**
 * A real API server for the attack tests, and a raw HTTP client that sends the request target byte for byte (fetch
 * and URL normalise `..`, `//` and case; an attacker's client does not).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { StaticEncode } from '@sinclair/typebox';
import { pino } from 'pino';
import { LiveBus } from '../../cloud/api/live-bus.js';
import { type ApiServerOptions, createApiServer } from '../../cloud/api/server.js';
import { hashSecret } from '../../config/password-hash.js';
import type { ApiConfig } from '../../config/schemas/api.js';
import { apiConfig } from '../helpers/configs.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';

export const FAST = { N: 1024, r: 8, p: 1 } as const;
export const VIEWER = 'wall01.viewer-secret-7f3a9c2e41d8';
export const ADMIN = 'lead01.admin-secret-0b5e7d9a13c6';

export const TOKENS = [
  { name: 'control-room', role: 'viewer' as const, id: 'wall01', tokenHash: hashSecret(VIEWER, FAST) },
  { name: 'shift-lead', role: 'admin' as const, id: 'lead01', tokenHash: hashSecret(ADMIN, FAST) },
];

export type TestApi = ReturnType<typeof createApiServer>;

/** An API server on a fresh InfluxDB database (not listening yet). */
export async function testApi(
  config: Partial<StaticEncode<typeof ApiConfig>> = {},
  extra: Partial<ApiServerOptions> = {},
): Promise<TestApi> {
  const db = await freshDatabase('sec');
  return createApiServer({
    config: apiConfig({ port: 0, tokens: TOKENS, ...config }),
    influx: { url: influxUrl(), database: db },
    live: new LiveBus(),
    log: pino({ level: 'silent' }),
    site: 'cq-plant1',
    ...extra,
  });
}

/** Listens on 127.0.0.1, port 0; returns the base URL. */
export async function listen(app: TestApi): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  /** for https: trust and client certificate */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/** Sends `path` exactly as given (no normalising) and reads the whole answer. */
export function raw(base: string, path: string, opts: RawOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  const isHttps = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (isHttps ? httpsRequest : httpRequest)(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'GET',
        path,
        headers: opts.headers ?? {},
        ...(isHttps ? { ...opts.tls, servername: undefined, agent: false } : { agent: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // a hang guard (an SSE stream never ends): fail rather than wait for the test timeout
    req.setTimeout(15_000, () => req.destroy(new Error(`${path}: no complete answer (a stream?)`)));
    req.end();
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
