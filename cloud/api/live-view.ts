/**
 * The latest of everything the live stream updates, kept in memory as events are published: per device its
 * machine state, its latest value per metric and its recent alarm episodes.
 *
 * Why it exists: analytics and the Sparkplug host publish an event the moment they compute it, but its point
 * reaches InfluxDB only when the spool drains (a second later, or hours later when InfluxDB is down). A snapshot
 * read from InfluxDB alone can therefore miss an event the stream has already sent, and a client that joined the
 * stream after that event would never see it (a running machine shown as unknown until its next change). Snapshot
 * routes overlay this view on what they read, newer wins by source time, and stamp the response with the bus's
 * `lastEventId`: the snapshot then includes every event up to that id, and the stream delivers the rest.
 *
 * Bounded by what it keys on: devices × metrics (as the device registry), and at most `ALARM_EPISODES` alarm
 * episodes per (device, metric, severity).
 */
import type { Quality, SampleValue } from '../../protocols/sample.js';
import type { LiveAlarmEvent, LiveEvent, LiveStateEvent, LiveValueEvent } from './live-bus.js';

/** alarm episodes remembered per (device, metric, severity): enough to see a clear and the next raise */
const ALARM_EPISODES = 4;

const key = (site: string, device: string) => `${site}\u0000${device}`;

/** One alarm episode as the live events told it: the raise, with what a clear and an acknowledgement added. */
export interface LiveAlarmEpisode extends LiveAlarmEvent {
  raisedAt: number;
  acked: boolean;
  /** time of the clear (the device's clock), once cleared */
  clearedAt?: number;
  /** the value that cleared it */
  clearValue?: number;
  /** time of the acknowledgement (the cloud's clock) */
  ackedAt?: number;
}

/**
 * The latest value of one metric, updated in place: after a metric's first value, keeping it current costs two map
 * lookups and a few field writes per value, with no object made (the ingester's per-value path, issue 16).
 */
interface LatestValue {
  value: SampleValue;
  quality: Quality;
  timestamp: number;
  unit: string | undefined;
  seq: number | undefined;
}

export class LiveView {
  readonly #states = new Map<string, LiveStateEvent>();
  /** site\0device → metric → its latest value */
  readonly #values = new Map<string, Map<string, LatestValue>>();
  /** the last device `valuesOf` looked up: a message's values are mostly one device's */
  #lastSite: string | undefined;
  #lastDevice: string | undefined;
  #lastMetrics: Map<string, LatestValue> | undefined;

  /** the metrics map of a device, made on its first value */
  #valuesOf(site: string, device: string): Map<string, LatestValue> {
    if (this.#lastMetrics !== undefined && site === this.#lastSite && device === this.#lastDevice)
      return this.#lastMetrics;
    const k = key(site, device);
    let metrics = this.#values.get(k);
    if (!metrics) {
      metrics = new Map();
      this.#values.set(k, metrics);
    }
    this.#lastSite = site;
    this.#lastDevice = device;
    this.#lastMetrics = metrics;
    return metrics;
  }

  /**
   * Applies one value (what a `value` event says, without the event): a value older (by source time) than the one
   * held changes nothing. Bad values are kept as `null`, like their events.
   */
  applyValue(
    site: string,
    device: string,
    metric: string,
    value: SampleValue,
    quality: Quality,
    timestamp: number,
    unit: string | undefined,
    seq: number | undefined,
  ): void {
    const metrics = this.#valuesOf(site, device);
    const old = metrics.get(metric);
    if (old === undefined) {
      metrics.set(metric, { value, quality, timestamp, unit, seq });
      return;
    }
    if (timestamp < old.timestamp) return;
    old.value = value;
    old.quality = quality;
    old.timestamp = timestamp;
    old.unit = unit;
    old.seq = seq;
  }
  /** site\0device → `metric\0severity` → raisedAt → latest event of that episode */
  readonly #alarms = new Map<string, Map<string, Map<number, LiveAlarmEpisode>>>();

