import type { Logger } from '../../config/logging.js';
import {
  DurableQueue,
  type QueueSync,
  type QueueTable,
  QueueWriteError,
  type RowMeta,
} from '../../protocols/durable-queue/index.js';
import type { Sample } from '../../protocols/sample.js';
import { DroppedIds } from './dropped-ids.js';
import type { Outbox, OutboxDrop, OutboxEntry, OutboxStats } from './outbox.js';
import { decodeSamples, encodeSamples, SampleDecodeError } from './sample-codec.js';

/** `outbox.sync`: how hard `append` works to survive power loss (`QueueSync`, docs/delivery.md). */
export type OutboxSync = QueueSync;

export interface SqliteOutboxOptions {
  /** the database file, e.g. /var/lib/plantpulse/outbox/outbox.db (its directory is created) */
  file: string;
  maxBytes: number;
  sync?: OutboxSync;
  log: Logger;
  onDrop?: (drop: OutboxDrop) => void;
}

type EntryColumns = {
  device: string;
  /** the batch's samples (`sample-codec.ts`) */
  samples: string;
};

type EntryMeta = RowMeta & { device: string };

/** The outbox's table, as it has been on disk since the first release (existing files keep their batches). */
const ENTRIES: QueueTable<EntryColumns, 'device'> = {
  name: 'entries',
  create: `CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    count INTEGER NOT NULL,
    samples TEXT NOT NULL
  )`,
  columns: ['device', 'samples'],
  meta: ['device'],
};

/** Per-row overhead counted against the byte bound on top of the encoded samples (row header, index entry). */
const ROW_OVERHEAD = 48;

/** The drop counters, persisted in the outbox file so that metrics do not forget an overflow on restart. */
type DropCounter =
  | 'dropped'
  | 'droppedSamples'
  | 'droppedDelivered'
  | 'droppedDeliveredSamples'
  | 'droppedCorrupt';

/**
 * The durable outbox, on the shared durable queue (`protocols/durable-queue`: SQLite WAL, fsync policy, damaged-file
 * recovery, checkpoints). What is the outbox's own: batches of one device's samples; an entry leaves only on its
 * PUBACK (`ack`) or as a counted drop; at the byte bound the oldest batches are dropped in the same transaction that
 * stores the new one (never the new one), counted and reported, and a PUBACK that still arrives for a dropped batch
 * is counted as delivered; a disk-full append drops the oldest tenth once to make room.
 */
export class SqliteOutbox implements Outbox {
  readonly kind = 'sqlite';
  readonly #q: DurableQueue<EntryColumns, 'device'>;
  readonly #log: Logger;
  readonly #onDrop: (drop: OutboxDrop) => void;
  readonly #droppedIds = new DroppedIds();
  readonly #appendTx: (device: string, samples: Sample[], text: string, now: number) => AppendResult;
  readonly #dropTx: (upToId: number) => EntryMeta[];
  readonly #stats = { replayed: 0, appended: 0, acked: 0, storeFailures: 0 };

