/**
 * When a runner re-creates a source's connection, and how long it waits between attempts. The wait itself is the one
 * backoff of plantpulse (`protocols/backoff.ts`: equal jitter, docs/architecture.md#backoff).
 */
export interface ReconnectPolicy {
  /** consecutive polls with a link fault before the connection is re-created */
  afterFailures: number;
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { afterFailures: 3, initialMs: 500, maxMs: 30_000 };
