import type { AcceptWindow } from '../../config/schemas/ingest.js';
import type { HostResult } from '../host/host-types.js';

/** What a window check took out of one message. */
export interface WindowRejects {
  /** samples and device-status changes refused */
  count: number;
  /** for the dead letter and the warning: how many, their time range, and the window */
  reason: string;
}

/**
 * Takes the samples and device-status changes dated outside `[now - maxAge, now + maxFuture]` out of a decoded
 * message (README "Security / Ingester"): a gateway clock far ahead would otherwise make its values the "latest"
 * for as long, and one reset to 1970 would write into the distant past. `now` is the ingester's clock when the
 * message arrives. Returns undefined when everything is inside.
 */
export function applyAcceptWindow(r: HostResult, now: number, w: AcceptWindow): WindowRejects | undefined {
  const from = now - w.maxAge;
  const to = now + w.maxFuture;
  const within = (t: number): boolean => t >= from && t <= to;
  // the usual case, on every message: nothing outside, nothing copied
  const samples = r.samples;
  let outside = false;
  for (let i = 0; i < samples.length && !outside; i++) outside = !within(samples.timestamp(i));
  if (!outside && r.status.every((s) => within(s.timestamp))) return undefined;
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const inside = (t: number): boolean => {
    if (within(t)) return true;
    count++;
    if (t < min) min = t;
    if (t > max) max = t;
    return false;
  };
  samples.retain((i) => inside(samples.timestamp(i)));
  r.status = r.status.filter((s) => inside(s.timestamp));
  if (count === 0) return undefined;
  const range = min === max ? timeText(min) : `${timeText(min)} … ${timeText(max)}`;
  return {
    count,
    reason: `${count} values dated ${range}, outside the accepted window ${timeText(from)} … ${timeText(to)} (ingest.acceptWindow)`,
  };
}

function timeText(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
