/**
 * The API's access to InfluxDB: InfluxQL reads over `/query` (docs/architecture.md#writes-and-reads) and the
 * one write it makes (alarm acknowledgements) over the v1 `/write` endpoint, which InfluxDB 1.x serves
 * natively and 2.x/3.x through their v1 compatibility API.
 */
import {
  InfluxQueryError,
  type InfluxSeries,
  type InfluxValue,
  queryInfluxQLSeries,
} from '../../protocols/influx/index.js';
import { ApiError, UpstreamError } from './errors.js';

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
      try {
        const statements = await queryInfluxQLSeries(conn.url, {
          q,
          db: conn.database,
          timeoutMs,
          ...(conn.auth ? { auth: conn.auth } : {}),
          ...(signal ? { signal } : {}),
        });
        return statements.map((series) => series.map(toSeries));
      } catch (err) {
        if (
          err instanceof InfluxQueryError &&
          err.code === 'INFLUX_QUERY_REJECTED' &&
          !/database not found|not executed/i.test(err.message)
        ) {
          throw new ApiError(400, 'PP_API_QUERY_REJECTED', `InfluxDB rejected the query: ${err.message}`, {
            cause: err,
          });
        }
        const hint = /not executed/i.test((err as Error).message)
          ? ` (does database "${conn.database}" exist?)`
          : '';
        throw new UpstreamError(`InfluxDB query failed: ${(err as Error).message}${hint}`, err);
      }
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

/** bigint (int64 beyond ±2^53) becomes a number when exact, else a decimal string, so JSON replies never break. */
function plain(v: InfluxValue): unknown {
  if (typeof v !== 'bigint') return v;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

function toSeries(s: InfluxSeries): Series {
  const rows = s.rows.map((r) => {
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) row[k] = plain(v);
    return row as Row;
  });
  return { name: s.name, tags: s.tags, rows };
}

/** All rows of all series of the first statement. */
export async function queryRows(reader: InfluxReader, q: string, signal?: AbortSignal): Promise<Row[]> {
  const [first] = await reader.query(q, signal);
  return (first ?? []).flatMap((s) => s.rows);
}
