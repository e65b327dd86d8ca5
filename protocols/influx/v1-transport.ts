/**
 * Lets the official `@influxdata/influxdb-client` write to InfluxDB 1.x servers older than 1.8, which have no
 * `/api/v2/write`: a `Transport` that turns the WriteApi's `/api/v2/write?org=…&bucket=…&precision=…` into
 * `/write?db=…&rp=…&precision=…` and authenticates with HTTP Basic (never credentials in the URL).
 * Everything else (gzip, timeouts, abort) is the client's own Node transport. Constructing does no I/O.
 */
import {
  type CommunicationObserver,
  InfluxDB,
  type ResponseStartedFn,
  type SendOptions,
  type Transport,
} from '@influxdata/influxdb-client';

export interface V1TransportOptions {
  /** base URL of the server, e.g. http://127.0.0.1:8086 */
  url: string;
  /** database to write to; default: the WriteApi's bucket (`db` or `db/rp`) */
  database?: string;
  /** retention policy; default: the bucket's `/rp` part, else the database default */
  retentionPolicy?: string;
  username?: string;
  password?: string;
  /** request timeout in ms (default 10 s, the client's default) */
  timeoutMs?: number;
  /** the transport to wrap (default: the client's Node HTTP transport for `url`) */
  base?: Transport;
}

const V2_WRITE = '/api/v2/write';

/** `/write?db=…&rp=…&precision=…` for a WriteApi path, or `undefined` when the path is not a v2 write. */
export function v1WritePath(
  path: string,
  opts: Pick<V1TransportOptions, 'database' | 'retentionPolicy'>,
): string | undefined {
  const q = path.indexOf('?');
  if ((q < 0 ? path : path.slice(0, q)) !== V2_WRITE) return undefined;
  const params = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  const bucket = params.get('bucket') ?? '';
  const slash = bucket.indexOf('/');
  const db = opts.database ?? (slash < 0 ? bucket : bucket.slice(0, slash));
  const rp = opts.retentionPolicy ?? (slash < 0 ? '' : bucket.slice(slash + 1));
  const out = new URLSearchParams({ db });
  if (rp !== '') out.set('rp', rp);
  out.set('precision', params.get('precision') ?? 'ns');
  const consistency = params.get('consistency');
  if (consistency) out.set('consistency', consistency);
  return `/write?${out.toString()}`;
}

export function basicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** A Transport for `new InfluxDB({ url, transport })` whose WriteApi posts to InfluxDB 1.x `/write`. */
export function createV1WriteTransport(opts: V1TransportOptions): Transport {
  const base =
    opts.base ??
    new InfluxDB({ url: opts.url, ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }) })
      .transport;
  const auth = opts.username === undefined ? undefined : basicAuth(opts.username, opts.password ?? '');
  const withAuth = (options: SendOptions): SendOptions =>
    auth === undefined ? options : { ...options, headers: { ...options.headers, authorization: auth } };

  return {
    send(
      path: string,
      body: string,
      options: SendOptions,
      callbacks?: Partial<CommunicationObserver<Uint8Array>>,
    ) {
      base.send(v1WritePath(path, opts) ?? path, body, withAuth(options), callbacks);
    },
    // Queries and other calls go through unchanged (with the same credentials).
    request(
      path: string,
      body: unknown,
      options: SendOptions,
      responseStarted?: ResponseStartedFn,
    ): Promise<unknown> {
      return base.request(path, body, withAuth(options), responseStarted);
    },
    iterate(path: string, body: unknown, options: SendOptions): AsyncIterableIterator<Uint8Array> {
      return base.iterate(path, body, withAuth(options));
    },
    get chunkCombiner() {
      return base.chunkCombiner;
    },
  };
}
