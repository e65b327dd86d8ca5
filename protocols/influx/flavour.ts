/** Which InfluxDB API a server speaks, from `/ping`'s `X-Influxdb-Version` header. */
import { InfluxConnectionError } from './errors.js';

export type InfluxFlavour = 'v1' | 'v2' | 'v3';

/**
 * The flavour for a version header: `1.6.7~rc0`, `1.8.10`, `v2.7.1`, `2.7.4`, `3.0.1`, `v3.2.0-…`.
 * A server that does not say (VictoriaMetrics and other InfluxDB-compatible stores) speaks the v2 write API.
 */
export function flavourOf(versionHeader: string | null | undefined): InfluxFlavour {
  const m = /^\s*v?(\d+)/i.exec(versionHeader ?? '');
  const major = m?.[1] === undefined ? undefined : Number(m[1]);
  if (major === 1) return 'v1';
  if (major !== undefined && major >= 3) return 'v3';
  return 'v2';
}

/** GET `/ping` and read `X-Influxdb-Version`. Throws `InfluxConnectionError` (retryable) when the server is down. */
export async function detectFlavour(
  url: string,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<InfluxFlavour> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(new URL('ping', withSlash(url)), { signal });
  } catch (err) {
    opts.signal?.throwIfAborted();
    throw new InfluxConnectionError(`GET ${safeOrigin(url)}/ping failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  await res.body?.cancel();
  if (res.status >= 500) {
    throw new InfluxConnectionError(`GET ${safeOrigin(url)}/ping answered HTTP ${res.status}`, {
      statusCode: res.status,
    });
  }
  return flavourOf(res.headers.get('x-influxdb-version'));
}

/** scheme://host:port of `url` for messages: never the user info or query that may hold credentials. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[unparseable url]';
  }
}

/** `url` ending in `/`, so relative paths keep a base path (e.g. behind a reverse proxy). */
export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
