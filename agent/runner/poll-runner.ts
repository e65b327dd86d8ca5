/**
 * The generic polling runner (docs/architecture.md#small-interfaces-one-runner): one timer per poll group; a
 * group whose poll overruns its interval reads again back to back (counted as overruns), so a busy line runs at its
 * physical rate; ticks lost while the event loop was blocked are skipped and counted; connection re-created with jittered exponential backoff after
 * consecutive link faults, health per device. Nothing a source does — a rejection, a throw, an 'error' —
 * escapes it.
 */
import type { Logger } from 'pino';
import { Backoff } from '../../protocols/backoff.js';
import { Histogram } from '../../protocols/health/prometheus.js';
import type { Sample } from '../../protocols/sample.js';
import type { PollingSource, ReadResult } from '../sources/source.js';
import { type DeviceHealth, emptyHealth, LATENESS_BUCKETS_S } from './device-health.js';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from './reconnect-policy.js';

export interface RunnerClock {
  now(): number;
}

export interface PollRunnerOptions {
  sources: readonly PollingSource[];
  log: Logger;
  /** defaults to Date; timers are the global ones (vi.useFakeTimers() drives both) */
  clock?: RunnerClock;
  /** for backoff jitter; defaults to Math.random */
  random?: () => number;
  /** used when a source does not carry its own `reconnectPolicy` */
  reconnect?: Partial<ReconnectPolicy>;
  onSamples(samples: Sample[]): void;
  onReachability(device: string, reachable: boolean, reason: string): void;
  /** optional: each poll as it starts, with how late it is against its schedule (benchmarks, metrics) */
  onTick?(device: string, group: number, latenessMs: number): void;
}

/** A source may carry its own reconnect policy (the Modbus source does, from its config). */
function policyOf(source: PollingSource, fallback: ReconnectPolicy): ReconnectPolicy {
  const own = (source as { reconnectPolicy?: Partial<ReconnectPolicy> }).reconnectPolicy;
  return { ...fallback, ...(own ?? {}) };
}

class DeviceLoop {
  readonly health: DeviceHealth;
  private readonly policy: ReconnectPolicy;
  private readonly log: Logger;
  private session: AbortController | undefined;
  private timers: NodeJS.Timeout[] = [];
  private backoffTimer: NodeJS.Timeout | undefined;
  private wakeBackoff: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busy: boolean[];
  /** per group: a tick came while its poll ran: read again as soon as it ends (the tick's due time) */
  private readonly again: (number | undefined)[];
  private readonly backoff: Backoff;
  readonly lateness = new Histogram(LATENESS_BUCKETS_S);
  private stopped = false;
  private reconnecting = false;
  private failing = false;
  /** polls in a row in which the device answered nothing */
  private silentPolls = 0;

  constructor(
    private readonly source: PollingSource,
    private readonly opts: PollRunnerOptions,
    private readonly clock: RunnerClock,
    random: () => number,
    fallback: ReconnectPolicy,
  ) {
    this.health = emptyHealth(source.device, 'poll', clock.now());
    this.policy = policyOf(source, fallback);
    this.backoff = new Backoff({ initialMs: this.policy.initialMs, maxMs: this.policy.maxMs, random });
    this.log = opts.log.child({ component: 'poll-runner', device: source.device });
    this.busy = source.groups.map(() => false);
    this.again = source.groups.map(() => undefined);
  }

  start(): void {
    this.track(this.connect());
  }

