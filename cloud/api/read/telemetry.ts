/** Latest values and history of telemetry metrics (measurement `telemetry`, one field per metric). */
import { type Resolution, telemetryFrom } from '../../lifecycle/policies.js';
import type { ApiContext } from '../api-context.js';
import { BadRequestError } from '../errors.js';
import { queryRows } from '../influx-reader.js';
import { durationMs, ident, type TimeRange, tagsWhere, timeWhere, where } from '../influxql.js';
import { chooseResolution, rollupQuery } from './resolution.js';

export interface LatestValue {
  metric: string;
  value: number | boolean | string | null;
  time: number;
  unit?: string;
}

export const AGGREGATES = ['mean', 'min', 'max', 'first', 'last', 'sum', 'count', 'median'] as const;
export type Aggregate = (typeof AGGREGATES)[number];
/** the most points one history request may return */
export const MAX_POINTS = 10_000;

/** Last value of each metric of a device (each with its own time). */
export async function latestValues(
  ctx: ApiContext,
  site: string,
  device: string,
  metrics: string[],
  lookbackMs = 30 * 86_400_000,
): Promise<LatestValue[]> {
  if (metrics.length === 0) return [];
  const now = ctx.clock();
  const conds = where([...tagsWhere({ site, device }), `time > ${now - lookbackMs}ms`]);
  const q = metrics
    .map(
      (m) => `SELECT last(${ident(m)}) AS "value" FROM ${telemetryFrom(ctx.lifecycle !== undefined)}${conds}`,
    )
    .join('; ');
  const results = await ctx.reader.query(q);
  const units = new Map((ctx.registry.get(site, device)?.metrics ?? []).map((m) => [m.name, m.unit]));
  const out: LatestValue[] = [];
  metrics.forEach((metric, i) => {
    const row = results[i]?.[0]?.rows[0];
    if (!row) return;
    const v = row['value'];
    const value = typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : null;
    const unit = units.get(metric);
    out.push({ metric, value, time: row.time, ...(unit ? { unit } : {}) });
  });
  return out;
}

/** One metric's last value per device of a site (e.g. power for the overview tiles). */
export async function latestPerDevice(
  ctx: ApiContext,
  site: string,
  metric: string,
  lookbackMs = 86_400_000,
): Promise<Map<string, { value: number; time: number }>> {
  const now = ctx.clock();
  const [series = []] = await ctx.reader.query(
    `SELECT last(${ident(metric)}) AS "value" FROM ${telemetryFrom(ctx.lifecycle !== undefined)}${where([
      ...tagsWhere({ site }),
      `time > ${now - lookbackMs}ms`,
    ])} GROUP BY "device"`,
  );
  const out = new Map<string, { value: number; time: number }>();
  for (const s of series) {
    const row = s.rows[0];
    const device = s.tags['device'];
    if (row && device && typeof row['value'] === 'number')
      out.set(device, { value: row['value'], time: row.time });
  }
  return out;
}

export interface HistoryRequest {
  site: string;
  device: string;
  metric: string;
  range: TimeRange;
  /** bucket width (`1m`); absent = raw points */
  step?: string | undefined;
  aggregate: Aggregate;
  /** `auto` (default): by span and retention (read/resolution.ts) */
  resolution?: Resolution | 'auto' | undefined;
}

export interface History {
  metric: string;
  from: number;
  to: number;
  step: string | null;
  aggregate: Aggregate | null;
  /** what was read: raw points, or the 1-minute or hourly roll-ups */
  resolution: Resolution;
  /** [time ms, value] */
  points: [number, number | boolean | string | null][];
}

export async function history(ctx: ApiContext, r: HistoryRequest): Promise<History> {
  const span = r.range.to - r.range.from;
  const conds = where([...tagsWhere({ site: r.site, device: r.device }), ...timeWhere(r.range)]);
  const stepMs = r.step === undefined ? undefined : durationMs(r.step);
  if (stepMs !== undefined && span / stepMs > MAX_POINTS) {
    throw new BadRequestError(
      `step ${r.step} gives ${Math.ceil(span / stepMs)} points over this range; the most is ${MAX_POINTS}: use a longer step`,
    );
  }
  const resolution = chooseResolution(ctx, r.range, stepMs, r.aggregate, r.resolution);
  const from = telemetryFrom(ctx.lifecycle !== undefined);
  const q =
    resolution !== 'raw'
      ? rollupQuery(resolution, r.metric, r.aggregate, conds, stepMs, MAX_POINTS + 1)
      : stepMs !== undefined
        ? `SELECT ${r.aggregate}(${ident(r.metric)}) AS "value" FROM ${from}${conds} GROUP BY time(${stepMs}ms) fill(none)`
        : `SELECT ${ident(r.metric)} AS "value" FROM ${from}${conds} LIMIT ${MAX_POINTS + 1}`;
  const rows = await queryRows(ctx.reader, q);
  if (stepMs === undefined && rows.length > MAX_POINTS) {
    throw new BadRequestError(
      `more than ${MAX_POINTS} ${resolution === 'raw' ? 'raw points' : `${resolution} roll-ups`} in this range: pass a step (e.g. step=1h)`,
    );
  }
  const points: History['points'] = [];
  for (const row of rows) {
    const v = row['value'];
    if (v === null || v === undefined) continue;
    points.push([
      row.time,
      typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : null,
    ]);
  }
  const rolled = resolution !== 'raw';
  return {
    metric: r.metric,
    from: r.range.from,
    to: r.range.to,
    step: r.step ?? (rolled ? resolution : null),
    aggregate: r.step === undefined && !rolled ? null : r.aggregate,
    resolution,
    points,
  };
}
