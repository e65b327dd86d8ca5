/**
 * Alarms from the `alarms` change points analytics writes (tags site, device, metric, severity; fields value, limit,
 * active, message). An alarm episode runs from a point with `active=true` to the next with `active=false`.
 *
 * Acknowledgement store: acknowledging writes the fields `acked=true`, `acked_by`, `acked_at` (ms) and
 * `ack_comment` onto the RAISE point itself (same measurement, tags and timestamp). InfluxDB merges the field sets
 * of points with the same identity, so the ack survives restarts and needs no other store. Only the first
 * acknowledgement is written there: a later one changes nothing on the alarm (each one is its own audit event, see
 * routes/alarms.ts). The alarm id is `site~device~metric~severity~raisedAtMs`.
 */
import { type ApiContext, bool, num, text } from '../api-context.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Series } from '../influx-reader.js';
import { lp, type TimeRange, tagsWhere, timeWhere, where } from '../influxql.js';
import type { LiveAlarmEvent } from '../live-bus.js';

export interface Alarm {
  id: string;
  site: string;
  device: string;
  metric: string;
  severity: string;
  active: boolean;
  message: string;
  value: number | null;
  limit: number | null;
  raisedAt: number;
  clearedAt: number | null;
  acked: boolean;
  ackedBy: string | null;
  ackedAt: number | null;
  ackComment: string | null;
}

export function alarmId(a: Pick<Alarm, 'site' | 'device' | 'metric' | 'severity' | 'raisedAt'>): string {
  return [a.site, a.device, a.metric, a.severity, a.raisedAt].join('~');
}

const ID_PART = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseAlarmId(
  id: string,
): Pick<Alarm, 'site' | 'device' | 'metric' | 'severity' | 'raisedAt'> {
  const parts = id.split('~');
  const [site, device, metric, severity, at] = parts;
  if (
    parts.length !== 5 ||
    site === undefined ||
    device === undefined ||
    metric === undefined ||
    severity === undefined ||
    at === undefined ||
    ![site, device, metric, severity].every((p) => ID_PART.test(p)) ||
    !/^[0-9]{1,16}$/.test(at)
  ) {
    throw new BadRequestError(`"${id}" is not an alarm id (site~device~metric~severity~raisedAtMs)`);
  }
  return { site, device, metric, severity, raisedAt: Number(at) };
}

/** Alarm episodes of one series (rows in time order). */
function episodes(s: Series, site: string): Alarm[] {
  const device = s.tags['device'] ?? '';
  const metric = s.tags['metric'] ?? '';
  const severity = s.tags['severity'] ?? '';
  const out: Alarm[] = [];
  let open: Alarm | undefined;
  for (const row of s.rows) {
    const active = bool(row['active']);
    if (active === true) {
      if (!open) {
        open = {
          id: alarmId({ site, device, metric, severity, raisedAt: row.time }),
          site,
          device,
          metric,
          severity,
          active: true,
          message: text(row['message']) ?? '',
          value: num(row['value']) ?? null,
          limit: num(row['limit']) ?? null,
          raisedAt: row.time,
          clearedAt: null,
          acked: bool(row['acked']) ?? false,
          ackedBy: text(row['acked_by']) ?? null,
          ackedAt: num(row['acked_at']) ?? null,
          ackComment: text(row['ack_comment']) ?? null,
        };
        out.push(open);
      } else {
        const v = num(row['value']);
        if (v !== undefined) open.value = v;
      }
    } else if (active === false && open) {
      open.active = false;
      open.clearedAt = row.time;
      open = undefined;
    }
  }
  return out;
}

/**
 * Alarms of a site: `active` ones (whenever raised, up to `lookbackMs` back) or every episode that overlaps the
 * range, newest first.
 */
export async function listAlarms(
  ctx: ApiContext,
  q: { site: string; device?: string; status: 'active' | 'all'; range: TimeRange; limit: number },
  lookbackMs = 90 * 86_400_000,
): Promise<Alarm[]> {
  const tags = tagsWhere({ site: q.site, device: q.device });
  const from = q.status === 'active' ? ctx.clock() - lookbackMs : q.range.from - lookbackMs;
  const to = q.status === 'active' ? ctx.clock() + 86_400_000 : q.range.to;
  const [series = []] = await ctx.reader.query(
    `SELECT * FROM "alarms"${where([...tags, ...timeWhere({ from, to })])} GROUP BY "device", "metric", "severity"`,
  );
  let all = series.flatMap((s) => episodes(s, q.site));
  if (q.status === 'active') all = all.filter((a) => a.active);
  else
    all = all.filter((a) => a.raisedAt < q.range.to && (a.clearedAt === null || a.clearedAt >= q.range.from));
  return sortAlarms(all, q.status).slice(0, q.limit);
}

