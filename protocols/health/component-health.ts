/**
 * One health shape for every component of both processes (docs/metrics.md#health): a source per device, the uplink,
 * the Sparkplug session and the outbox of the agent; the MQTT consumer, spool, InfluxDB writer, analytics, API and
 * broker of the ingester. `/readyz` lists them and `/metrics` exports their status.
 */
export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface ComponentHealth {
  /** what kind of part: source, uplink, sparkplug, outbox, mqtt, spool, influxdb, analytics, api, broker */
  component: string;
  /** which one: the device id of a source, the client id of an MQTT client, the database of the writer, … */
  id: string;
  /** ok: working; degraded: working with a problem (some failures, nearly full, waiting); down: not working */
  status: HealthStatus;
  /** ms since epoch of the last status change (or of the start) */
  since: number;
  /** one line for a person: what is wrong, or what it does; never a secret */
  detail: string;
  /** the component's counts and levels, by name (the same numbers `/metrics` exports) */
  counters: Record<string, number>;
}

/** Status as a number for Prometheus: 0 ok, 1 degraded, 2 down (so `> 0` alerts on anything wrong). */
export const STATUS_VALUE: Readonly<Record<HealthStatus, number>> = { ok: 0, degraded: 1, down: 2 };

/** The worst of several statuses (ok for none). */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'ok';
  for (const s of statuses) if (STATUS_VALUE[s] > STATUS_VALUE[worst]) worst = s;
  return worst;
}

/**
 * Remembers when a component's status last changed. Call `observe` whenever the status may have changed (at the
 * transition where the code knows it, or when health is read): `since` moves only when the status does.
 */
export class HealthTracker {
  #status: HealthStatus;
  #since: number;

  constructor(initial: HealthStatus, now: number) {
    this.#status = initial;
    this.#since = now;
  }

  get status(): HealthStatus {
    return this.#status;
  }

  get since(): number {
    return this.#since;
  }

  observe(status: HealthStatus, now: number): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#since = now;
  }

  /** observes `status` and returns the full record */
  report(
    status: HealthStatus,
    now: number,
    rest: Omit<ComponentHealth, 'status' | 'since'>,
  ): ComponentHealth {
    this.observe(status, now);
    return { ...rest, status: this.#status, since: this.#since };
  }
}

/**
 * Remembers when a monotonic counter last went up, as seen by the calls: `within(value, now)` is true while the last
 * rise was less than `windowMs` ago. Lets a component report "degraded" while something keeps happening (drops,
 * store failures) and recover once it has stopped for a while. The first call only learns the value (a counter
 * persisted from a previous run does not count as a rise).
 */
export class RecentRise {
  readonly #windowMs: number;
  #last: number | undefined;
  #at = Number.NEGATIVE_INFINITY;

  constructor(windowMs = 60_000) {
    this.#windowMs = windowMs;
  }

  within(value: number, now: number): boolean {
    if (this.#last !== undefined && value > this.#last) this.#at = now;
    this.#last = value;
    return now - this.#at < this.#windowMs;
  }
}
