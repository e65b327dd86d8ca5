/**
 * The one jittered exponential backoff of plantpulse (docs/architecture.md#backoff), used by every retry loop: the
 * agent's uplink, the source runners, the Modbus per-unit backoff, the ingester's MQTT consumer, the InfluxDB
 * retrying writer, the spool drainer and the analytics rebuild.
 *
 * **Equal jitter** (the name of AWS's "Exponential Backoff And Jitter" article): attempt n (0-based) waits a uniformly
 * random time in [c/2, c], where c = min(maxMs, initialMs × 2ⁿ). Half the step is fixed, half is random. Chosen over
 * full jitter ([0, c]) because every retry here waits for something to come back (a broker, a PLC, InfluxDB), not
 * for a contended row as in the article's workload: a retry sooner than half the step is almost always wasted, and
 * on a half-duplex RS-485 line it costs every other unit a timeout. Equal jitter still spreads clients that failed
 * together over half a step, which is what breaks a reconnect stampede, and it bounds each client's retry rate.
 *
 * Pure: the random source is injectable, so tests pin the bounds.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** uniform in [0, 1]; default Math.random */
  random?: () => number;
}

/** The step c = min(maxMs, initialMs × 2^attempt) before jitter. */
export function backoffCeiling(attempt: number, opts: Pick<BackoffOptions, 'initialMs' | 'maxMs'>): number {
  return Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/** The delay before retry `attempt` (0-based): uniform in [c/2, c], rounded to whole ms. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, opts);
  const r = Math.min(1, Math.max(0, (opts.random ?? Math.random)()));
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

/** A retry loop's backoff state: `next()` after each failure, `reset()` after a success. */
export class Backoff {
  #attempt = 0;
  readonly #opts: BackoffOptions;

  constructor(opts: BackoffOptions) {
    this.#opts = opts;
  }

  /** failures since the last reset */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; advances the attempt counter. */
  next(): number {
    return backoffDelay(this.#attempt++, this.#opts);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
