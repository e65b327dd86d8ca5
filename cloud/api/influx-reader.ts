/**
 * The API's access to InfluxDB: InfluxQL reads over `/query` (DESIGN.md §7) and the one write it makes (alarm
 * acknowledgements) over the v1 `/write` endpoint, which InfluxDB 1.x serves natively and 2.x/3.x through their v1
 * compatibility API.
 */
import { UpstreamError } from './errors.js';

export type InfluxAuth = { username: string; password: string } | { token: string };

export interface InfluxConnection {
  url: string;
  database: string;
  auth?: InfluxAuth;
  /** per-request timeout in ms (default 15 s) */
  timeoutMs?: number;
}

/** One row of a result series: `time` in ms, the series' GROUP BY tags, then the columns. */
export type Row = Record<string, unknown> & { time: number };

export interface Series {
  name: string;
  tags: Record<string, string>;
  rows: Row[];
}

export interface InfluxReader {
  /** Runs one or more `;`-separated statements; returns one Series[] per statement. */
  query(q: string, signal?: AbortSignal): Promise<Series[][]>;
  /** Posts line protocol with ms precision. */
  write(lines: string[], signal?: AbortSignal): Promise<void>;
}

interface RawSeries {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}
interface RawResult {
  statement_id?: number;
  series?: RawSeries[];
  error?: string;
}

export function createInfluxReader(conn: InfluxConnection): InfluxReader {
  const base = conn.url.replace(/\/+$/, '');
  const timeoutMs = conn.timeoutMs ?? 15_000;
  const headers: Record<string, string> = {};
  if (conn.auth && 'token' in conn.auth) headers['authorization'] = `Token ${conn.auth.token}`;
  if (conn.auth && 'username' in conn.auth) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${conn.auth.username}:${conn.auth.password}`).toString('base64')}`;
  }
  const withTimeout = (signal?: AbortSignal) =>
    signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);

  return {
    async query(q, signal) {
      let res: Response;
      try {
        res = await fetch(`${base}/query`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ db: conn.database, q, epoch: 'ms' }),
          signal: withTimeout(signal),
        });
      } catch (err) {
        throw new UpstreamError(`InfluxDB at ${base} is unreachable: ${(err as Error).message}`, err);
      }
      const text = await res.text();
      let body: { results?: RawResult[]; error?: string };
      try {
        body = JSON.parse(text) as typeof body;
      } catch (err) {
        throw new UpstreamError(`InfluxDB answered HTTP ${res.status} with a non-JSON body`, err);
      }
      if (!res.ok || body.error) {
        throw new UpstreamError(`InfluxDB query failed: HTTP ${res.status} ${body.error ?? ''}`.trim());
      }
      return (body.results ?? []).map((r) => {
        if (r.error) throw new UpstreamError(`InfluxDB query failed: ${r.error}`);
        return (r.series ?? []).map(toSeries);
      });
    },

    async write(lines, signal) {
      if (lines.length === 0) return;
      const params = new URLSearchParams({ db: conn.database, precision: 'ms' });
      let res: Response;
      try {
        res = await fetch(`${base}/write?${params}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
          body: `${lines.join('\n')}\n`,
          signal: withTimeout(signal),
        });
      } catch (err) {
        throw new UpstreamError(`InfluxDB at ${base} is unreachable: ${(err as Error).message}`, err);
      }
      if (res.status !== 204 && res.status !== 200) {
        throw new UpstreamError(
          `InfluxDB write failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
        );
      }
    },
  };
}

function toSeries(s: RawSeries): Series {
  const columns = s.columns ?? [];
  const tags = s.tags ?? {};
  const rows = (s.values ?? []).map((v) => {
    const row: Record<string, unknown> = { ...tags };
    columns.forEach((c, i) => {
      row[c] = v[i];
    });
    return row as Row;
  });
  return { name: s.name ?? '', tags, rows };
}

/** All rows of all series of the first statement. */
export async function queryRows(reader: InfluxReader, q: string, signal?: AbortSignal): Promise<Row[]> {
  const [first] = await reader.query(q, signal);
  return (first ?? []).flatMap((s) => s.rows);
}
