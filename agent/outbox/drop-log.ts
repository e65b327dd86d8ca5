import type { Logger } from '../../config/logging.js';
import type { OutboxDrop } from './outbox.js';

/**
 * Logs the outbox's drops without flooding the log during a long outage: the first drop of a run of drops at once,
 * then one summary per `everyMs` while drops go on. Counts go to metrics (`OutboxStats.dropped`), not here.
 */
export class OutboxDropLog {
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #clock: () => number;
  #pending = { batches: 0, samples: 0, oldestCreatedAt: Number.POSITIVE_INFINITY };
  #lastLogAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(log: Logger, opts: { everyMs?: number; clock?: () => number } = {}) {
    this.#log = log;
    this.#everyMs = opts.everyMs ?? 10_000;
    this.#clock = opts.clock ?? Date.now;
  }

  note(d: OutboxDrop): void {
    if (d.reason === 'corrupt') return; // the outbox logs those itself, one by one
    this.#pending.batches++;
    this.#pending.samples += d.samples;
    this.#pending.oldestCreatedAt = Math.min(this.#pending.oldestCreatedAt, d.createdAt);
    const now = this.#clock();
    if (now - this.#lastLogAt >= this.#everyMs) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), this.#everyMs - (now - this.#lastLogAt));
      this.#timer.unref();
    }
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const p = this.#pending;
    if (p.batches === 0) return;
    this.#lastLogAt = this.#clock();
    this.#log.warn(
      {
        batches: p.batches,
        samples: p.samples,
        oldestDroppedAt: new Date(p.oldestCreatedAt).toISOString(),
      },
      'outbox full: oldest batches dropped (see plantpulse_outbox_dropped_samples_total)',
    );
    this.#pending = { batches: 0, samples: 0, oldestCreatedAt: Number.POSITIVE_INFINITY };
  }
}