  private constructor(q: DurableQueue<EntryColumns, 'device'>, opts: SqliteOutboxOptions) {
    this.#q = q;
    this.#log = opts.log;
    this.#onDrop = opts.onDrop ?? (() => undefined);
    this.#appendTx = q.transaction((device: string, samples: Sample[], text: string, now: number) => {
      const bytes = text.length + device.length + ROW_OVERHEAD;
      const id = q.append(now, bytes, samples.length, { device, samples: text });
      const dropped = q.bytes > q.maxBytes && q.rows > 1 ? this.#dropToBound(id) : [];
      return { entry: { id, device, samples, createdAt: now, bytes }, dropped };
    });
    this.#dropTx = q.transaction((upToId: number) => this.#countDrops(q.deleteUpTo(upToId)));
  }

  /** Opens (or creates) the outbox file. Synchronous; throws only when no database can be opened at all. */
  static open(opts: SqliteOutboxOptions): SqliteOutbox {
    const q = DurableQueue.open<EntryColumns, 'device'>({
      file: opts.file,
      name: 'outbox',
      table: ENTRIES,
      maxBytes: opts.maxBytes,
      log: opts.log,
      ...(opts.sync === undefined ? {} : { sync: opts.sync }),
    });
    return new SqliteOutbox(q, opts);
  }

  append(device: string, samples: Sample[], now: number): OutboxEntry | undefined {
    if (this.#q.closed) {
      this.#stats.storeFailures++;
      return undefined;
    }
    const text = encodeSamples(samples);
    let failure: unknown;
    try {
      return this.#stored(this.#appendTx(device, samples, text, now));
    } catch (err) {
      failure = err;
    }
    // Disk full: make room once by dropping the oldest tenth, then try this batch again.
    if (failure instanceof QueueWriteError && failure.diskFull && this.#q.rows > 0) {
      try {
        const last = this.#q.oldest(Math.max(1, Math.ceil(this.#q.rows / 10))).at(-1);
        if (last) this.#report(this.#dropTx(last.id));
        return this.#stored(this.#appendTx(device, samples, text, now));
      } catch (err) {
        failure = err;
      }
    }
    this.#stats.storeFailures++;
    this.#log.error(
      { err: failure, device, samples: samples.length },
      'outbox write failed; batch not stored',
    );
    return undefined;
  }

  peekAfter(afterId: number, limit: number): OutboxEntry[] {
    if (this.#q.closed || limit <= 0) return [];
    const out: OutboxEntry[] = [];
    let cursor = afterId;
    while (out.length < limit) {
      let rows: (RowMeta & EntryColumns)[];
      try {
        rows = this.#q.read(cursor, limit - out.length);
      } catch (err) {
        // An I/O error reading the file: nothing is deleted; the publisher looks again on its next pass.
        this.#log.error({ err, afterId: cursor }, 'outbox read failed');
        break;
      }
      if (rows.length === 0) break;
      for (const r of rows) {
        cursor = r.id;
        try {
          out.push({
            id: r.id,
            device: r.device,
            samples: decodeSamples(r.device, r.samples),
            createdAt: r.createdAt,
            bytes: r.bytes,
          });
        } catch (err) {
          if (!(err instanceof SampleDecodeError)) throw err;
          this.#dropCorrupt(r, err);
        }
      }
    }
    return out;
  }

  ack(id: number): void {
    if (this.#q.closed) return;
    try {
      if (this.#q.delete(id)) {
        this.#stats.acked++;
        return;
      }
      const n = this.#droppedIds.take(id);
      if (n !== undefined) {
        this.#add({ droppedDelivered: 1, droppedDeliveredSamples: n });
      }
    } catch (err) {
      // Not fatal: the batch is sent again after the next reconnect (idempotent storage).
      this.#log.warn({ err, id }, 'outbox could not delete an acknowledged batch');
    }
  }

  holds(device: string): boolean {
    if (this.#q.closed) return false;
    return this.#q.oldest(this.#q.rows).some((m) => m.device === device);
  }

  lastId(): number {
    return this.#q.lastId();
  }

  markReplayed(count: number): void {
    this.#stats.replayed += count;
  }

  stats(now: number): OutboxStats {
    const storage = this.#q.stats(now);
    const c = (name: DropCounter) => this.#q.counter(name);
    return {
      messages: storage.rows,
      bytes: storage.bytes,
      oldestAgeMs: storage.oldestAgeMs,
      dropped: c('dropped'),
      droppedSamples: c('droppedSamples'),
      droppedDelivered: c('droppedDelivered'),
      droppedDeliveredSamples: c('droppedDeliveredSamples'),
      droppedCorrupt: c('droppedCorrupt'),
      ...this.#stats,
      storage,
    };
  }

  close(): Promise<void> {
    return this.#q.close();
  }

  #stored(r: AppendResult): OutboxEntry {
    this.#stats.appended++;
    this.#report(r.dropped);
    return r.entry;
  }

  /** Inside the append transaction: drops the oldest batches, never `keepId`, until the bound holds. */
  #dropToBound(keepId: number): EntryMeta[] {
    const q = this.#q;
    const dropped: EntryMeta[] = [];
    while (q.bytes > q.maxBytes && q.rows > 1) {
      let upTo: number | undefined;
      let bytes = q.bytes;
      let rows = q.rows;
      for (const r of q.oldest(64)) {
        if (r.id === keepId || !(bytes > q.maxBytes && rows > 1)) break;
        upTo = r.id;
        bytes -= r.bytes;
        rows--;
      }
      if (upTo === undefined) break;
      dropped.push(...q.deleteUpTo(upTo));
    }
    return this.#countDrops(dropped);
  }

  #countDrops(dropped: EntryMeta[]): EntryMeta[] {
    if (dropped.length === 0) return dropped;
    let samples = 0;
    for (const r of dropped) {
      samples += r.count;
      this.#droppedIds.add(r.id, r.count);
    }
    this.#add({ dropped: dropped.length, droppedSamples: samples });
    return dropped;
  }

  /** After the commit: tells the owner about each dropped batch, oldest first. */
  #report(dropped: readonly EntryMeta[]): void {
    for (const r of dropped) {
      this.#onDrop({
        id: r.id,
        device: r.device,
        samples: r.count,
        bytes: r.bytes,
        createdAt: r.createdAt,
        reason: 'full',
      });
    }
  }

  #dropCorrupt(r: EntryMeta, err: Error): void {
    try {
      this.#q.delete(r.id);
      this.#add({ droppedCorrupt: 1 });
    } catch (delErr) {
      this.#log.error({ err: delErr, id: r.id }, 'outbox could not delete a damaged batch');
    }
    this.#log.error({ id: r.id, device: r.device, err: err.message }, 'outbox batch unreadable; dropped');
    this.#onDrop({
      id: r.id,
      device: r.device,
      samples: 0,
      bytes: r.bytes,
      createdAt: r.createdAt,
      reason: 'corrupt',
    });
  }

  #add(delta: Partial<Record<DropCounter, number>>): void {
    const next: Record<string, number> = {};
    for (const [name, n] of Object.entries(delta)) next[name] = this.#q.counter(name) + (n ?? 0);
    this.#q.setCounters(next);
  }
}

interface AppendResult {
  entry: OutboxEntry;
  dropped: EntryMeta[];
}
