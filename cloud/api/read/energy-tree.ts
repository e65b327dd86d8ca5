/**
 * The metering tree over a time range (docs/api.md#energy-tree): every node's kWh, kgce, tce and good parts summed
 * over the analytics windows of the range, each metered node's balance against its children, and GB 17167 coverage
 * per level and carrier. Ratios are computed from the sums, never averaged.
 */
import { RATE_SOURCE_TEXT, type RateSource } from '../../analytics/required-rates.js';
import { type ApiContext, bool, num, text } from '../api-context.js';
import { queryRows, type Row } from '../influx-reader.js';
import { type TimeRange, tagsWhere, timeWhere, where } from '../influxql.js';

export interface TreeBalance {
  carrier: string;
  unit: string;
  parent: number;
  children: number;
  unmetered: number;
  unmetered_pct: number;
}

export interface TreeNodeTotals {
  id: string;
  name: string;
  parent: string | null;
  level: string;
  metered: boolean;
  kwh: number;
  kgce: number;
  tce: number;
  /** null when the plant has not set the electricity equal value for every window of the range (see notes) */
  kgce_equal_value: number | null;
  good_count: number;
  kgce_per_good_part: number;
  balance: TreeBalance[];
}

export interface TreeCoverage {
  level: string;
  carrier: string;
  /** node-windows of the level that use the carrier, and of those the metered ones */
  required: number;
  metered: number;
  rate_pct: number;
  required_pct: number | null;
  /** where required_pct comes from: the plant's setting or the built-in default, null without a rate */
  required_source: RateSource | null;
  required_source_note: string | null;
  compliant: boolean | null;
}

export interface TreeNote {
  code: 'EQUAL_VALUE_MISSING';
  message: string;
}

export interface EnergyTreeReply {
  period: string;
  from: number;
  to: number;
  nodes: TreeNodeTotals[];
  coverage: TreeCoverage[];
  /** what the figures leave out and why (an equal value the plant has not set) */
  notes: TreeNote[];
}

const EQUAL_VALUE_MISSING: TreeNote = {
  code: 'EQUAL_VALUE_MISSING',
  message:
    "kgce_equal_value is null: the electricity equal value (等价值) is not set for (every window of) this range. Set analytics.standardCoal.electricityEqualValue to { value, unit: kgce/kWh, source, year } — GB/T 2589-2020: the previous year's 发电标准煤耗 (power plants' coal per kWh generated).",
};

/** A window's equal value: written when set; `equal_value_set` false (or no field) says it was not. */
const equalValueOf = (r: Row): number | undefined =>
  bool(r['equal_value_set']) === false ? undefined : num(r['kgce_equal_value']);

/** The source a window gives its rate; rows from before `required_source` was written had the default. */
function rateSourceOf(r: Row): RateSource | null | undefined {
  const s = text(r['required_source']);
  if (s === 'plant' || s === 'gb17167-2006') return s;
  if (s === 'none') return null;
  return num(r['required_pct']) === undefined ? undefined : 'gb17167-2006';
}

async function rows(
  ctx: ApiContext,
  measurement: string,
  q: { site: string; period: string; range: TimeRange },
) {
  return queryRows(
    ctx.reader,
    `SELECT * FROM "${measurement}"${where([...tagsWhere({ site: q.site, period: q.period }), ...timeWhere(q.range)])} GROUP BY *`,
  );
}

const add = (a: number, r: Row, k: string) => a + (num(r[k]) ?? 0);