  /** Applies one published event; an event older (by source time) than what the view holds changes nothing. */
  apply(e: LiveEvent): void {
    switch (e.type) {
      case 'state': {
        const k = key(e.site, e.device);
        const old = this.#states.get(k);
        if (!old || e.timestamp >= old.timestamp) this.#states.set(k, e);
        return;
      }
      case 'value':
        this.applyValue(e.site, e.device, e.metric, e.value, e.quality, e.timestamp, e.unit, e.seq);
        return;
      case 'alarm': {
        const k = key(e.site, e.device);
        let rules = this.#alarms.get(k);
        if (!rules) {
          rules = new Map();
          this.#alarms.set(k, rules);
        }
        const rk = `${e.metric}\u0000${e.severity}`;
        let episodes = rules.get(rk);
        if (!episodes) {
          episodes = new Map();
          rules.set(rk, episodes);
        }
        const raisedAt = e.raisedAt ?? e.timestamp;
        const old = episodes.get(raisedAt);
        // Within an episode, a clear and an acknowledgement are final whatever order they arrive in (an ack event
        // carries `active` as InfluxDB had it and the cloud's clock; a clear carries the device's): merge, not replace.
        const isAck = e.acked === true;
        const ep: LiveAlarmEpisode = old
          ? { ...old }
          : { ...e, raisedAt, active: isAck ? e.active : true, acked: false };
        if (!isAck && e.active && e.value !== undefined) ep.value = e.value;
        if (!isAck && !e.active && ep.active) {
          ep.active = false;
          ep.clearedAt = e.timestamp;
          if (e.value !== undefined) ep.clearValue = e.value;
        }
        if (isAck && !ep.acked) {
          ep.acked = true;
          ep.ackedAt = e.timestamp;
          if (e.ackedBy !== undefined) ep.ackedBy = e.ackedBy;
        }
        if (e.seq !== undefined) ep.seq = e.seq;
        episodes.delete(raisedAt);
        episodes.set(raisedAt, ep);
        while (episodes.size > ALARM_EPISODES) {
          const oldest = Math.min(...episodes.keys());
          episodes.delete(oldest);
        }
        return;
      }
      case 'status':
        // online/offline lives in the DeviceRegistry, updated in the same call that publishes the event
        return;
    }
  }

  /** the machine state a device is in now, as far as the live events tell */
  state(site: string, device: string): LiveStateEvent | undefined {
    return this.#states.get(key(site, device));
  }

  /** the latest value event of one metric of a device */
  value(site: string, device: string, metric: string): LiveValueEvent | undefined {
    const v = this.#values.get(key(site, device))?.get(metric);
    return v === undefined ? undefined : valueEvent(site, device, metric, v);
  }

  /** the latest value event of every metric of a device seen since the process started */
  values(site: string, device: string): LiveValueEvent[] {
    const metrics = this.#values.get(key(site, device));
    if (metrics === undefined) return [];
    return [...metrics].map(([metric, v]) => valueEvent(site, device, metric, v));
  }

  /** the recent alarm episodes of a site (optionally one device): the latest event of each */
  alarms(site: string, device?: string): LiveAlarmEpisode[] {
    const out: LiveAlarmEpisode[] = [];
    for (const [k, rules] of this.#alarms) {
      const [s, d] = k.split('\u0000');
      if (s !== site || (device !== undefined && d !== device)) continue;
      for (const episodes of rules.values()) out.push(...episodes.values());
    }
    return out;
  }
}

/** A held value as the `value` event that would have told it (made on read: snapshots are rare, values are not). */
function valueEvent(site: string, device: string, metric: string, v: LatestValue): LiveValueEvent {
  return {
    ...(v.seq === undefined ? {} : { seq: v.seq }),
    type: 'value',
    site,
    device,
    metric,
    value: v.value,
    quality: v.quality,
    timestamp: v.timestamp,
    ...(v.unit === undefined ? {} : { unit: v.unit }),
  };
}
