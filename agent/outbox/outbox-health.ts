import { type ComponentHealth, HealthTracker, RecentRise } from '../../protocols/health/component-health.js';
import type { OutboxStats } from './outbox.js';

/**
 * The outbox as a component, from its `stats()`: down while appends fail and none succeeds (nothing read is kept),
 * degraded while it drops batches to stay within `outbox.maxBytes` or some appends fail (a rise within the last
 * minute), ok otherwise. How full it is shows in its counters and in `plantpulse_outbox_bytes`.
 */
export class OutboxHealth {
  readonly #kind: string;
  readonly #tracker: HealthTracker;
  readonly #drops = new RecentRise();
  readonly #failures = new RecentRise();
  readonly #appends = new RecentRise();

  constructor(kind: string, now: number) {
    this.#kind = kind;
    this.#tracker = new HealthTracker('ok', now);
  }

  report(s: OutboxStats, now: number): ComponentHealth {
    const dropping = this.#drops.within(s.dropped + s.droppedCorrupt, now);
    const failing = this.#failures.within(s.storeFailures, now);
    const appending = this.#appends.within(s.appended, now);
    const status = failing && !appending ? 'down' : dropping || failing ? 'degraded' : 'ok';
    const level = `${s.messages} batches, ${s.bytes} bytes, oldest ${Math.round(s.oldestAgeMs / 1000)} s`;
    const detail =
      status === 'down'
        ? `appends fail: nothing read is kept (${level})`
        : failing
          ? `some appends fail (${level})`
          : dropping
            ? `full: dropping the oldest batches (${level})`
            : level;
    return this.#tracker.report(status, now, {
      component: 'outbox',
      id: this.#kind,
      detail,
      counters: {
        messages: s.messages,
        bytes: s.bytes,
        oldestAgeMs: s.oldestAgeMs,
        appended: s.appended,
        acked: s.acked,
        dropped: s.dropped,
        droppedSamples: s.droppedSamples,
        replayed: s.replayed,
        storeFailures: s.storeFailures,
      },
    });
  }
}
