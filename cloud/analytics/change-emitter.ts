/**
 * What a refreshed state timeline or alarm evaluation means for InfluxDB and the live stream: points for every
 * changed record (overwriting by identity), corrections for state starts and transitions late data withdrew, and
 * events for what is genuinely new.
 */
import type { AlarmTracker, AlarmTransition } from './alarm-tracker.js';
import type { MachineTracker } from './machine-tracker.js';
import { alarmPoint, statePoint } from './points.js';
import { recordAt } from './state-timeline.js';
import type { AnalyticsEvent, AnalyticsOutput } from './types.js';

export function stateChanges(m: MachineTracker, now: number, out: AnalyticsOutput, silent: boolean): void {
  const diff = m.refreshTimeline(now);
  const site = m.site;
  if (silent || site === undefined) return;
  for (const rec of diff.changed) out.points.push(statePoint(site, m.device, rec));
  for (const t of diff.retracted) {
    // A state start written before that is no longer a change: overwrite it with the state at that time.
    const rec = recordAt(m.timeline, t);
    if (rec) out.points.push(statePoint(site, m.device, rec, t));
  }
  for (const rec of diff.started) {
    const prev = recordAt(m.timeline, rec.start - 1);
    const ev: AnalyticsEvent = {
      type: 'state',
      site,
      device: m.device,
      timestamp: rec.start,
      state: rec.state,
    };
    if (prev) ev.previous = prev.state;
    if (rec.code !== undefined) ev.code = rec.code;
    out.events.push(ev);
  }
}

export function alarmChanges(a: AlarmTracker, out: AnalyticsOutput, silent: boolean): void {
  const next = a.compute();
  const prev = a.transitions;
  a.transitions = next;
  const site = a.site;
  if (silent || site === undefined) return;
  let i = 0;
  const same = (x: AlarmTransition, y: AlarmTransition) =>
    x.t === y.t && x.active === y.active && x.limit === y.limit && x.value === y.value;
  while (i < prev.length && i < next.length && same(prev[i] as AlarmTransition, next[i] as AlarmTransition))
    i++;
  const oldTimes = new Set(prev.slice(i).map((tr) => tr.t));
  const newTimes = new Set(next.slice(i).map((tr) => tr.t));
  const { device, metric, severity } = a.rule;
  for (const tr of next.slice(i)) {
    const message = a.message(tr);
    out.points.push(alarmPoint(site, device, metric, severity, tr.t, { ...tr, message }));
    if (!oldTimes.has(tr.t)) {
      out.events.push({
        type: 'alarm',
        site,
        device,
        timestamp: tr.t,
        metric,
        severity,
        active: tr.active,
        message,
        value: tr.value,
        limit: tr.limit,
        raisedAt: tr.raisedAt,
      });
    }
  }
  for (const tr of prev.slice(i)) {
    if (newTimes.has(tr.t)) continue;
    // No longer a transition: overwrite with the alarm's state at that time.
    const before = next.filter((x) => x.t <= tr.t).pop();
    const active = before?.active ?? false;
    out.points.push(
      alarmPoint(site, device, metric, severity, tr.t, {
        value: tr.value,
        limit: tr.limit,
        active,
        message: `${metric}: transition withdrawn after late data`,
      }),
    );
  }
}
