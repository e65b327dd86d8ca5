import type { Logger } from 'pino';
import { busKey, type Dlt645Endpoint } from './dlt645-url.js';
import { MeterBus, type MeterUser } from './meter-bus.js';

export interface BusLease {
  readonly bus: MeterBus;
  release(): void;
}

/**
 * The agent's meter buses by identity (serial device path, or DTU host:port): meters on the same bus share ONE
 * connection and ONE queue. One registry per agent, handed to every DL/T 645 source.
 */
export class BusRegistry {
  private readonly buses = new Map<string, MeterBus>();

  constructor(private readonly log: Logger) {}

  lease(endpoint: Dlt645Endpoint, user: MeterUser): BusLease {
    const key = busKey(endpoint);
    let bus = this.buses.get(key);
    if (bus === undefined) {
      bus = new MeterBus(key, endpoint, this.log.child({ component: 'dlt645-bus', bus: key }));
      this.buses.set(key, bus);
    }
    const token = bus.attach(user);
    const leased = bus;
    let released = false;
    return {
      bus: leased,
      release: () => {
        if (released) return;
        released = true;
        if (leased.detach(token) === 0) {
          leased.close();
          if (this.buses.get(key) === leased) this.buses.delete(key);
        }
      },
    };
  }

  get(key: string): MeterBus | undefined {
    return this.buses.get(key);
  }
}
