import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../config/logging.js';
import type { Sample } from '../../protocols/sample.js';
import { DroppedIds } from './dropped-ids.js';
import type { Outbox, OutboxDrop, OutboxEntry, OutboxStats } from './outbox.js';
import { decodeSamples, encodeSamples, SampleDecodeError } from './sample-codec.js';

/**
 * How hard `append` works to survive power loss (docs/delivery.md):
 * - `full` (default): the write-ahead log is fsynced before `append` returns: a stored batch survives `kill -9`
 *   and power loss.
 * - `normal`: no fsync at append; survives `kill -9` (the WAL is in the OS page cache); a checkpoint every
 *   second fsyncs the WAL, so power loss may lose the batches of about the last second (never corrupts the file).
 * Acknowledgements are never fsynced on their own: losing one only means that batch is sent again (storage is
 * idempotent), and the next fsynced append persists it anyway.
 */
export type OutboxSync = 'full' | 'normal';

export interface SqliteOutboxOptions {
  /** the database file, e.g. /var/lib/plantpulse/outbox/outbox.db (its directory is created) */
  file: string;
  maxBytes: number;
  sync?: OutboxSync;
  log: Logger;
  onDrop?: (drop: OutboxDrop) => void;
}

interface Row {
  id: number;
  device: string;
  created_at: number;
  bytes: number;
  samples: string;
}

interface DropRow {
  id: number;
  device: string;
  created_at: number;
  bytes: number;
  count: number;
}

/** Per-row overhead counted against the byte bound on top of the encoded samples (row header, index entry). */
const ROW_OVERHEAD = 48;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  count INTEGER NOT NULL,
  samples TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/**
 * The durable outbox: SQLite in WAL mode (better-sqlite3, synchronous calls, so `append` returns only once the
 * batch is committed). FIFO by an AUTOINCREMENT id (ids never repeat, even after the outbox empties); bounded by
 * bytes, dropping the oldest batches in the same transaction that stores the new one; drop counters persist across
 * restarts. A damaged database is moved aside (`.corrupt-<time>`) and a new one started, logged as an error.
 */
