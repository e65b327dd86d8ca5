import type { Logger } from '../../config/logging.js';

/**
 * A warning that may repeat at a peer's will (a forged retained message comes back at every reconnect): logged at
 * most once per interval, with how many were suppressed since the last line. The caller counts every occurrence.
 */
export class RateLimitedLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #clock: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(log: Logger, intervalMs: number, clock: () => number = Date.now) {
    this.#log = log;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    const now = this.#clock();
    if (now - this.#last < this.#intervalMs) {
      this.#suppressed++;
      return;
    }
    this.#log.warn({ ...fields, suppressedSinceLast: this.#suppressed }, msg);
    this.#last = now;
    this.#suppressed = 0;
  }
}
