import type { Logger } from 'pino';
import type { MetricFamily } from '../../../protocols/health/prometheus.js';
import type { ListenAddress } from './listen-address.js';
import { Hj212Listener, type ListenerLimits } from './listener.js';
import { deviceDropFamily, listenerFamilies } from './listener-metrics.js';

/** What a device's source counts of the values it could not pass on (hj212-source.ts `Hj212SourceStats`). */
export interface DeviceDrops {
  readonly undeclared: number;
  readonly pendingDropped: number;
}

/**
 * The agent's HJ 212 listeners by address: devices (MNs) with the same `listen` share one port. A listener exists
 * from the first device's creation (so MNs are known before any I/O), binds on the first lease and closes when the
 * last lease is released. One registry per agent.
 */
export class Hj212Listeners {
  readonly #listeners = new Map<string, { listener: Hj212Listener; leases: number }>();
  /** each device's source's drop counters, for /metrics (the newest source of a device after a reload) */
  readonly #drops = new Map<string, DeviceDrops>();

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

  /**
   * A device's source reports its drops on /metrics from now on, replacing an earlier source of that device (a
   * reload); a device a reload removed keeps its last counts until the agent restarts (the runner closes and reopens
   * a source on every reconnect, so closing is not the end of a device).
   */
  trackDrops(device: string, drops: DeviceDrops): void {
    this.#drops.set(device, drops);
  }

  /** every listener's counters (a listener keeps its counts across stop/start) and each device's drops, for /metrics */
  metricFamilies(): MetricFamily[] {
    return [
      ...listenerFamilies(
        [...this.#listeners.values()].map(({ listener }) => ({
          listen: listener.address.key,
          stats: listener.stats,
          open: listener.openConnections,
        })),
      ),
      deviceDropFamily(this.#drops),
    ];
  }
}