const SEVERITY_RANK: Record<string, number> = {
  critical: 0,
  high: 1,
  warning: 2,
  medium: 2,
  low: 3,
  info: 4,
};

/** Active alarms most severe first, then newest first; history newest first. Sorts in place. */
export function sortAlarms(all: Alarm[], status: 'active' | 'all'): Alarm[] {
  return all.sort((a, b) =>
    status === 'active'
      ? (SEVERITY_RANK[a.severity] ?? 5) - (SEVERITY_RANK[b.severity] ?? 5) || b.raisedAt - a.raisedAt
      : b.raisedAt - a.raisedAt,
  );
}

/**
 * Writes the acknowledgement onto the raise point and announces it on the live bus; an alarm acknowledged already
 * keeps its first acknowledgement (`first: false`, nothing written). Callers serialise acks of one alarm.
 */
export async function acknowledgeAlarm(
  ctx: ApiContext,
  id: string,
  by: string,
  comment: string | undefined,
): Promise<{ alarm: Alarm; first: boolean }> {
  const key = parseAlarmId(id);
  const [series = []] = await ctx.reader.query(
    `SELECT * FROM "alarms"${where([
      ...tagsWhere({ site: key.site, device: key.device, metric: key.metric, severity: key.severity }),
      `time = ${key.raisedAt}ms`,
    ])} GROUP BY *`,
  );
  const s = series.find((x) => x.rows.some((r) => bool(r['active']) === true));
  if (!s)
    throw new NotFoundError(
      `no alarm ${key.metric} (${key.severity}) on ${key.device} raised at ${key.raisedAt}`,
    );
  if (s.rows.some((r) => bool(r['active']) === true && bool(r['acked']) === true)) {
    const [already] = await listAlarmAt(ctx, key);
    if (already) return { alarm: already, first: false };
  }
  const ackedAt = ctx.clock();
  const tagStr = Object.entries(s.tags)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${lp.tag(k)}=${lp.tag(v)}`)
    .join(',');
  const fields = [`acked=true`, `acked_by=${lp.stringField(by)}`, `acked_at=${ackedAt}`];
  if (comment !== undefined && comment !== '') fields.push(`ack_comment=${lp.stringField(comment)}`);
  await ctx.reader.write([`alarms,${tagStr} ${fields.join(',')} ${key.raisedAt}`]);
  const [alarm] = await listAlarmAt(ctx, key);
  if (!alarm) throw new NotFoundError(`alarm ${id} disappeared while acknowledging it`);
  const event: LiveAlarmEvent = {
    type: 'alarm',
    site: alarm.site,
    device: alarm.device,
    timestamp: ackedAt,
    metric: alarm.metric,
    severity: alarm.severity,
    active: alarm.active,
    message: alarm.message,
    acked: true,
    ackedBy: by,
    raisedAt: alarm.raisedAt,
    ...(alarm.value === null ? {} : { value: alarm.value }),
    ...(alarm.limit === null ? {} : { limit: alarm.limit }),
  };
  ctx.live.publish(event);
  return { alarm, first: true };
}

async function listAlarmAt(
  ctx: ApiContext,
  key: Pick<Alarm, 'site' | 'device' | 'metric' | 'severity' | 'raisedAt'>,
): Promise<Alarm[]> {
  const [series = []] = await ctx.reader.query(
    `SELECT * FROM "alarms"${where([
      ...tagsWhere({ site: key.site, device: key.device, metric: key.metric, severity: key.severity }),
      `time >= ${key.raisedAt}ms`,
    ])} GROUP BY "device", "metric", "severity" LIMIT 10000`,
  );
  return series.flatMap((s) => episodes(s, key.site)).filter((a) => a.raisedAt === key.raisedAt);
}

/** Last known limit per (device, metric) from alarm points, merged with configured limits. */
export async function limits(
  ctx: ApiContext,
  site: string,
): Promise<
  { device: string | null; metric: string; limit: number; severity: string | null; unit: string | null }[]
> {
  const [series = []] = await ctx.reader.query(
    `SELECT last("limit") AS "limit" FROM "alarms"${where(tagsWhere({ site }))} GROUP BY "device", "metric", "severity"`,
  );
  const out = ctx.limits.map((l) => ({
    device: l.device ?? null,
    metric: l.metric,
    limit: l.limit,
    severity: l.severity ?? null,
    unit: l.unit ?? null,
  }));
  for (const s of series) {
    const v = num(s.rows[0]?.['limit']);
    const metric = s.tags['metric'];
    const device = s.tags['device'];
    if (v === undefined || !metric || !device) continue;
    if (out.some((l) => l.metric === metric && (l.device === null || l.device === device))) continue;
    out.push({ device, metric, limit: v, severity: s.tags['severity'] ?? null, unit: null });
  }
  return out;
}
