/**
 * A cumulative meter over a rate function: ∫ rate dt from the epoch, by the trapezoid rule at a fixed step, so the
 * register value at t depends only on t (not on how often it was read). Reads are usually increasing in time and
 * continue from the last one; a read further back starts again from the epoch.
 */
export class Accumulator {
  readonly #rate: (t: number) => number;
  readonly #epoch: number;
  readonly #stepMs: number;
  /** per hour of rate: kW → kWh, m³/h → m³ */
  #t: number;
  #sum = 0;

  constructor(rate: (t: number) => number, epoch: number, stepMs = 10_000) {
    this.#rate = rate;
    this.#epoch = epoch;
    this.#stepMs = stepMs;
    this.#t = epoch;
  }

  /** ∫ rate over [epoch, t], rate per hour → amount. */
  at(t: number): number {
    if (t < this.#t) {
      this.#t = this.#epoch;
      this.#sum = 0;
    }
    const step = this.#stepMs;
    let left = this.#rate(this.#t);
    while (this.#t + step <= t) {
      const right = this.#rate(this.#t + step);
      this.#sum += ((left + right) / 2) * (step / 3_600_000);
      left = right;
      this.#t += step;
    }
    const rest = t - this.#t;
    return this.#sum + (rest > 0 ? ((left + this.#rate(t)) / 2) * (rest / 3_600_000) : 0);
  }
}
