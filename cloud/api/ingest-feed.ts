/**
 * The one call the ingester needs to keep the API current: hand it what the Sparkplug host produced (births,
 * status changes, samples) and what analytics produced (state and alarm events). It updates the DeviceRegistry
 * and publishes LiveEvents. Structural input types, so `cloud/host` and `cloud/analytics` need not be imported.
 */
import type { MetricInfo } from '../../protocols/metric.js';
import type { DeviceRegistry } from './device-registry.js';
import type { FleetRegistry } from './fleet-registry.js';
import type { LiveBus, LiveEvent, LiveStatusEvent, ValueRows } from './live-bus.js';

export interface HostResultLike {
  /** by index (cloud/host/host-samples.ts): no object per value */
  samples: ValueRows & { node(i: number): string };
  status: readonly {
    site: string;
    node: string;
    device?: string;
    online: boolean;
    reason: string;
    timestamp: number;
  }[];
  births: readonly {
    site: string;
    node: string;
    device?: string;
    metrics: MetricInfo[];
    properties?: Record<string, string>;
  }[];
}

export interface IngestFeedOptions {
  /** publish every telemetry sample as a `value` event (default true); subscribers filter and are bounded */
  values?: boolean;
  clock?: () => number;
  /** the fleet view's gateways, kept from the same results */
  fleet?: FleetRegistry;
}

export class IngestFeed {
  readonly #registry: DeviceRegistry;
  readonly #live: LiveBus;
  readonly #values: boolean;
  readonly #clock: () => number;
  readonly #fleet: FleetRegistry | undefined;
  /**
   * units by site\0device, then metric: read from the registry once per device after each of its births
   * (registry.get clones the device; once per sample was quadratic in the metrics of a message)
   */
  readonly #units = new Map<string, Map<string, string | undefined>>();
  #unitSite: string | undefined;
  #unitDevice: string | undefined;
  #unitMap: Map<string, string | undefined> | undefined;
  /** the unit of a device's metric, as its last birth declared it */
  readonly #unitOf = (site: string, device: string, metric: string): string | undefined => {
    if (this.#unitMap === undefined || site !== this.#unitSite || device !== this.#unitDevice) {
      const k = `${site}\u0000${device}`;
      let units = this.#units.get(k);
      if (units === undefined) {
        const metrics = this.#registry.get(site, device)?.metrics ?? [];
        units = new Map(metrics.map((m) => [m.name, m.unit]));
        // a device not (yet) known has no units to cache: look again once its birth registers it
        if (metrics.length > 0) this.#units.set(k, units);
      }
      this.#unitSite = site;
      this.#unitDevice = device;
      this.#unitMap = units;
    }
    return this.#unitMap.get(metric);
  };

  constructor(registry: DeviceRegistry, live: LiveBus, opts: IngestFeedOptions = {}) {
    this.#registry = registry;
    this.#live = live;
    this.#values = opts.values ?? true;
    this.#clock = opts.clock ?? Date.now;
    this.#fleet = opts.fleet;
  }

  /** Births, deaths and samples from the Sparkplug host (`HostApplication.handle` result). */
  onHostResult(r: HostResultLike): void {
    const now = this.#clock();
    this.#fleet?.onHostResult(r, now);
    if (r.births.length > 0) this.#unitMap = undefined;
    for (const b of r.births) {
      this.#registry.upsertBirth({ ...b, timestamp: now });
      // its metrics (and units) may have changed; a node birth may bring devices' births too
      if (b.device !== undefined) this.#units.delete(`${b.site}\u0000${b.device}`);
      else
        for (const k of [...this.#units.keys()]) if (k.startsWith(`${b.site}\u0000`)) this.#units.delete(k);
      if (b.device !== undefined) {
        this.#live.publish({
          type: 'status',
          site: b.site,
          device: b.device,
          node: b.node,
          online: true,
          reason: 'DBIRTH',
          timestamp: now,
        });
      }
    }
    for (const s of r.status) {
      const affected =
        s.device !== undefined
          ? [s.device]
          : this.#registry
              .list({ site: s.site })
              .filter((d) => d.node === s.node)
              .map((d) => d.device);
      this.#registry.setStatus(s);
      // a node coming back online says nothing yet about its devices: their DBIRTHs will
      if (s.device === undefined && s.online) continue;
      for (const device of affected) {
        const e: LiveStatusEvent = {
          type: 'status',
          site: s.site,
          device,
          node: s.node,
          online: s.online,
          reason: s.reason,
          timestamp: s.timestamp,
        };
        this.#live.publish(e);
      }
    }
    if (!this.#values) return;
    // no event object per value unless a live client wants that device's values (issue 16, point 4)
    this.#live.publishValues(r.samples, this.#unitOf);
  }

  /** State changes and alarm raises/clears from analytics (`AnalyticsOutput.events`). */
  onAnalyticsEvents(events: readonly LiveEvent[]): void {
    this.#live.publishMany(events);
  }
}
