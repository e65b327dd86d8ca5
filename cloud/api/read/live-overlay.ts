/**
 * Snapshots that join the live stream without a gap: what a route read from InfluxDB, overlaid with the bus's
 * LiveView (newer wins), and the response stamped with the bus's last event id (header `Live-Event-Id`).
 *
 * Call the overlays and `stampSnapshot` together, synchronously, after the last `await` of the route: then no
 * event can be published between them, and "the snapshot includes every event up to Live-Event-Id" holds.
 * A client joins the stream by replaying (or asking `Last-Event-ID` for) only the events after that id.
 */
import type { FastifyReply } from 'fastify';
import type { ApiContext } from '../api-context.js';
import type { LiveStateEvent, LiveValueEvent } from '../live-bus.js';
import type { LiveAlarmEpisode } from '../live-view.js';
import { type Alarm, alarmId } from './alarms.js';
import type { StateTimeline } from './states.js';

/** The response header naming the last live event a snapshot includes (`<epoch>:<seq>`). */
export const LIVE_EVENT_ID_HEADER = 'live-event-id';

/** Sets `Live-Event-Id` to the bus's last event id. Call right after the overlays, with no `await` between. */
export function stampSnapshot(reply: FastifyReply, ctx: ApiContext): void {
  reply.header(LIVE_EVENT_ID_HEADER, ctx.live.lastEventId);
}

export interface CurrentState {
  state: string;
  since: number;
  code?: number;
}

/** The newer of a stored state start and the live one. */
export function overlayState(
  stored: CurrentState | undefined,
  live: LiveStateEvent | undefined,
): CurrentState | undefined {
  if (!live || (stored && stored.since > live.timestamp)) return stored;
  return {
    state: live.state,
    since: live.timestamp,
    ...(live.code === undefined ? {} : { code: live.code }),
  };
}

/** The newer of a stored latest value and the live one (numbers only: power on the overview). */
export function overlayNumber(
  stored: { value: number; time: number } | undefined,
  live: LiveValueEvent | undefined,
): { value: number; time: number } | undefined {
  if (!live || typeof live.value !== 'number' || live.quality === 'bad') return stored;
  if (stored && stored.time > live.timestamp) return stored;
  return { value: live.value, time: live.timestamp };
}

export interface LatestValueRow {
  metric: string;
  value: number | boolean | string | null;
  time: number;
  unit?: string;
}

/** The stored latest values of a device with every newer live value put in (metrics limited to `metrics`). */
export function overlayLatest(
  stored: readonly LatestValueRow[],
  live: readonly LiveValueEvent[],
  metrics: readonly string[],
): LatestValueRow[] {
  const wanted = new Set(metrics);
  const byMetric = new Map(stored.map((r) => [r.metric, r]));
  for (const e of live) {
    if (!wanted.has(e.metric) || e.quality === 'bad' || e.value === null) continue;
    const old = byMetric.get(e.metric);
    if (old && old.time > e.timestamp) continue;
    const value = typeof e.value === 'bigint' ? Number(e.value) : e.value;
    const unit = e.unit ?? old?.unit;
    byMetric.set(e.metric, { metric: e.metric, value, time: e.timestamp, ...(unit ? { unit } : {}) });
  }
  const order = new Map(metrics.map((m, i) => [m, i]));
  return [...byMetric.values()].sort((a, b) => (order.get(a.metric) ?? 0) - (order.get(b.metric) ?? 0));
}

/**
 * A state timeline whose end is now, with the live current state put in: when the machine changed state after
 * the last stored span started, that span ends there and the live state runs to the end of the range.
 */
export function overlayTimeline(
  t: StateTimeline,
  live: LiveStateEvent | undefined,
  now: number,
): StateTimeline {
  if (!live || t.to < now || live.timestamp >= t.to) return t;
  const end = Math.min(t.to, now);
  const spans = t.spans.filter((s) => s.start < live.timestamp);
  const last = spans.at(-1);
  if (last && last.state === live.state && last.code === live.code) {
    if (last.end >= end && last.open) return t;
    spans[spans.length - 1] = { ...last, end, open: true };
  } else {
    if (last && last.end > live.timestamp) {
      spans[spans.length - 1] = { state: last.state, start: last.start, end: live.timestamp };
      if (last.code !== undefined) (spans[spans.length - 1] as { code?: number }).code = last.code;
    }
    const start = Math.max(live.timestamp, t.from);
    spans.push({
      state: live.state,
      start,
      end,
      open: true,
      ...(live.code === undefined ? {} : { code: live.code }),
    });
  }
  const totals: Record<string, number> = {};
  for (const s of spans) totals[s.state] = (totals[s.state] ?? 0) + (s.end - s.start) / 1000;
  return { ...t, spans, totals };
}

/**
 * Alarms read from InfluxDB with the live episodes put in: a raise not yet stored is added, a clear or an
 * acknowledgement not yet stored updates its episode. `status: 'active'` keeps active ones only; `all` keeps
 * those overlapping the range.
 */
export function overlayAlarms(
  stored: readonly Alarm[],
  live: readonly LiveAlarmEpisode[],
  q: { site: string; device?: string; status: 'active' | 'all'; range: { from: number; to: number } },
): Alarm[] {
  const byId = new Map(stored.map((a) => [a.id, { ...a }]));
  for (const e of live) {
    if (e.site !== q.site || (q.device !== undefined && e.device !== q.device)) continue;
    const id = alarmId({
      site: e.site,
      device: e.device,
      metric: e.metric,
      severity: e.severity,
      raisedAt: e.raisedAt,
    });
    const a: Alarm = byId.get(id) ?? {
      id,
      site: e.site,
      device: e.device,
      metric: e.metric,
      severity: e.severity,
      active: true,
      message: e.message,
      value: e.value ?? null,
      limit: e.limit ?? null,
      raisedAt: e.raisedAt,
      clearedAt: null,
      acked: false,
      ackedBy: null,
      ackedAt: null,
      ackComment: null,
    };
    if (!e.active && a.active) {
      a.active = false;
      a.clearedAt = e.clearedAt ?? null;
    } else if (a.active && e.value !== undefined) a.value = e.value;
    if (e.acked && !a.acked) {
      a.acked = true;
      a.ackedBy = e.ackedBy ?? null;
      a.ackedAt = e.ackedAt ?? null;
    }
    byId.set(id, a);
  }
  let all = [...byId.values()];
  if (q.status === 'active') all = all.filter((a) => a.active);
  else
    all = all.filter((a) => a.raisedAt < q.range.to && (a.clearedAt === null || a.clearedAt >= q.range.from));
  return all;
}
