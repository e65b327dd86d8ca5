/**
 * The edge node's own metrics about its outbox (README "Fleet view"): Int64 node metrics declared in the agent's
 * NBIRTH with their current values and sent again in NDATA on a fixed interval, read by the ingester's fleet view.
 * The agent publishes them live, never through its outbox: a depth that waited in the backlog would say nothing.
 * Names follow the sample rule (`[A-Za-z0-9_]{1,64}`, not Sparkplug folders): the ingester keeps node metrics as
 * samples of a device named after the node, so they are also in InfluxDB (`telemetry,device=<node>`).
 */

/** batches waiting in the outbox (published or not, not yet acknowledged by the broker) */
export const OUTBOX_MESSAGES_METRIC = 'outbox_messages';
/** their size in bytes (the unit of `outbox.maxBytes`) */
export const OUTBOX_BYTES_METRIC = 'outbox_bytes';
/** ms since the oldest waiting batch was stored (its samples were read just before), 0 when empty */
export const OUTBOX_OLDEST_AGE_METRIC = 'outbox_oldest_age_ms';

export const OUTBOX_METRICS = [
  OUTBOX_MESSAGES_METRIC,
  OUTBOX_BYTES_METRIC,
  OUTBOX_OLDEST_AGE_METRIC,
] as const;

/** One node metric and its value now: a non-negative integer, sent as Int64. */
export interface NodeMetricValue {
  name: string;
  value: number;
}

/** The outbox's node metrics from its stats. */
export function outboxNodeMetrics(s: {
  messages: number;
  bytes: number;
  oldestAgeMs: number;
}): NodeMetricValue[] {
  const n = (v: number) => (Number.isFinite(v) && v > 0 ? Math.round(v) : 0);
  return [
    { name: OUTBOX_MESSAGES_METRIC, value: n(s.messages) },
    { name: OUTBOX_BYTES_METRIC, value: n(s.bytes) },
    { name: OUTBOX_OLDEST_AGE_METRIC, value: n(s.oldestAgeMs) },
  ];
}
