/**
 * Admission of new TCP connections to the broker, before a byte of MQTT is read: at most `maxConnections` at once,
 * `maxPerAddress` at once from one IP address, and new connections from one address at `ratePerSecond` (a token
 * bucket holding twice that, so a gateway reconnecting its few clients is never refused).
 */
export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
  ratePerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class ConnectionGuard {
  readonly #limits: ConnectionLimits;
  readonly #now: () => number;
  readonly #open = new Map<string, number>();
  readonly #buckets = new Map<string, Bucket>();
  #total = 0;

  constructor(limits: ConnectionLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Why a new connection from `address` is refused, or undefined when it is admitted (then call `release`). */
  admit(address: string): string | undefined {
    const { maxConnections, maxPerAddress, ratePerSecond } = this.#limits;
    if (this.#total >= maxConnections) return `${maxConnections} connections open (maxConnections)`;
    const open = this.#open.get(address) ?? 0;
    if (open >= maxPerAddress) return `${open} connections open from this address (maxConnectionsPerAddress)`;
    const now = this.#now();
    const cap = 2 * ratePerSecond;
    const b = this.#buckets.get(address) ?? { tokens: cap, at: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
    b.at = now;
    this.#buckets.set(address, b);
    if (b.tokens < 1)
      return `more than ${ratePerSecond} new connections/s from this address (connectRatePerAddress)`;
    b.tokens -= 1;
    this.#open.set(address, open + 1);
    this.#total++;
    this.#sweep(now);
    return undefined;
  }

  release(address: string): void {
    const open = this.#open.get(address) ?? 0;
    if (open <= 1) this.#open.delete(address);
    else this.#open.set(address, open - 1);
    this.#total = Math.max(0, this.#total - 1);
  }

  get open(): number {
    return this.#total;
  }

  /** Forget full buckets of addresses with no connection, so the map cannot grow without bound. */
  #sweep(now: number): void {
    if (this.#buckets.size < 1024) return;
    const full = 2000; // a bucket refills completely in 2 s
    for (const [a, b] of this.#buckets) if (!this.#open.has(a) && now - b.at >= full) this.#buckets.delete(a);
  }
}
