/** Reconnect policy and its jittered exponential backoff ("equal jitter": half fixed, half random). */
export interface ReconnectPolicy {
  /** consecutive polls with a link fault before the connection is re-created */
  afterFailures: number;
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { afterFailures: 3, initialMs: 500, maxMs: 30_000 };

/** Delay before attempt `attempt` (0-based): between half and all of min(max, initial × 2^attempt). */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}