  /** `drainMs`: let reads in progress finish (and deliver their samples) for up to that long before aborting them. */
  async stop(drainMs = 0): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.wakeBackoff?.();
    if (drainMs > 0) await settledWithin([...this.inFlight], drainMs);
    this.session?.abort();
    await Promise.allSettled([...this.inFlight]);
    await this.closeQuietly();
    this.health.connected = false;
  }

  private track(p: Promise<void>): void {
    const guarded = p.catch((err: unknown) => {
      this.log.error({ err }, 'poll runner internal error');
    });
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }

  private setReachable(reachable: boolean, reason: string): void {
    if (this.health.reachable === reachable) return;
    this.health.reachable = reachable;
    this.health.since = this.clock.now();
    this.log[reachable ? 'info' : 'warn']({ reason }, reachable ? 'device reachable' : 'device unreachable');
    try {
      this.opts.onReachability(this.source.device, reachable, reason);
    } catch (err) {
      this.log.error({ err }, 'onReachability callback threw');
    }
  }

  private setFailing(failing: boolean): void {
    if (this.failing === failing) return;
    this.failing = failing;
    this.health.failing = failing;
    this.health.since = this.clock.now();
  }

  private count(code: string, message: string, detail?: number | string): void {
    this.health.errors[code] = (this.health.errors[code] ?? 0) + 1;
    const at = this.clock.now();
    this.health.lastError = detail === undefined ? { code, message, at } : { code, message, at, detail };
    if (code === 'MODBUS_EXCEPTION' && detail !== undefined) {
      const k = String(detail);
      this.health.exceptionCodes[k] = (this.health.exceptionCodes[k] ?? 0) + 1;
    }
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      const session = new AbortController();
      this.session = session;
      try {
        await this.source.connect(session.signal);
        if (this.stopped || session.signal.aborted) return;
        this.health.connected = true;
        this.setReachable(true, 'connected');
        this.startGroups(session);
        return;
      } catch (err) {
        if (this.stopped) return;
        const message = err instanceof Error ? err.message : String(err);
        const code = (err as { code?: unknown }).code;
        this.count(typeof code === 'string' ? code : 'CONNECT_FAILED', message);
        this.setReachable(false, message);
        await this.closeQuietly();
        await this.waitBackoff();
      }
    }
  }

  private waitBackoff(): Promise<void> {
    const delay = this.backoff.next();
    this.log.debug({ delay, attempt: this.backoff.attempt }, 'reconnect backoff');
    return new Promise<void>((resolve) => {
      const wake = () => {
        if (this.backoffTimer) clearTimeout(this.backoffTimer);
        this.backoffTimer = undefined;
        this.wakeBackoff = undefined;
        resolve();
      };
      this.wakeBackoff = wake;
      this.backoffTimer = setTimeout(wake, delay);
    });
  }

  private async closeQuietly(): Promise<void> {
    try {
      await this.source.close();
    } catch (err) {
      this.log.warn({ err }, 'source close failed');
    }
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private startGroups(session: AbortController): void {
    const signal = session.signal;
    const start = this.clock.now();
    this.source.groups.forEach((g, i) => {
      const interval = Math.max(1, g.intervalMs);
      let due = start;
      const fire = () => {
        if (this.stopped || signal.aborted) return;
        const now = this.clock.now();
        // ticks that passed while the event loop was blocked are skipped, not queued
        const late = Math.floor((now - due) / interval);
        if (late > 0) {
          this.health.skippedTicks += late;
          due += late * interval;
        }
        if (this.busy[i]) {
          // overrun: one more read right after this one, not a skipped tick (a busy line runs back to back)
          this.health.overruns++;
          this.again[i] ??= due;
        } else {
          this.observeTick(i, now - due);
          this.track(this.poll(i, signal));
        }
        due += interval;
        this.timers[i] = setTimeout(fire, Math.max(0, due - this.clock.now()));
      };
      this.timers[i] = setTimeout(fire, 0);
    });
  }

  private observeTick(group: number, latenessMs: number): void {
    this.lateness.observe(latenessMs / 1000);
    if (this.opts.onTick === undefined) return;
    try {
      this.opts.onTick(this.source.device, group, latenessMs);
    } catch (err) {
      this.log.error({ err }, 'onTick callback threw');
    }
  }

  /** Polls the group, then once more at once when a tick came meanwhile (overrun), and so on. */
  private async poll(group: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      await this.pollOnce(group, signal);
      const due = this.again[group];
      this.again[group] = undefined;
      if (due === undefined || this.stopped || signal.aborted) return;
      this.observeTick(group, Math.max(0, this.clock.now() - due));
    }
  }

  private async pollOnce(group: number, signal: AbortSignal): Promise<void> {
    this.busy[group] = true;
    let result: ReadResult;
    try {
      result = await this.source.read(group, signal);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      result = { samples: [], failures: [{ code: 'SOURCE_THREW', message, linkFault: true }] };
    } finally {
      this.busy[group] = false;
    }
    if (this.stopped && result.samples.length === 0) return;
    this.health.polls++;
    this.health.samples += result.samples.length;
    if (result.samples.length > 0) {
      try {
        this.opts.onSamples(result.samples);
      } catch (err) {
        this.log.error({ err }, 'onSamples callback threw');
      }
    }
    if (this.stopped || signal.aborted) return;
    for (const f of result.failures) this.count(f.code, f.message, f.detail);
    if (result.failures.length === 0) {
      this.health.lastGoodPoll = this.clock.now();
      if (this.failing) this.log.info('polls succeed again');
      this.setFailing(false);
    } else if (!this.failing) {
      this.setFailing(true);
      const f = result.failures[0];
      this.log.warn(
        { code: f?.code, detail: f?.detail, failures: result.failures.length },
        f?.message ?? 'poll failed',
      );
    }
    const linkFault = result.failures.find((f) => f.linkFault);
    const answered = result.samples.some((x) => x.quality === 'good');
    const silent =
      !answered &&
      result.failures.length > 0 &&
      result.failures.every((f) => f.linkFault || f.noAnswer === true);
    this.silentPolls = silent ? this.silentPolls + 1 : 0;
    if (answered && this.health.reachable === false) this.setReachable(true, 'answering again');
    if (linkFault === undefined) {
      this.health.consecutiveLinkFaults = 0;
      this.backoff.reset();
      // a device that stays silent on a healthy shared line is unreachable, but its neighbours keep the connection
      const first = result.failures[0];
      if (this.silentPolls >= this.policy.afterFailures && first !== undefined) {
        this.setReachable(false, `${this.silentPolls} polls in a row got no answer: ${first.message}`);
      }
      return;
    }
    this.health.consecutiveLinkFaults++;
    if (this.health.consecutiveLinkFaults >= this.policy.afterFailures) {
      this.track(
        this.reconnect(`${this.health.consecutiveLinkFaults} polls in a row failed: ${linkFault.message}`),
      );
    }
  }

  private async reconnect(reason: string): Promise<void> {
    if (this.reconnecting || this.stopped) return;
    this.reconnecting = true;
    try {
      this.clearTimers();
      this.session?.abort();
      this.health.connected = false;
      this.health.consecutiveLinkFaults = 0;
      this.health.reconnects++;
      this.setReachable(false, reason);
      await this.closeQuietly();
      await this.waitBackoff();
      await this.connect();
    } finally {
      this.reconnecting = false;
    }
  }
}

