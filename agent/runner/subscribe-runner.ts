/**
 * The runner for SubscribingSources (OPC UA subscriptions): connect, subscribe, and when the source reports the
 * subscription lost (connection dropped, server restarted, watchdog expired) — or connect/subscribe fails — close
 * it and start over from config after a jittered exponential backoff, without limit. Each source has its own loop,
 * so an endpoint that is down at start never holds up the others. Same callback shape as the poll runner.
 */
import type { Logger } from 'pino';
import { Backoff } from '../../protocols/backoff.js';
import type { Sample } from '../../protocols/sample.js';
import type { SubscribingSource } from '../sources/source.js';
import { type DeviceHealth, emptyHealth } from './device-health.js';
import type { RunnerClock } from './poll-runner.js';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from './reconnect-policy.js';

export interface SubscribeRunnerOptions {
  sources: readonly SubscribingSource[];
  log: Logger;
  clock?: RunnerClock;
  /** for backoff jitter; defaults to Math.random */
  random?: () => number;
  reconnect?: Partial<ReconnectPolicy>;
  /**
   * a subscription that lived at least this long resets the backoff to its first step (default 30 s): a server
   * that accepts and drops right away is not hammered at the initial delay
   */
  stableAfterMs?: number;
  onSamples(samples: Sample[]): void;
  onReachability(device: string, reachable: boolean, reason: string): void;
}

class SubscriptionLoop {
  readonly health: DeviceHealth;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  #stopped = false;
  #session: AbortController | undefined;
  #wake: (() => void) | undefined;
  #done: Promise<void> | undefined;

  constructor(
    private readonly source: SubscribingSource,
    private readonly opts: SubscribeRunnerOptions,
    policy: ReconnectPolicy,
    private readonly clock: RunnerClock,
    random: () => number,
  ) {
    this.health = emptyHealth(source.device, 'subscribe', clock.now());
    this.#backoff = new Backoff({ initialMs: policy.initialMs, maxMs: policy.maxMs, random });
    this.#log = opts.log.child({ component: 'subscribe-runner', device: source.device });
  }

  start(): void {
    this.#done = this.#run().catch((err: unknown) => {
      this.#log.error({ err }, 'subscribe runner internal error');
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#session?.abort();
    this.#wake?.();
    await this.#done;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const session = new AbortController();
      this.#session = session;
      let lostReason: Promise<Error> | undefined;
      let since = this.clock.now();
      try {
        await this.source.connect(session.signal);
        if (this.#stopped) break;
        let onLost: (err: Error) => void = () => undefined;
        lostReason = new Promise<Error>((resolve) => {
          onLost = resolve;
        });
        await this.source.subscribe(
          (s) => this.#emit(s),
          session.signal,
          (err) => onLost(err),
        );
        since = this.clock.now();
        this.health.connected = true;
        this.#setReachable(true, 'subscribed');
      } catch (err) {
        if (this.#stopped) break;
        this.#count(err);
        this.#setReachable(false, messageOf(err));
        lostReason = undefined;
      }
      // stopped while connect/subscribe ran: its wake-up came before there was a wait to wake, so do not wait
      if (lostReason !== undefined && this.#stopped) break;
      if (lostReason !== undefined) {
        const wake = new Promise<undefined>((resolve) => {
          this.#wake = () => resolve(undefined);
        });
        const err = await Promise.race([lostReason, wake]);
        this.#wake = undefined;
        if (err === undefined || this.#stopped) break;
        this.#count(err);
        this.#setReachable(false, messageOf(err));
        this.health.reconnects++;
        if (this.clock.now() - since >= (this.opts.stableAfterMs ?? 30_000)) this.#backoff.reset();
      }
      session.abort();
      await this.#closeQuietly();
      if (this.#stopped) break;
      await this.#waitBackoff();
    }
    this.#session?.abort();
    await this.#closeQuietly();
  }

  #emit(samples: Sample[]): void {
    if (samples.length === 0) return;
    this.health.samples += samples.length;
    try {
      this.opts.onSamples(samples);
    } catch (err) {
      this.#log.error({ err }, 'onSamples callback threw');
    }
  }

  #setReachable(reachable: boolean, reason: string): void {
    if (this.health.reachable === reachable) return;
    this.health.reachable = reachable;
    this.health.since = this.clock.now();
    this.#log[reachable ? 'info' : 'warn']({ reason }, reachable ? 'device reachable' : 'device unreachable');
    try {
      this.opts.onReachability(this.source.device, reachable, reason);
    } catch (err) {
      this.#log.error({ err }, 'onReachability callback threw');
    }
  }

  #count(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const c = typeof code === 'string' ? code : 'CONNECT_FAILED';
    this.health.errors[c] = (this.health.errors[c] ?? 0) + 1;
    this.health.lastError = { code: c, message: messageOf(err), at: this.clock.now() };
  }

  async #closeQuietly(): Promise<void> {
    this.health.connected = false;
    try {
      await this.source.close();
    } catch (err) {
      this.#log.warn({ err: messageOf(err) }, 'close failed');
    }
  }

  #waitBackoff(): Promise<void> {
    const delay = this.#backoff.next();
    this.#log.debug({ delay, attempt: this.#backoff.attempt }, 'reconnect backoff');
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, delay);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

export class SubscribeRunner {
  readonly #loops = new Map<string, SubscriptionLoop>();
  readonly #make: (s: SubscribingSource) => SubscriptionLoop;
  #started = false;

  constructor(opts: SubscribeRunnerOptions) {
    const policy = { ...DEFAULT_RECONNECT, ...(opts.reconnect ?? {}) };
    const clock = opts.clock ?? Date;
    const random = opts.random ?? Math.random;
    this.#make = (s) => new SubscriptionLoop(s, opts, policy, clock, random);
    for (const s of opts.sources) this.add(s);
  }

  /** starts every source's loop; returns at once (connects happen in the background) */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const l of this.#loops.values()) l.start();
  }

  /** One more source (a configuration reload); started at once when the runner is. */
  add(source: SubscribingSource): void {
    if (this.#loops.has(source.device)) throw new Error(`two sources for device ${source.device}`);
    const loop = this.#make(source);
    this.#loops.set(source.device, loop);
    if (this.#started) loop.start();
  }

  /** Stops a device's subscription and closes its source (a reload); false when the runner has no such device. */
  async remove(device: string): Promise<boolean> {
    const loop = this.#loops.get(device);
    if (!loop) return false;
    this.#loops.delete(device);
    await loop.stop();
    return true;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#loops.values()].map((l) => l.stop()));
  }

  health(): DeviceHealth[] {
    return [...this.#loops.values()].map((l) => structuredClone(l.health));
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
