/** Refusal events (API, broker) kept from flooding the audit log. */

/** At most `max` refusal events per address per minute; counts the rest for the next event recorded. Bounded. */
export class RefusalThrottle {
  readonly #windows = new Map<string, { start: number; recorded: number; suppressed: number }>();
  readonly #clock: () => number;
  readonly #max: number;

  constructor(clock: () => number, max = 30) {
    this.#clock = clock;
    this.#max = max;
  }

  /** undefined: do not record; else record, with this many left out before it. */
  admit(address: string): number | undefined {
    const now = this.#clock();
    let w = this.#windows.get(address);
    if (!w || now - w.start >= 60_000) {
      const suppressed = w?.suppressed ?? 0;
      this.#windows.delete(address);
      if (this.#windows.size >= 10_000) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
      w = { start: now, recorded: 0, suppressed };
      this.#windows.set(address, w);
    }
    if (w.recorded >= this.#max) {
      w.suppressed++;
      return undefined;
    }
    w.recorded++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return suppressed;
  }
}
