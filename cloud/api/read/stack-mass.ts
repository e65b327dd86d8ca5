/**
 * Emitted mass per outlet and pollutant (kg), computed when asked from the stored readings: an outlet is a device
 * with an HJ 212 flow (`a00000_rtd` flue gas, `w00000_rtd` wastewater) and concentrations `<code>_rtd` of
 * pollutants whose amount is a mass (SO2, NOx, particulates, COD, ammonia nitrogen, …). Units come from the births
 * (the factor table when the registry was filled from InfluxDB). A pure function of what InfluxDB holds, so late
 * and re-sent data count as soon as they are stored.
 */

import { findPollutant, POLLUTANT_CODES } from '../../../protocols/hj212/pollutants.js';
import { emittedKgByWindow, massRateFactor, type Reading } from '../../analytics/stack-mass.js';
import type { ApiContext } from '../api-context.js';
import { BadRequestError } from '../errors.js';
import { ident, type TimeRange, tagsWhere, where } from '../influxql.js';
import { ensureRegistry } from './registry-fallback.js';

/** a reading is held at most this long (a real-time interval is 30 s – 1 min; a lost minute counts nothing) */
export const MASS_MAX_GAP_MS = 5 * 60_000;
/** the longest range computed from raw readings */
export const MASS_MAX_RANGE_MS = 31 * 86_400_000;
const HOUR = 3_600_000;

const FLOW_CODES = ['a00000', 'w00000'];
const MASS_CODES = POLLUTANT_CODES.filter((p) => p.couUnit === 'kg').map((p) => p.code);

export interface OutletPollutant {
  code: string;
  metric: string;
  unit: string;
  zh: string;
  en: string;
}

export interface Outlet {
  device: string;
  flowMetric: string;
  flowUnit: string;
  pollutants: OutletPollutant[];
}

export interface StackMass {
  period: '1h';
  from: number;
  to: number;
  outlets: Outlet[];
  rows: { time: number; device: string; code: string; kg: number }[];
  totals: { device: string; code: string; zh: string; en: string; kg: number }[];
}

/** The outlets of a site, from the metrics the devices declared. */
export function findOutlets(ctx: ApiContext, site: string, device?: string): Outlet[] {
  const out: Outlet[] = [];
  for (const d of ctx.registry.list({ site })) {
    if (device !== undefined && d.device !== device) continue;
    const unitOf = (metric: string, code: string) =>
      d.metrics.find((m) => m.name === metric)?.unit ?? findPollutant(code)?.unit;
    const has = (metric: string) => d.metrics.some((m) => m.name === metric);
    const flowCode = FLOW_CODES.find((c) => has(`${c}_rtd`));
    if (flowCode === undefined) continue;
    const flowMetric = `${flowCode}_rtd`;
    const flowUnit = unitOf(flowMetric, flowCode);
    if (flowUnit === undefined) continue;
    const pollutants: OutletPollutant[] = [];
    for (const code of MASS_CODES) {
      const metric = `${code}_rtd`;
      const unit = unitOf(metric, code);
      const p = findPollutant(code);
      if (!has(metric) || unit === undefined || p === undefined) continue;
      if (massRateFactor(unit, flowUnit) === undefined) continue;
      pollutants.push({ code, metric, unit, zh: p.zh, en: p.en });
    }
    if (pollutants.length > 0) out.push({ device: d.device, flowMetric, flowUnit, pollutants });
  }
  return out.sort((a, b) => a.device.localeCompare(b.device));
}

export async function stackMass(
  ctx: ApiContext,
  q: { site: string; range: TimeRange; device?: string },
): Promise<StackMass> {
  const { from, to } = q.range;
  if (to - from > MASS_MAX_RANGE_MS)
    throw new BadRequestError(
      `emitted mass is computed for up to 31 days at a time, not ${Math.ceil((to - from) / 86_400_000)}`,
    );
  await ensureRegistry(ctx);
  const outlets = findOutlets(ctx, q.site, q.device);
  const rows: StackMass['rows'] = [];
  const totals: StackMass['totals'] = [];
  for (const o of outlets) {
    const fields = [o.flowMetric, ...o.pollutants.map((p) => p.metric)];
    const [series = []] = await ctx.reader.query(
      `SELECT ${fields.map(ident).join(', ')} FROM "telemetry"${where([
        ...tagsWhere({ site: q.site, device: o.device }),
        `time >= ${from - MASS_MAX_GAP_MS}ms`,
        `time < ${to}ms`,
      ])}`,
    );
    const data = series.flatMap((s) => s.rows);
    const readings = (metric: string): Reading[] =>
      data
        .filter((r) => typeof r[metric] === 'number')
        .map((r) => ({ t: r.time, v: r[metric] as number }))
        .sort((a, b) => a.t - b.t);
    const flow = readings(o.flowMetric);
    for (const p of o.pollutants) {
      const factor = massRateFactor(p.unit, o.flowUnit) ?? 0;
      const windows = emittedKgByWindow(readings(p.metric), flow, from, to, HOUR, factor, MASS_MAX_GAP_MS);
      let sum = 0;
      for (const w of windows) {
        rows.push({ time: w.time, device: o.device, code: p.code, kg: w.kg });
        sum += w.kg;
      }
      totals.push({ device: o.device, code: p.code, zh: p.zh, en: p.en, kg: sum });
    }
  }
  return { period: '1h', from, to, outlets, rows, totals };
}
