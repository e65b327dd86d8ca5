/**
 * OEE per machine, line or site from the `oee` windows analytics writes (docs/architecture.md#oee).
 * Roll-ups sum the components and never average ratios: A = Σrun / Σplanned, P = Σ(P·run) / Σrun (the ideal time of
 * the parts made), Q = Σgood / Σtotal, OEE = A·P·Q. Losses are the time waterfall: planned → stops (down, setup,
 * other) → speed → quality → fully productive time (= OEE × planned).
 */
import { type ApiContext, num, text } from '../api-context.js';
import { NO_LINE } from '../device-registry.js';
import { queryRows } from '../influx-reader.js';
import { ident, type TimeRange, tagsWhere, timeWhere, where } from '../influxql.js';

export type OeeGroupBy = 'device' | 'line' | 'site';

/**
 * Machine windows only: analytics also writes its own line and site roll-ups (tag `level`, with the line or site
 * name as `device`); the API rolls up from machine windows itself, so those must not be counted twice.
 */
const MACHINE_LEVEL = `"level" != 'line' AND "level" != 'site'`;

export interface OeeFigures {
  planned_s: number;
  run_s: number;
  down_s: number;
  setup_s: number;
  total_count: number;
  good_count: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  losses: {
    down_s: number;
    setup_s: number;
    other_stop_s: number;
    speed_s: number;
    quality_s: number;
    productive_s: number;
  };
}

export interface OeeWindow extends OeeFigures {
  time: number;
  /** one machine's day windows: failures, mean time between failures and to repair (analytics' extra fields) */
  failures?: number;
  mtbf_s?: number;
  mttr_s?: number;
}

const RELIABILITY = ['failures', 'mtbf_s', 'mttr_s'] as const;

export interface OeeGroup {
  key: string;
  devices: string[];
  totals: OeeFigures;
  windows: OeeWindow[];
}

export interface OeeResult {
  period: string;
  groupBy: OeeGroupBy;
  from: number;
  to: number;
  groups: OeeGroup[];
}

interface Acc {
  planned: number;
  run: number;
  down: number;
  setup: number;
  total: number;
  good: number;
  ideal: number;
}

const zero = (): Acc => ({ planned: 0, run: 0, down: 0, setup: 0, total: 0, good: 0, ideal: 0 });

function add(a: Acc, row: Record<string, unknown>): void {
  const run = num(row['run_s']) ?? 0;
  a.planned += num(row['planned_s']) ?? 0;
  a.run += run;
  a.down += num(row['down_s']) ?? 0;
  a.setup += num(row['setup_s']) ?? 0;
  a.total += num(row['total_count']) ?? 0;
  a.good += num(row['good_count']) ?? 0;
  // ideal time of the parts made: the `ideal_s` component when analytics wrote it, else P × run
  a.ideal += num(row['ideal_s']) ?? (num(row['performance']) ?? 0) * run;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function figures(a: Acc): OeeFigures {
  const availability = ratio(a.run, a.planned);
  const performance = ratio(a.ideal, a.run);
  const quality = ratio(a.good, a.total);
  const oee =
    availability === null || performance === null ? null : availability * performance * (quality ?? 1);
  const productive = a.ideal * (quality ?? 1);
  return {
    planned_s: a.planned,
    run_s: a.run,
    down_s: a.down,
    setup_s: a.setup,
    total_count: a.total,
    good_count: a.good,
    availability,
    performance,
    quality,
    oee,
    losses: {
      down_s: a.down,
      setup_s: a.setup,
      other_stop_s: Math.max(0, a.planned - a.run - a.down - a.setup),
      speed_s: Math.max(0, a.run - a.ideal),
      quality_s: Math.max(0, a.ideal - productive),
      productive_s: productive,
    },
  };
}

export async function oee(
  ctx: ApiContext,
  q: { site: string; period: string; range: TimeRange; groupBy: OeeGroupBy; device?: string; line?: string },
): Promise<OeeResult> {
  const rows = await queryRows(
    ctx.reader,
    `SELECT * FROM "oee"${where([
      ...tagsWhere({ site: q.site, period: q.period, device: q.device }),
      MACHINE_LEVEL,
      ...timeWhere(q.range),
    ])} GROUP BY ${ident('device')}`,
  );
  const groups = new Map<
    string,
    {
      devices: Set<string>;
      total: Acc;
      windows: Map<number, Acc>;
      reliability: Map<number, Record<string, number>>;
    }
  >();
  for (const row of rows) {
    const device = text(row['device']);
    if (device === undefined) continue;
    const line = ctx.registry.lineOf(q.site, device);
    if (q.line !== undefined && line !== q.line) continue;
    const key = q.groupBy === 'device' ? device : q.groupBy === 'line' ? line || NO_LINE : q.site;
    let g = groups.get(key);
    if (!g) {
      g = { devices: new Set(), total: zero(), windows: new Map(), reliability: new Map() };
      groups.set(key, g);
    }
    g.devices.add(device);
    add(g.total, row);
    let w = g.windows.get(row.time);
    if (!w) {
      w = zero();
      g.windows.set(row.time, w);
    }
    add(w, row);
    // reliability figures do not add up across machines: only a single machine's windows carry them
    if (q.groupBy === 'device') {
      const r: Record<string, number> = {};
      for (const k of RELIABILITY) {
        const v = num(row[k]);
        if (v !== undefined) r[k] = v;
      }
      if (Object.keys(r).length > 0) g.reliability.set(row.time, r);
    }
  }
  return {
    period: q.period,
    groupBy: q.groupBy,
    from: q.range.from,
    to: q.range.to,
    groups: [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, g]) => ({
        key,
        devices: [...g.devices].sort(),
        totals: figures(g.total),
        windows: [...g.windows.entries()]
          .sort(([a], [b]) => a - b)
          .map(([time, w]): OeeWindow => ({ time, ...figures(w), ...g.reliability.get(time) })),
      })),
  };
}

/** The latest OEE window (shift, else day) of every device of a site. */
export async function currentOee(
  ctx: ApiContext,
  site: string,
  lookbackMs = 2 * 86_400_000,
): Promise<Map<string, OeeFigures & { period: string; time: number; shift?: string }>> {
  const now = ctx.clock();
  const [series = []] = await ctx.reader.query(
    `SELECT * FROM "oee"${where([
      ...tagsWhere({ site }),
      MACHINE_LEVEL,
      `("period" = 'shift' OR "period" = 'day')`,
      `time > ${now - lookbackMs}ms`,
    ])} GROUP BY "device", "period" ORDER BY time DESC LIMIT 1`,
  );
  const out = new Map<string, OeeFigures & { period: string; time: number; shift?: string }>();
  for (const s of series) {
    const device = s.tags['device'];
    const period = s.tags['period'];
    const row = s.rows[0];
    if (!device || !period || !row) continue;
    if (out.get(device)?.period === 'shift' && period !== 'shift') continue;
    const a = zero();
    add(a, row);
    const shift = text(row['shift']);
    out.set(device, { ...figures(a), period, time: row.time, ...(shift ? { shift } : {}) });
  }
  return out;
}
