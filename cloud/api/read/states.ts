/** Machine-state timeline from `machine_state` (one point per state start). */
import { type ApiContext, num, text } from '../api-context.js';
import { type TimeRange, tagsWhere, timeWhere, where } from '../influxql.js';

export interface StateSpan {
  state: string;
  start: number;
  /** end of the span; the last span ends at min(to, now) and is `open` */
  end: number;
  code?: number;
  open?: boolean;
}

export interface StateTimeline {
  device: string;
  from: number;
  to: number;
  spans: StateSpan[];
  /** seconds per state over the range */
  totals: Record<string, number>;
}

export async function stateTimeline(
  ctx: ApiContext,
  site: string,
  device: string,
  range: TimeRange,
): Promise<StateTimeline> {
  const tags = tagsWhere({ site, device });
  const [before = [], inside = []] = await ctx.reader.query(
    [
      `SELECT "state", "code" FROM "machine_state"${where([...tags, `time < ${range.from}ms`])} ORDER BY time DESC LIMIT 1`,
      `SELECT "state", "code" FROM "machine_state"${where([...tags, ...timeWhere(range)])}`,
    ].join('; '),
  );
  const rows = [...before.flatMap((s) => s.rows), ...inside.flatMap((s) => s.rows)];
  const end = Math.min(range.to, ctx.clock());
  const spans: StateSpan[] = [];
  rows.forEach((row, i) => {
    const state = text(row['state']);
    if (state === undefined) return;
    const start = Math.max(row.time, range.from);
    const next = rows[i + 1];
    const stop = next ? Math.min(next.time, end) : end;
    if (stop <= start) return;
    const code = num(row['code']);
    const prev = spans.at(-1);
    if (prev && prev.state === state && prev.end === start && prev.code === code) {
      prev.end = stop;
    } else {
      spans.push({ state, start, end: stop, ...(code === undefined ? {} : { code }) });
    }
  });
  const last = spans.at(-1);
  if (last && last.end === end && range.to >= ctx.clock()) last.open = true;
  const totals: Record<string, number> = {};
  for (const s of spans) totals[s.state] = (totals[s.state] ?? 0) + (s.end - s.start) / 1000;
  return { device, from: range.from, to: range.to, spans, totals };
}

/** Current state of every device of a site, with its start time. */
export async function currentStates(
  ctx: ApiContext,
  site: string,
): Promise<Map<string, { state: string; since: number; code?: number }>> {
  const [series = []] = await ctx.reader.query(
    `SELECT "state", "code" FROM "machine_state"${where(tagsWhere({ site }))} GROUP BY "device" ORDER BY time DESC LIMIT 1`,
  );
  const out = new Map<string, { state: string; since: number; code?: number }>();
  for (const s of series) {
    const row = s.rows[0];
    const device = s.tags['device'];
    const state = text(row?.['state']);
    if (!row || !device || state === undefined) continue;
    const code = num(row['code']);
    out.set(device, { state, since: row.time, ...(code === undefined ? {} : { code }) });
  }
  return out;
}
