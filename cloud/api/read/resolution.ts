/**
 * Which telemetry a history request reads (README "Data lifecycle"): raw points for short recent spans, the
 * 1-minute roll-ups up to a month, the hourly ones beyond, and always a roll-up once the range reaches past the raw
 * retention. The roll-ups keep mean, min, max, last, sum and count per bucket, so coarser steps are exact:
 * the mean of a step is sum/count, not a mean of means.
 */
import {
  HOUR_MEASUREMENT,
  HOUR_POLICY,
  MINUTE_MEASUREMENT,
  MINUTE_POLICY,
  quoteIdent,
  type Resolution,
} from '../../lifecycle/policies.js';
import type { ApiContext } from '../api-context.js';
import { ident, type TimeRange } from '../influxql.js';

/** spans up to a day read raw points (while the raw data is kept) */
export const RAW_SPAN_MAX_MS = 86_400_000;
/** spans up to 31 days read the 1-minute roll-ups (while they are kept) */
export const MINUTE_SPAN_MAX_MS = 31 * 86_400_000;

const WIDTH = { '1m': 60_000, '1h': 3_600_000 } as const;
/** aggregates a roll-up answers exactly */
const FROM_ROLLUP = new Set(['mean', 'min', 'max', 'last', 'sum', 'count']);

export function chooseResolution(
  ctx: ApiContext,
  range: TimeRange,
  stepMs: number | undefined,
  aggregate: string,
  asked: Resolution | 'auto' = 'auto',
): Resolution {
  const lc = ctx.lifecycle;
  if (!lc?.rollups()) return 'raw';
  if (asked !== 'auto') return asked;
  if (!FROM_ROLLUP.has(aggregate)) return 'raw';
  const now = ctx.clock();
  const span = range.to - range.from;
  const fits = (r: '1m' | '1h') => stepMs === undefined || stepMs % WIDTH[r] === 0;
  if (span <= RAW_SPAN_MAX_MS && range.from >= now - lc.rawMs) return 'raw';
  if (span <= MINUTE_SPAN_MAX_MS && range.from >= now - lc.minuteMs && fits('1m')) return '1m';
  if (fits('1h')) return '1h';
  if (fits('1m')) return '1m';
  return 'raw';
}

/** The InfluxQL of a roll-up read: one row per bucket (no step) or per step (exact aggregates of the buckets). */
export function rollupQuery(
  resolution: '1m' | '1h',
  metric: string,
  aggregate: string,
  conds: string,
  stepMs: number | undefined,
  limit: number,
): string {
  const from =
    resolution === '1m'
      ? `${quoteIdent(MINUTE_POLICY)}.${quoteIdent(MINUTE_MEASUREMENT)}`
      : `${quoteIdent(HOUR_POLICY)}.${quoteIdent(HOUR_MEASUREMENT)}`;
  const f = (agg: string) => ident(`${agg}_${metric}`);
  if (stepMs === undefined) return `SELECT ${f(aggregate)} AS "value" FROM ${from}${conds} LIMIT ${limit}`;
  const expr =
    aggregate === 'mean'
      ? `sum(${f('sum')}) / sum(${f('count')})`
      : aggregate === 'count'
        ? `sum(${f('count')})`
        : `${aggregate}(${f(aggregate)})`;
  return `SELECT ${expr} AS "value" FROM ${from}${conds} GROUP BY time(${stepMs}ms) fill(none)`;
}