export async function energyTree(
  ctx: ApiContext,
  q: { site: string; period: string; range: TimeRange },
): Promise<EnergyTreeReply> {
  const [nodeRows, balanceRows, coverageRows] = await Promise.all([
    rows(ctx, 'energy_node', q),
    rows(ctx, 'energy_balance', q),
    rows(ctx, 'metering_coverage', q),
  ]);
  const nodes = new Map<string, TreeNodeTotals & { last: number; equalMissing: boolean }>();
  for (const r of nodeRows.sort((a, b) => a.time - b.time)) {
    const id = text(r['node']);
    if (id === undefined) continue;
    const n = nodes.get(id) ?? {
      id,
      name: id,
      parent: null,
      level: '',
      metered: false,
      kwh: 0,
      kgce: 0,
      tce: 0,
      kgce_equal_value: 0,
      good_count: 0,
      kgce_per_good_part: 0,
      balance: [],
      last: 0,
      equalMissing: false,
    };
    // the latest window names the node and its place in the tree (a config change moves it from then on)
    n.name = text(r['name']) ?? n.name;
    n.parent = text(r['parent']) || null;
    n.level = text(r['level']) ?? n.level;
    n.metered = bool(r['metered']) ?? n.metered;
    n.kwh = add(n.kwh, r, 'kwh');
    n.kgce = add(n.kgce, r, 'kgce');
    const eq = equalValueOf(r);
    if (eq === undefined) n.equalMissing = true;
    else n.kgce_equal_value = (n.kgce_equal_value ?? 0) + eq;
    n.good_count = add(n.good_count, r, 'good_count');
    n.last = r.time;
    nodes.set(id, n);
  }
  const balances = new Map<string, TreeBalance & { node: string }>();
  for (const r of balanceRows) {
    const node = text(r['node']);
    const carrier = text(r['carrier']);
    if (node === undefined || carrier === undefined) continue;
    const key = `${node}\u0000${carrier}`;
    const b = balances.get(key) ?? {
      node,
      carrier,
      unit: text(r['unit']) ?? '',
      parent: 0,
      children: 0,
      unmetered: 0,
      unmetered_pct: 0,
    };
    b.parent = add(b.parent, r, 'parent');
    b.children = add(b.children, r, 'children');
    b.unmetered = add(b.unmetered, r, 'unmetered');
    balances.set(key, b);
  }
  for (const { node, ...b } of balances.values()) {
    b.unmetered_pct = b.parent > 0 ? (b.unmetered / b.parent) * 100 : 0;
    nodes.get(node)?.balance.push(b);
  }
  const coverage = new Map<string, TreeCoverage>();
  for (const r of coverageRows.sort((a, b) => a.time - b.time)) {
    const level = text(r['level']);
    const carrier = text(r['carrier']);
    if (level === undefined || carrier === undefined) continue;
    const key = `${level}\u0000${carrier}`;
    const c = coverage.get(key) ?? {
      level,
      carrier,
      required: 0,
      metered: 0,
      rate_pct: 0,
      required_pct: null,
      required_source: null,
      required_source_note: null,
      compliant: null,
    };
    c.required = add(c.required, r, 'required');
    c.metered = add(c.metered, r, 'metered');
    // the latest window's rate and source (a config change applies from then on)
    const source = rateSourceOf(r);
    if (source !== undefined) {
      c.required_source = source;
      c.required_pct = source === null ? null : (num(r['required_pct']) ?? null);
    }
    coverage.set(key, c);
  }
  for (const c of coverage.values()) {
    if (c.required_pct === null) c.required_source = null;
    c.required_source_note = c.required_source === null ? null : RATE_SOURCE_TEXT[c.required_source];
    c.rate_pct = c.required > 0 ? (c.metered / c.required) * 100 : 0;
    c.compliant = c.required_pct === null ? null : c.rate_pct >= c.required_pct;
  }
  const order = ['organisation', 'sub_unit', 'equipment'];
  const all = [...nodes.values()];
  return {
    period: q.period,
    from: q.range.from,
    to: q.range.to,
    nodes: topDown(all).map(({ last: _last, equalMissing, ...n }) => ({
      ...n,
      tce: n.kgce / 1000,
      kgce_equal_value: equalMissing ? null : n.kgce_equal_value,
      kgce_per_good_part: n.good_count > 0 ? n.kgce / n.good_count : 0,
    })),
    coverage: [...coverage.values()].sort(
      (a, b) => order.indexOf(a.level) - order.indexOf(b.level) || a.carrier.localeCompare(b.carrier),
    ),
    notes: all.some((n) => n.equalMissing) ? [EQUAL_VALUE_MISSING] : [],
  };
}

/** Parents before children, siblings by id; nodes whose parent is gone are shown as roots. */
function topDown<T extends { id: string; parent: string | null }>(nodes: T[]): T[] {
  const ids = new Set(nodes.map((n) => n.id));
  const byParent = new Map<string | null, T[]>();
  for (const n of nodes) {
    const p = n.parent !== null && ids.has(n.parent) ? n.parent : null;
    byParent.set(p, [...(byParent.get(p) ?? []), n]);
  }
  const out: T[] = [];
  const seen = new Set<string>();
  const walk = (p: string | null) => {
    for (const n of (byParent.get(p) ?? []).sort((a, b) => a.id.localeCompare(b.id))) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      out.push(n);
      walk(n.id);
    }
  };
  walk(null);
  return out;
}