export class SqliteOutbox implements Outbox {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #maxBytes: number;
  readonly #log: Logger;
  readonly #onDrop: (drop: OutboxDrop) => void;
  readonly #sync: OutboxSync;
  readonly #st: {
    insert: Database.Statement<[string, number, number, number, string]>;
    after: Database.Statement<[number, number], Row>;
    del: Database.Statement<[number]>;
    ackDel: Database.Statement<[number], { bytes: number }>;
    oldest: Database.Statement<[number], DropRow>;
    delUpTo: Database.Statement<[number]>;
    oldestTime: Database.Statement<[], { created_at: number }>;
    setCounter: Database.Statement<[string, number]>;
  };
  readonly #appendTx: (device: string, samples: Sample[], text: string, now: number) => OutboxEntry;
  #messages = 0;
  #bytes = 0;
  #lastId = 0;
  #closed = false;
  readonly #droppedIds = new DroppedIds();
  #checkpointTimer: NodeJS.Timeout | undefined;
  readonly #stats = {
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

  private constructor(db: Database.Database, opts: SqliteOutboxOptions) {
    this.#db = db;
    this.#maxBytes = opts.maxBytes;
    this.#log = opts.log;
    this.#onDrop = opts.onDrop ?? (() => undefined);
    this.#sync = opts.sync ?? 'full';
    this.#st = {
      insert: db.prepare(
        'INSERT INTO entries (device, created_at, bytes, count, samples) VALUES (?, ?, ?, ?, ?)',
      ),
      after: db.prepare(
        'SELECT id, device, created_at, bytes, samples FROM entries WHERE id > ? ORDER BY id LIMIT ?',
      ),
      del: db.prepare('DELETE FROM entries WHERE id = ?'),
      ackDel: db.prepare('DELETE FROM entries WHERE id = ? RETURNING bytes'),
      oldest: db.prepare('SELECT id, device, created_at, bytes, count FROM entries ORDER BY id LIMIT ?'),
      delUpTo: db.prepare('DELETE FROM entries WHERE id <= ?'),
      oldestTime: db.prepare('SELECT created_at FROM entries ORDER BY id LIMIT 1'),
      setCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      ),
    };
    this.#appendTx = db.transaction((device: string, samples: Sample[], text: string, now: number) => {
      const bytes = text.length + device.length + ROW_OVERHEAD;
      const info = this.#st.insert.run(device, now, bytes, samples.length, text);
      const id = Number(info.lastInsertRowid);
      this.#messages++;
      this.#bytes += bytes;
      this.#lastId = id;
      if (this.#bytes > this.#maxBytes && this.#messages > 1) this.#dropOldest(id);
      return { id, device, samples, createdAt: now, bytes };
    });

    const totals = db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM entries').get() as {
      n: number;
      b: number;
    };
    this.#messages = totals.n;
    this.#bytes = totals.b;
    const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").get() as
      | { seq: number }
      | undefined;
    this.#lastId = seq?.seq ?? 0;
    for (const r of db.prepare('SELECT name, value FROM counters').all() as {
      name: string;
      value: number;
    }[]) {
      if (r.name === 'dropped') this.#stats.dropped = r.value;
      else if (r.name === 'droppedSamples') this.#stats.droppedSamples = r.value;
      else if (r.name === 'droppedCorrupt') this.#stats.droppedCorrupt = r.value;
      else if (r.name === 'droppedDelivered') this.#stats.droppedDelivered = r.value;
      else if (r.name === 'droppedDeliveredSamples') this.#stats.droppedDeliveredSamples = r.value;
    }
  }

  /** Opens (or creates) the outbox file. Synchronous; throws only when no database can be created at all. */
  static open(opts: SqliteOutboxOptions): SqliteOutbox {
    mkdirSync(dirname(opts.file), { recursive: true });
    let db: Database.Database;
    try {
      db = openDb(opts.file, opts.sync ?? 'full');
    } catch (err) {
      if (!existsSync(opts.file)) throw err;
      const aside = `${opts.file}.corrupt-${Date.now()}`;
      opts.log.error(
        { err, file: opts.file, movedTo: aside },
        'outbox database unreadable; moved aside, starting an empty outbox (its batches are lost)',
      );
      for (const ext of ['', '-wal', '-shm']) {
        if (existsSync(opts.file + ext)) renameSync(opts.file + ext, aside + ext);
      }
      db = openDb(opts.file, opts.sync ?? 'full');
    }
    const box = new SqliteOutbox(db, opts);
    if (box.#sync === 'normal') {
      box.#checkpointTimer = setInterval(() => box.#checkpoint(), 1000);
      box.#checkpointTimer.unref();
    }
    if (box.#messages > 0) {
      opts.log.info(
        { messages: box.#messages, bytes: box.#bytes },
        'outbox holds batches from before the restart',
      );
    }
    return box;
  }

  append(device: string, samples: Sample[], now: number): OutboxEntry | undefined {
    if (this.#closed) {
      this.#stats.storeFailures++;
      return undefined;
    }
    const text = encodeSamples(samples);
    try {
      const e = this.#appendTx(device, samples, text, now);
      this.#stats.appended++;
      return e;
    } catch (err) {
      // Disk full or an I/O error. Make room once by dropping the oldest tenth, then give up on this batch.
      this.#resync();
      let failure: unknown = err;
      if (isDiskFull(err) && this.#messages > 0) {
        try {
          const last = this.#st.oldest.all(Math.max(1, Math.ceil(this.#messages / 10))).at(-1);
          if (last) this.#db.transaction(() => this.#dropOldest(Number.MAX_SAFE_INTEGER, last.id))();
          const e = this.#appendTx(device, samples, text, now);
          this.#stats.appended++;
          return e;
        } catch (err2) {
          this.#resync();
          failure = err2;
        }
      }
      this.#stats.storeFailures++;
      this.#log.error(
        { err: failure, device, samples: samples.length },
        'outbox write failed; batch not stored',
      );
      return undefined;
    }
  }

  peekAfter(afterId: number, limit: number): OutboxEntry[] {
    if (this.#closed || limit <= 0) return [];
    const out: OutboxEntry[] = [];
    let cursor = afterId;
    while (out.length < limit) {
      let rows: Row[];
      try {
        rows = this.#st.after.all(cursor, limit - out.length);
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
            createdAt: r.created_at,
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
    if (this.#closed) return;
    if (this.#sync === 'full') this.#db.pragma('synchronous = NORMAL');
    try {
      const row = this.#st.ackDel.get(id);
      if (!row) {
        const n = this.#droppedIds.take(id);
        if (n !== undefined) {
          this.#stats.droppedDelivered++;
          this.#stats.droppedDeliveredSamples += n;
          this.#st.setCounter.run('droppedDelivered', this.#stats.droppedDelivered);
          this.#st.setCounter.run('droppedDeliveredSamples', this.#stats.droppedDeliveredSamples);
        }
        return;
      }
      this.#messages--;
      this.#bytes -= row.bytes;
      this.#stats.acked++;
    } catch (err) {
      // Not fatal: the batch is sent again after the next reconnect (idempotent storage).
      this.#log.warn({ err, id }, 'outbox could not delete an acknowledged batch');
    } finally {
      if (this.#sync === 'full') this.#db.pragma('synchronous = FULL');
    }
  }

  lastId(): number {
    return this.#lastId;
  }

  markReplayed(count: number): void {
    this.#stats.replayed += count;
  }

  stats(now: number): OutboxStats {
    let oldest: { created_at: number } | undefined;
    try {
      oldest = this.#closed ? undefined : this.#st.oldestTime.get();
    } catch {
      oldest = undefined; // reported through the read/append errors, not here
    }
    return {
      messages: this.#messages,
      bytes: this.#bytes,
      oldestAgeMs: oldest ? Math.max(0, now - oldest.created_at) : 0,
      ...this.#stats,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#checkpointTimer) clearInterval(this.#checkpointTimer);
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.#log.warn({ err }, 'outbox checkpoint on close failed');
    }
    this.#db.close();
  }

  /** Inside a transaction: drop the oldest batches (never `keepId`) until the bound holds, or up to `upToId`. */
  #dropOldest(keepId: number, upToId?: number): void {
    let lastDropped = 0;
    const dropped: DropRow[] = [];
    while (upToId !== undefined ? lastDropped < upToId : this.#bytes > this.#maxBytes && this.#messages > 1) {
      const rows = this.#st.oldest.all(64);
      let progressed = false;
      for (const r of rows) {
        if (r.id === keepId) break;
        if (upToId !== undefined ? r.id > upToId : !(this.#bytes > this.#maxBytes && this.#messages > 1))
          break;
        lastDropped = r.id;
        this.#st.delUpTo.run(r.id);
        this.#messages--;
        this.#bytes -= r.bytes;
        this.#stats.dropped++;
        this.#stats.droppedSamples += r.count;
        this.#droppedIds.add(r.id, r.count);
        dropped.push(r);
        progressed = true;
      }
      if (!progressed) break;
    }
    if (dropped.length === 0) return;
    this.#st.setCounter.run('dropped', this.#stats.dropped);
    this.#st.setCounter.run('droppedSamples', this.#stats.droppedSamples);
    for (const r of dropped) {
      this.#onDrop({
        id: r.id,
        device: r.device,
        samples: r.count,
        bytes: r.bytes,
        createdAt: r.created_at,
        reason: 'full',
      });
    }
  }

  #dropCorrupt(r: Row, err: Error): void {
    try {
      this.#st.del.run(r.id);
      this.#messages--;
      this.#bytes -= r.bytes;
      this.#stats.droppedCorrupt++;
      this.#st.setCounter.run('droppedCorrupt', this.#stats.droppedCorrupt);
    } catch (delErr) {
      this.#log.error({ err: delErr, id: r.id }, 'outbox could not delete a damaged batch');
    }
    this.#log.error({ id: r.id, device: r.device, err: err.message }, 'outbox batch unreadable; dropped');
    this.#onDrop({
      id: r.id,
      device: r.device,
      samples: 0,
      bytes: r.bytes,
      createdAt: r.created_at,
      reason: 'corrupt',
    });
  }

  #checkpoint(): void {
    try {
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      this.#log.warn({ err }, 'outbox checkpoint failed');
    }
  }

  /** After a failed transaction the in-memory totals may be off: read them back. */
  #resync(): void {
    try {
      const t = this.#db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM entries').get() as {
        n: number;
        b: number;
      };
      this.#messages = t.n;
      this.#bytes = t.b;
    } catch {
      // leave the totals as they are; the next successful statement corrects nothing, but nothing is lost either
    }
  }
}

function openDb(file: string, sync: OutboxSync): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    // keep the WAL from growing without bound after a burst (bytes)
    db.pragma('journal_size_limit = 67108864');
    db.exec(SCHEMA);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`quick_check: ${String(check)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE';
}
