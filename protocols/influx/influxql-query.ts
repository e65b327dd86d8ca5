/**
 * InfluxQL reads over `/query` (docs/architecture.md#writes-and-reads): native on InfluxDB 1.x and 3.x,
 * through the v1 compatibility API on 2.x. Rows come back as plain objects with `time` in ms; int64 values
 * beyond ±2^53 stay exact as bigint.
 */
import { InfluxQueryError } from './errors.js';
import { safeOrigin, withSlash } from './flavour.js';
import { parseJsonWithBigInts } from './json-bigint.js';
import { basicAuth } from './v1-transport.js';

export type InfluxValue = number | bigint | string | boolean | null;

/** One row: column → value, with group-by tags merged in. `time` (when selected) is ms since epoch. */
export type InfluxRow = { [column: string]: InfluxValue };

export interface InfluxSeries {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  rows: InfluxRow[];
}

export type InfluxAuth = { username: string; password: string } | { token: string };

export interface InfluxQLOptions {
  /** one or more statements separated by `;` */
  q: string;
  db?: string;
  rp?: string;
  auth?: InfluxAuth;
  /** bound parameters: `$name` in `q` (server-side binding, no string concatenation) */
  params?: Readonly<Record<string, string | number | boolean>>;
  signal?: AbortSignal;
  /** default 30 s */
  timeoutMs?: number;
}

interface RawSeries {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}
interface RawStatement {
  statement_id?: number;
  series?: RawSeries[];
  error?: string;
}
interface RawResponse {
  results?: RawStatement[];
  error?: string;
}

function authHeader(auth: InfluxAuth | undefined): Record<string, string> {
  if (!auth) return {};
  if ('token' in auth) return { authorization: `Token ${auth.token}` };
  return { authorization: basicAuth(auth.username, auth.password) };
}

function toRows(s: RawSeries): InfluxRow[] {
  const columns = s.columns ?? [];
  return (s.values ?? []).map((values) => {
    const row: InfluxRow = { ...s.tags };
    columns.forEach((c, i) => {
      row[c] = (values[i] ?? null) as InfluxValue;
    });
    return row;
  });
}

/** Runs the statements and returns, per statement, its series. Throws `InfluxQueryError`. */
export async function queryInfluxQLSeries(url: string, opts: InfluxQLOptions): Promise<InfluxSeries[][]> {
  const form = new URLSearchParams({ q: opts.q, epoch: 'ms' });
  if (opts.db !== undefined) form.set('db', opts.db);
  if (opts.rp !== undefined) form.set('rp', opts.rp);
  if (opts.params !== undefined) form.set('params', JSON.stringify(opts.params));
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let status: number;
  let text: string;
  try {
    const res = await fetch(new URL('query', withSlash(url)), {
      method: 'POST',
      headers: { accept: 'application/json', ...authHeader(opts.auth) },
      body: form,
      signal,
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    opts.signal?.throwIfAborted();
    throw new InfluxQueryError(
      'INFLUX_QUERY_UNAVAILABLE',
      `InfluxQL query to ${safeOrigin(url)} failed: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  let body: RawResponse | undefined;
  try {
    body = parseJsonWithBigInts(text) as RawResponse;
  } catch {
    body = undefined;
  }
  const serverError = body?.error ?? body?.results?.find((r) => r.error !== undefined)?.error;
  if (status === 401 || status === 403) {
    throw new InfluxQueryError(
      'INFLUX_QUERY_UNAUTHORIZED',
      `InfluxQL: HTTP ${status}: ${serverError ?? text.slice(0, 200)}`,
      {
        statusCode: status,
      },
    );
  }
  if (status === 429 || status >= 500) {
    throw new InfluxQueryError(
      'INFLUX_QUERY_UNAVAILABLE',
      `InfluxQL: HTTP ${status}: ${serverError ?? text.slice(0, 200)}`,
      {
        statusCode: status,
      },
    );
  }
  if (serverError !== undefined || status !== 200) {
    throw new InfluxQueryError(
      'INFLUX_QUERY_REJECTED',
      serverError ?? `InfluxQL: HTTP ${status}: ${text.slice(0, 200)}`,
      {
        statusCode: status,
      },
    );
  }
  if (!body || !Array.isArray(body.results)) {
    throw new InfluxQueryError(
      'INFLUX_QUERY_BAD_RESPONSE',
      `InfluxQL: not an InfluxQL JSON answer: ${text.slice(0, 200)}`,
      {
        statusCode: status,
      },
    );
  }
  return body.results.map((r) =>
    (r.series ?? []).map((s) => ({
      name: s.name ?? '',
      tags: { ...s.tags },
      columns: s.columns ?? [],
      rows: toRows(s),
    })),
  );
}

/**
 * Runs an InfluxQL query and returns every row of every statement and series, group-by tags merged into the rows,
 * `time` in ms. `R` narrows the row type for the caller (unchecked: it is the caller's statement).
 */
export async function queryInfluxQL<R extends InfluxRow = InfluxRow>(
  url: string,
  opts: InfluxQLOptions,
): Promise<R[]> {
  const statements = await queryInfluxQLSeries(url, opts);
  return statements.flatMap((series) => series.flatMap((s) => s.rows)) as R[];
}
