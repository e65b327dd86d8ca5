/**
 * Jittered exponential backoff ("full jitter"): attempt n waits a random time in [initial·2ⁿ/2, initial·2ⁿ], capped.
 * Pure: the random source is injectable so tests are deterministic.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #opts: Required<BackoffOptions>;

  constructor(opts: BackoffOptions) {
    this.#opts = { random: Math.random, ...opts };
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; advances the attempt counter. */
  next(): number {
    const { initialMs, maxMs, random } = this.#opts;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