export class PollRunner {
  private readonly loops = new Map<string, DeviceLoop>();
  private readonly make: (s: PollingSource) => DeviceLoop;
  private started = false;

  constructor(opts: PollRunnerOptions) {
    const clock = opts.clock ?? Date;
    const random = opts.random ?? Math.random;
    const fallback = { ...DEFAULT_RECONNECT, ...(opts.reconnect ?? {}) };
    this.make = (s) => new DeviceLoop(s, opts, clock, random, fallback);
    for (const s of opts.sources) this.add(s);
  }

  /** Connects every source and starts its poll timers; returns at once (connection happens in the background). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const l of this.loops.values()) l.start();
  }

  /** One more source (a configuration reload); polled at once when the runner is started. */
  add(source: PollingSource): void {
    if (this.loops.has(source.device)) throw new Error(`two sources for device ${source.device}`);
    const loop = this.make(source);
    this.loops.set(source.device, loop);
    if (this.started) loop.start();
  }

  /**
   * Stops polling a device (a configuration reload): the reads in progress finish and deliver their samples (up to
   * `drainMs`), then its source is closed. False when the runner has no such device.
   */
  async remove(device: string, drainMs: number): Promise<boolean> {
    const loop = this.loops.get(device);
    if (!loop) return false;
    this.loops.delete(device);
    await loop.stop(drainMs);
    return true;
  }

  /**
   * Stops timers, aborts in-flight reads (after letting them finish for up to `drainMs`: their samples are
   * delivered), waits for them and closes every source.
   */
  async stop(drainMs = 0): Promise<void> {
    await Promise.all([...this.loops.values()].map((l) => l.stop(drainMs)));
  }

  health(): DeviceHealth[] {
    return [...this.loops.values()].map((l) => ({
      ...structuredClone(l.health),
      lateness: l.lateness.snapshot(),
    }));
  }
}

/** Waits for the promises to settle, or `ms`, whichever comes first. */
export async function settledWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), deadline]);
  clearTimeout(timer);
}

export type { DeviceHealth, ReconnectPolicy };
