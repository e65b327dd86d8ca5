import type { Sample } from '../../protocols/sample.js';
import { DroppedIds } from './dropped-ids.js';
import { batchBytes, type Outbox, type OutboxDrop, type OutboxEntry, type OutboxStats } from './outbox.js';

/**
 * A bounded in-memory outbox: FIFO, oldest dropped on overflow (counted). It does NOT survive a restart; use it only
 * where that is acceptable (tests, `outbox: { path: ':memory:' }`). The durable implementation is the default.
 */
export class MemoryOutbox implements Outbox {
  readonly kind = 'memory';
  readonly #entries: OutboxEntry[] = [];
  readonly #maxBytes: number;
  readonly #onDrop: (drop: OutboxDrop) => void;
  readonly #droppedIds = new DroppedIds();
  #nextId = 1;
  #bytes = 0;
  #stats = {
    dropped: 0,
    droppedSamples: 0,
    droppedDelivered: 0,
    droppedDeliveredSamples: 0,
    replayed: 0,
    appended: 0,
    acked: 0,
    storeFailures: 0,
    droppedCorrupt: 0,
  };

  constructor(maxBytes: number, onDrop: (drop: OutboxDrop) => void = () => undefined) {
    this.#maxBytes = maxBytes;
    this.#onDrop = onDrop;
  }

  append(device: string, samples: Sample[], now: number): OutboxEntry {
    const entry: OutboxEntry = {
      id: this.#nextId++,
      device,
      samples,
      createdAt: now,
      bytes: batchBytes(device, samples),
    };
    this.#entries.push(entry);
    this.#bytes += entry.bytes;
    this.#stats.appended++;
    while (this.#bytes > this.#maxBytes && this.#entries.length > 1) {
      const old = this.#entries.shift();
      if (!old) break;
      this.#bytes -= old.bytes;
      this.#stats.dropped++;
      this.#stats.droppedSamples += old.samples.length;
      this.#droppedIds.add(old.id, old.samples.length);
      this.#onDrop({
        id: old.id,
        device: old.device,
        samples: old.samples.length,
        bytes: old.bytes,
        createdAt: old.createdAt,
        reason: 'full',
      });
    }
    return entry;
  }

  peekAfter(afterId: number, limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const e of this.#entries) {
      if (e.id <= afterId) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  ack(id: number): void {
    const i = this.#entries.findIndex((e) => e.id === id);
    if (i < 0) {
      const n = this.#droppedIds.take(id);
      if (n !== undefined) {
        this.#stats.droppedDelivered++;
        this.#stats.droppedDeliveredSamples += n;
      }
      return;
    }
    const [e] = this.#entries.splice(i, 1);
    if (e) this.#bytes -= e.bytes;
    this.#stats.acked++;
  }

  holds(device: string): boolean {
    return this.#entries.some((e) => e.device === device);
  }

  lastId(): number {
    return this.#nextId - 1;
  }

  markReplayed(count: number): void {
    this.#stats.replayed += count;
  }

  stats(now: number): OutboxStats {
    const oldest = this.#entries[0];
    return {
      messages: this.#entries.length,
      bytes: this.#bytes,
      oldestAgeMs: oldest ? Math.max(0, now - oldest.createdAt) : 0,
      ...this.#stats,
    };
  }

  async close(): Promise<void> {}
}
