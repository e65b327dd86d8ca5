/**
 * Energy, emissions and KPI windows (docs/architecture.md#influxdb-schema) with totals the dashboard charts
 * directly. Rows carry every tag of their series, so extra tags (e.g. `tariff` on 15-minute energy windows)
 * pass through. Cost and consumption by tariff period always come from the 15-minute windows, whatever period
 * was asked for: only they carry the `tariff` tag (longer windows may span several periods).
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

/**
 * 15-minute windows with a cost, grouped by (tariff period, carrier, unit, currency). Windows stored without the
 * `tariff` tag are grouped by their unit price (cost ÷ consumption) instead, which tells the periods apart as long
 * as their prices differ; those without consumption have no price and add nothing.
 */
function byTariff(quarters: WindowRow[]): TariffTotal[] {
  const by = new Map<string, TariffTotal>();
  for (const r of quarters) {
    const cost = num(r['cost']);
    if (cost === undefined) continue;
    const consumption = num(r['consumption']) ?? 0;
    const tag = text(r['tariff']);
    const tariff = tag !== undefined && tag !== '' ? tag : null;
    let price: number | undefined;
    if (tariff === null) {
      if (!(consumption > 0)) continue;
      price = Number((cost / consumption).toFixed(4));
    }
    const carrier = text(r['carrier']) ?? '';
    const unit = text(r['unit']) ?? '';
    const currency = text(r['currency']) ?? '';
    const id = [tariff ?? `price:${price}`, carrier, unit, currency].join('\u0000');
    let t = by.get(id);
    if (!t) {
      t = {
        tariff,
        carrier,
        unit,
        currency,
        consumption: 0,
        cost: 0,
        ...(price === undefined ? {} : { price }),
      };
      by.set(id, t);
    }
    t.consumption += consumption;
    t.cost += cost;
  }
  const unitPrice = (t: TariffTotal) => (t.consumption > 0 ? t.cost / t.consumption : 0);
  return [...by.values()].sort(
    (a, b) =>
      a.carrier.localeCompare(b.carrier) ||
      unitPrice(b) - unitPrice(a) ||
      String(a.tariff ?? '').localeCompare(String(b.tariff ?? '')),
  );
}

/** The 15-minute windows of the range, only what cost by tariff period needs (the asked period may be longer). */
async function quarterCosts(
  ctx: ApiContext,
  q: { site: string; range: TimeRange; device?: string; carrier?: string },
): Promise<WindowRow[]> {
  const tags = { site: q.site, period: '15m', device: q.device, carrier: q.carrier };
  const rows = await queryRows(
    ctx.reader,
    `SELECT "consumption", "cost", "unit", "currency" FROM "energy"${where([...tagsWhere(tags), ...timeWhere(q.range)])} GROUP BY "tariff", "carrier"`,
  );
  return rows.map(clean);
}

/** Cost and consumption of one tariff period of one carrier, over the 15-minute windows of the range. */
export interface TariffTotal {
  /** the period name as configured (`default` outside every period); null for windows stored without the tag */
  tariff: string | null;
  carrier: string;
  unit: string;
  /** '' when the windows name none */
  currency: string;
  consumption: number;
  cost: number;
  /** only when `tariff` is null: untagged windows (written before analytics tagged them) grouped by unit price */
  price?: number;
}

export interface EnergyResult {
  period: string;
  from: number;
  to: number;
  rows: WindowRow[];
  totals: {
    byCarrier: Record<string, string | number>[];
    byDevice: Record<string, string | number>[];
    /** per tariff period and carrier, most expensive unit price first */
    byTariff: TariffTotal[];
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
  const quarters = q.period === '15m' ? rows : await quarterCosts(ctx, q);
  return {
    period: q.period,
    from: q.range.from,
    to: q.range.to,
    rows,
    totals: {
      byCarrier: totalBy(rows, ['carrier', 'unit'], ['consumption', 'cost']),
      byDevice: totalBy(rows, ['device', 'carrier', 'unit'], ['consumption', 'cost']),
      byTariff: byTariff(quarters),
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
