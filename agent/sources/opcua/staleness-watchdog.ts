/**
 * Per-subscription watchdog (agent/sources/opcua/README.md#recovery): when neither data nor keep-alive arrived for
 * `timeoutMs`, the subscription is presumed dead even if the TCP connection looks fine (node-opcua #1334:
 * "connected but no more changes"), and `onStale` fires once so the runner rebuilds session and subscriptions
 * from config.
 */

export interface WatchdogClock {
  now(): number;
}

export interface StalenessWatchdogOptions {
  timeoutMs: number;
  onStale(silentForMs: number): void;
  clock?: WatchdogClock;
}

export class StalenessWatchdog {
  readonly timeoutMs: number;
  #last: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #clock: WatchdogClock;
  readonly #onStale: (silentForMs: number) => void;

  constructor(opts: StalenessWatchdogOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.#clock = opts.clock ?? Date;
    this.#onStale = opts.onStale;
    this.#last = this.#clock.now();
  }

  start(): void {
    this.stop();
    this.#last = this.#clock.now();
    const every = Math.max(25, Math.floor(this.timeoutMs / 4));
    this.#timer = setInterval(() => this.#check(), every);
    this.#timer.unref?.();
  }

  /** data or keep-alive arrived */
  touch(): void {
    this.#last = this.#clock.now();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const silent = this.#clock.now() - this.#last;
    if (silent <= this.timeoutMs) return;
    this.stop();
    this.#onStale(silent);
  }
}

/**
 * The watchdog timeout for a subscription: `intervals` publishing intervals, but never less than two keep-alive
 * periods (a quiet subscription only sends a keep-alive every maxKeepAliveCount intervals).
 */
export function watchdogTimeoutMs(
  publishingIntervalMs: number,
  maxKeepAliveCount: number,
  intervals: number,
): number {
  return Math.max(intervals * publishingIntervalMs, 2 * maxKeepAliveCount * publishingIntervalMs);
}
