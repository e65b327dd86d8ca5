/**
 * Keeps an event an outsider can repeat at will (a refused login, a forged retained message) from flooding a log or
 * the audit file: at most `max` events per key per window, the window starting at the key's first event; the next
 * event let through carries how many were left out before it. The caller still counts every event. Keys are
 * bounded (the oldest is forgotten), so a flood of distinct keys cannot grow it either.
 */
export class FloodLimit {
  readonly #windows = new Map<string, { start: number; admitted: number; suppressed: number }>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #clock: () => number;
  readonly #maxKeys: number;

  constructor(opts: { max: number; windowMs: number; clock?: () => number; maxKeys?: number }) {
    this.#max = opts.max;
    this.#windowMs = opts.windowMs;
    this.#clock = opts.clock ?? Date.now;
    this.#maxKeys = opts.maxKeys ?? 10_000;
  }

  /** undefined: leave this event out; else let it through, with this many left out before it. */
  admit(key = ''): number | undefined {
    const now = this.#clock();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.#windowMs) {
      const suppressed = w?.suppressed ?? 0;
      this.#windows.delete(key);
      if (this.#windows.size >= this.#maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
      w = { start: now, admitted: 0, suppressed };
      this.#windows.set(key, w);
    }
    if (w.admitted >= this.#max) {
      w.suppressed++;
      return undefined;
    }
    w.admitted++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return suppressed;
  }
}
