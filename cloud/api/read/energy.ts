/**
 * Energy, emissions and KPI windows (DESIGN.md §7) with totals the dashboard charts directly.
 * Rows carry every tag of their series, so extra tags analytics may add (e.g. `tariff` = peak/flat/valley on
 * energy windows) pass through; cost is totalled per `tariff` when that tag is present.
 */
import { type ApiContext, num, text } from '../api-context.js';
import { queryRows, type Row } from '../influx-reader.js';
import { type TimeRange, tagsWhere, timeWhere, where } from '../influxql.js';

export type WindowRow = Record<string, string | number | boolean | null> & { time: number };

function clean(row: Row): WindowRow {
  const out: WindowRow = { time: row.time };
  for (const [k, v] of Object.entries(row)) {
    if (k === 'time') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (v === null) out[k] = null;
  }
  return out;
}

async function windows(
  ctx: ApiContext,
  measurement: 'energy' | 'emissions' | 'kpi',
  tags: Record<string, string | undefined>,
  range: TimeRange,
): Promise<WindowRow[]> {
  const rows = await queryRows(
    ctx.reader,
    `SELECT * FROM "${measurement}"${where([...tagsWhere(tags), ...timeWhere(range)])} GROUP BY *`,
  );
  return rows.map(clean).sort((a, b) => a.time - b.time);
}

function totalBy(rows: WindowRow[], keys: string[], fields: string[]): Record<string, string | number>[] {
  const by = new Map<string, Record<string, string | number>>();
  for (const r of rows) {
    const id = keys.map((k) => String(r[k] ?? '')).join('\u0000');
    let t = by.get(id);
    if (!t) {
      t = Object.fromEntries(keys.map((k) => [k, String(r[k] ?? '')]));
      for (const f of fields) t[f] = 0;
      by.set(id, t);
    }
    for (const f of fields) t[f] = (t[f] as number) + (num(r[f]) ?? 0);
  }
  return [...by.values()];
}

export interface EnergyResult {
  period: string;
  from: number;
  to: number;
  rows: WindowRow[];
  totals: {
    byCarrier: Record<string, string | number>[];
    byDevice: Record<string, string | number>[];
    byTariff: Record<string, string | number>[];
    /** highest `peak_kw` (else `demand_kw`) of the range, and when */
    peak: { kw: number; time: number; device: string } | null;
  };
}

export async function energy(
  ctx: ApiContext,
  q: { site: string; period: string; range: TimeRange; device?: string; carrier?: string },
): Promise<EnergyResult> {
  const rows = await windows(
    ctx,
    'energy',
    { site: q.site, period: q.period, device: q.device, carrier: q.carrier },
    q.range,
  );
  for (const r of rows) if (r['unit'] === undefined || r['unit'] === null) r['unit'] = '';
  let peak: EnergyResult['totals']['peak'] = null;
  for (const r of rows) {
    const kw = num(r['peak_kw']) ?? num(r['demand_kw']);
    if (kw !== undefined && (peak === null || kw > peak.kw)) {
      peak = { kw, time: r.time, device: text(r['device']) ?? '' };
    }
  }
  // cost by tariff period: the `tariff` tag when analytics writes one; otherwise windows are grouped by their unit
  // price (cost / consumption), which identifies the period as long as windows do not straddle two prices (15m
  // windows never do: tariff boundaries sit on quarter hours)
  const withTariff: WindowRow[] = [];
  for (const r of rows) {
    const consumption = num(r['consumption']);
    const cost = num(r['cost']);
    if (typeof r['tariff'] === 'string' && r['tariff'] !== '') withTariff.push(r);
    else if (consumption !== undefined && consumption > 0 && cost !== undefined) {
      withTariff.push({ ...r, tariff: `price:${(cost / consumption).toFixed(4)}` });
    }
  }
  return {
    period: q.period,
    from: q.range.from,
    to: q.range.to,
    rows,
    totals: {
      byCarrier: totalBy(rows, ['carrier', 'unit'], ['consumption', 'cost']),
      byDevice: totalBy(rows, ['device', 'carrier', 'unit'], ['consumption', 'cost']),
      byTariff: totalBy(withTariff, ['tariff'], ['consumption', 'cost']),
      peak,
    },
  };
}

export interface EmissionsResult {
  period: string;
  from: number;
  to: number;
  rows: WindowRow[];
  totals: {
    co2e_kg: number;
    byScope: Record<string, string | number>[];
    bySource: Record<string, string | number>[];
    byDevice: Record<string, string | number>[];
  };
}

export async function emissions(
  ctx: ApiContext,
  q: { site: string; period: string; range: TimeRange; device?: string; scope?: string },
): Promise<EmissionsResult> {
  const rows = await windows(
    ctx,
    'emissions',
    { site: q.site, period: q.period, device: q.device, scope: q.scope },
    q.range,
  );
  return {
    period: q.period,
    from: q.range.from,
    to: q.range.to,
    rows,
    totals: {
      co2e_kg: rows.reduce((s, r) => s + (num(r['co2e_kg']) ?? 0), 0),
      byScope: totalBy(rows, ['scope'], ['co2e_kg']),
      bySource: totalBy(rows, ['scope', 'source'], ['co2e_kg']),
      byDevice: totalBy(rows, ['device'], ['co2e_kg']),
    },
  };
}

export async function kpi(
  ctx: ApiContext,
  q: { site: string; period: string; range: TimeRange; device?: string },
): Promise<{ period: string; from: number; to: number; rows: WindowRow[] }> {
  const rows = await windows(ctx, 'kpi', { site: q.site, period: q.period, device: q.device }, q.range);
  return { period: q.period, from: q.range.from, to: q.range.to, rows };
}
