/**
 * Failed-authentication rate limit per client address: after `max` failures within `windowMs` the address is
 * answered 429 — before its token is even looked at, so a blocked address costs no scrypt — until its window ends.
 * Successful requests are never counted, and other addresses are not affected. The table is bounded: when full,
 * expired windows go first, then the oldest.
 */
export interface AuthFailureLimitOptions {
  max: number;
  windowMs: number;
  clock?: () => number;
  /** most addresses tracked at once */
  maxAddresses?: number;
}

export interface AuthFailureStats {
  /** requests refused with 429 */
  limited: number;
  /** addresses currently tracked */
  addresses: number;
}

export class AuthFailureLimit {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #clock: () => number;
  readonly #maxAddresses: number;
  readonly #windows = new Map<string, { start: number; failures: number }>();
  #limited = 0;

  constructor(opts: AuthFailureLimitOptions) {
    this.#max = opts.max;
    this.#windowMs = opts.windowMs;
    this.#clock = opts.clock ?? Date.now;
    this.#maxAddresses = opts.maxAddresses ?? 10_000;
  }

  /** Seconds until `address` may try again, or 0 when it may try now (a refusal is counted). */
  blockedFor(address: string): number {
    const w = this.#windows.get(address);
    if (!w) return 0;
    const now = this.#clock();
    const end = w.start + this.#windowMs;
    if (now >= end) {
      this.#windows.delete(address);
      return 0;
    }
    if (w.failures < this.#max) return 0;
    this.#limited++;
    return Math.max(1, Math.ceil((end - now) / 1000));
  }

  /** Counts one failed authentication of `address`; true when this one blocks it. */
  fail(address: string): boolean {
    const now = this.#clock();
    const w = this.#windows.get(address);
    if (w && now < w.start + this.#windowMs) {
      w.failures++;
      return w.failures === this.#max;
    }
    this.#windows.delete(address);
    if (this.#windows.size >= this.#maxAddresses) this.#evict(now);
    this.#windows.set(address, { start: now, failures: 1 });
    return this.#max === 1;
  }

  stats(): AuthFailureStats {
    return { limited: this.#limited, addresses: this.#windows.size };
  }

  #evict(now: number): void {
    for (const [a, w] of this.#windows) if (now >= w.start + this.#windowMs) this.#windows.delete(a);
    if (this.#windows.size < this.#maxAddresses) return;
    const oldest = this.#windows.keys().next().value;
    if (oldest !== undefined) this.#windows.delete(oldest);
  }
}
