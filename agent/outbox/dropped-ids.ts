/**
 * The ids of recently dropped batches (bounded), so that a PUBACK arriving for one of them — it was in flight when
 * the outbox dropped it — is counted as delivered after all. Then `droppedSamples − droppedDeliveredSamples` is the
 * loss, exactly (docs/delivery.md).
 */
export class DroppedIds {
  readonly #ids = new Map<number, number>();
  readonly #max: number;

  constructor(max = 65_536) {
    this.#max = max;
  }

  add(id: number, samples: number): void {
    this.#ids.set(id, samples);
    if (this.#ids.size > this.#max) {
      const oldest = this.#ids.keys().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }

  /** the sample count of a dropped batch, once; undefined when `id` was not (recently) dropped */
  take(id: number): number | undefined {
    const n = this.#ids.get(id);
    if (n !== undefined) this.#ids.delete(id);
    return n;
  }
}
