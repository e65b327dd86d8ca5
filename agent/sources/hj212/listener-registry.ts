import type { Logger } from 'pino';
import type { MetricFamily } from '../../../protocols/health/prometheus.js';
import type { ListenAddress } from './listen-address.js';
import { Hj212Listener, type ListenerLimits } from './listener.js';
import { listenerFamilies } from './listener-metrics.js';

/**
 * The agent's HJ 212 listeners by address: devices (MNs) with the same `listen` share one port. A listener exists
 * from the first device's creation (so MNs are known before any I/O), binds on the first lease and closes when the
 * last lease is released. One registry per agent.
 */
export class Hj212Listeners {
  readonly #listeners = new Map<string, { listener: Hj212Listener; leases: number }>();

  constructor(
    private readonly log: Logger,
    private readonly limits: Partial<ListenerLimits> = {},
  ) {}

  get(address: ListenAddress): Hj212Listener {
    let entry = this.#listeners.get(address.key);
    if (entry === undefined) {
      const listener = new Hj212Listener(address, this.log.child({ listen: address.key }), this.limits);
      entry = { listener, leases: 0 };
      this.#listeners.set(address.key, entry);
    }
    return entry.listener;
  }

  /** Binds the address's listener (if not yet) and holds it open until `release`. */
  async lease(address: ListenAddress): Promise<{ listener: Hj212Listener; release(): Promise<void> }> {
    const listener = this.get(address);
    const entry = this.#listeners.get(address.key);
    if (entry === undefined) throw new Error('unreachable: the listener was just made');
    entry.leases++;
    try {
      await listener.start();
    } catch (err) {
      entry.leases--;
      throw err;
    }
    let released = false;
    return {
      listener,
      release: async () => {
        if (released) return;
        released = true;
        entry.leases--;
        if (entry.leases === 0) await listener.stop();
      },
    };
  }

  /** every listener's counters (a listener keeps its counts across stop/start), for the agent's /metrics */
  metricFamilies(): MetricFamily[] {
    return listenerFamilies(
      [...this.#listeners.values()].map(({ listener }) => ({
        listen: listener.address.key,
        stats: listener.stats,
        open: listener.openConnections,
      })),
    );
  }
}
