import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { QueueWriteError } from './errors.js';
import { applyFileFormat, type FileFormat, hasTable, STAMP_FIRST_RELEASE } from './file-format.js';
import type {
  DurableQueueOptions,
  DurableQueueStats,
  PayloadColumns,
  QueueSync,
  RowMeta,
  SqlValue,
} from './queue-types.js';
import { DamagedFileError, isDiskFull, openSqliteFile, type Recovery } from './sqlite-file.js';

/**
 * The format of a durable queue file (the outbox, the spool): version 1 is the layout since plantpulse 0.1.0 (its
 * table, `counters`, the owner's `schema`). A layout change adds a step here and bumps the version.
 */
export function queueFormat(name: string): FileFormat {
  return { name, version: 1, migrations: [STAMP_FIRST_RELEASE] };
}

const CORE_COLUMNS = ['id', 'created_at', 'bytes', 'count'] as const;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** after a checkpoint, the WAL is truncated to this (bytes); it grows past it only within one large transaction */
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** SQLite's default made explicit: a checkpoint runs once the WAL holds this many pages (about 4 MiB) */
const WAL_AUTOCHECKPOINT_PAGES = 1000;

type Meta<P, M extends keyof P> = RowMeta & Pick<P, M>;
type Row<P> = RowMeta & P;

/**
 * The storage mechanics every durable queue of plantpulse shares (the agent's outbox, the ingester's spool): one
 * SQLite file in WAL mode (better-sqlite3, synchronous calls: a write has reached the file when it returns), opened
 * with damaged-file recovery, the sync policy, WAL checkpointing, FIFO rows by an AUTOINCREMENT id, the byte/row/item
 * accounting of the bound, persisted counters, and the stats a health layer reads. It makes no delivery decision:
 * what leaves when, and what happens at the bound, belong to the queue built on it.
 */
export class DurableQueue<P extends PayloadColumns, M extends keyof P & string = never> {
  readonly file: string;
  readonly sync: QueueSync;
  readonly maxBytes: number;
  readonly #db: Database.Database;
  readonly #log: Logger;
  readonly #name: string;
  readonly #clock: () => number;
  readonly #st: {
    insert: Database.Statement<[Record<string, SqlValue>]>;
    after: Database.Statement<[number, number], Row<P>>;
    oldest: Database.Statement<[number], Meta<P, M>>;
    oldestTime: Database.Statement<[], { created_at: number }>;
    deleteOne: Database.Statement<[number], Meta<P, M>>;
    deleteUpTo: Database.Statement<[number], Meta<P, M>>;
    totals: Database.Statement<[], { n: number; items: number; bytes: number }>;
    setCounter: Database.Statement<[string, number]>;
  };
  readonly #counters = new Map<string, number>();
  readonly #counterRows: Database.Statement<[], { name: string; value: number }>;
  readonly #recovery: Recovery | undefined;
  #rows = 0;
  #items = 0;
  #bytes = 0;
  #lastId = 0;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #stats = { checkpoints: 0, checkpointFailures: 0, writeFailures: 0 };

  private constructor(db: Database.Database, recovery: Recovery | undefined, o: DurableQueueOptions<P, M>) {
    this.#db = db;
    this.#recovery = recovery;
    this.#log = o.log;
    this.#name = o.name;
    this.#clock = o.clock ?? Date.now;
    this.file = o.file;
    this.sync = o.sync ?? 'full';
    this.maxBytes = o.maxBytes;
    const t = o.table.name;
    const metaCols = ['id', 'created_at AS createdAt', 'bytes', 'count', ...o.table.meta].join(', ');
    const allCols = ['id', 'created_at AS createdAt', 'bytes', 'count', ...o.table.columns].join(', ');
    const insertCols = ['created_at', 'bytes', 'count', ...o.table.columns];
    const insertVals = ['@createdAt', '@bytes', '@count', ...o.table.columns.map((c) => `@${c}`)];
    this.#st = {
      insert: db.prepare(`INSERT INTO ${t} (${insertCols.join(', ')}) VALUES (${insertVals.join(', ')})`),
      after: db.prepare(`SELECT ${allCols} FROM ${t} WHERE id > ? ORDER BY id LIMIT ?`),
      oldest: db.prepare(`SELECT ${metaCols} FROM ${t} ORDER BY id LIMIT ?`),
      oldestTime: db.prepare(`SELECT created_at FROM ${t} ORDER BY id LIMIT 1`),
      deleteOne: db.prepare(`DELETE FROM ${t} WHERE id = ? RETURNING ${metaCols}`),
      deleteUpTo: db.prepare(`DELETE FROM ${t} WHERE id <= ? RETURNING ${metaCols}`),
      totals: db.prepare(
        `SELECT count(*) AS n, coalesce(sum(count), 0) AS items, coalesce(sum(bytes), 0) AS bytes FROM ${t}`,
      ),
      setCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      ),
    };
    this.#counterRows = db.prepare('SELECT name, value FROM counters');
    this.#readBack();
    const seq = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(t) as
      | { seq: number }
      | undefined;
    this.#lastId = seq?.seq ?? 0;
  }

  /**
   * Opens (or creates) the queue file. Synchronous. A damaged file is set aside and a fresh queue opened (logged as
   * an error, counted in `recoveries`); throws `QueueOpenError` only when no file can be opened at all.
   */
  static open<P extends PayloadColumns, M extends keyof P & string = never>(
    o: DurableQueueOptions<P, M>,
  ): DurableQueue<P, M> {
    for (const id of [o.table.name, ...o.table.columns]) {
      if (!IDENTIFIER.test(id))
        throw new Error(`durable queue: ${JSON.stringify(id)} is not a plain identifier`);
    }
    const sync = o.sync ?? 'full';
    const { db, recovery } = openSqliteFile({
      file: o.file,
      name: o.name,
      log: o.log,
      ...(o.clock ? { clock: o.clock } : {}),
      setup: (d) => {
        d.pragma('journal_mode = WAL');
        d.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
        d.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
        d.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
        const fresh = !hasTable(d, o.table.name);
        d.exec(o.table.create);
        d.exec('CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
        if (o.schema) d.exec(o.schema);
        const check = d.pragma('quick_check', { simple: true });
        if (check !== 'ok') throw new DamagedFileError(`quick_check: ${String(check)}`);
        const have = new Set(
          (d.pragma(`table_info(${o.table.name})`) as { name: string }[]).map((c) => c.name),
        );
        const missing = [...CORE_COLUMNS, ...o.table.columns].filter((c) => !have.has(c));
        // not damage: a file of another program or version is left as it is (QueueOpenError), never set aside
        if (missing.length > 0)
          throw new Error(
            `table ${o.table.name} lacks column(s) ${missing.join(', ')}: written by another program or version`,
          );
        applyFileFormat(d, o.format ?? queueFormat(o.name), { fresh, log: o.log, file: o.file });
      },
    });
    const q = new DurableQueue<P, M>(db, recovery, o);
    if (q.sync === 'normal') {
      q.#timer = setInterval(() => q.checkpoint(), o.checkpointIntervalMs ?? 1000);
      q.#timer.unref();
    }
    if (q.#rows > 0) {
      o.log.info(
        { rows: q.#rows, items: q.#items, bytes: q.#bytes },
        `${o.name} holds data from before the restart`,
      );
    }
    return q;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rows(): number {
    return this.#rows;
  }

  get items(): number {
    return this.#items;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** at or over the bound */
  get full(): boolean {
    return this.#bytes >= this.maxBytes;
  }

  /** the id of the newest row ever appended (0 when none) */
  lastId(): number {
    return this.#lastId;
  }

  /**
   * Stores one row; when it returns the row is as durable as `sync` promises (unless inside `transaction`: then at
   * its commit). Throws `QueueWriteError` when nothing could be stored.
   */
  append(createdAt: number, bytes: number, count: number, payload: P): number {
    if (this.#closed) throw new QueueWriteError(`${this.#name} closed`);
    let id: number;
    try {
      id = Number(this.#st.insert.run({ ...payload, createdAt, bytes, count }).lastInsertRowid);
    } catch (err) {
      throw this.#writeFailed(err);
    }
    this.#rows++;
    this.#items += count;
    this.#bytes += bytes;
    this.#lastId = id;
    return id;
  }

  /**
   * Runs `fn` as one transaction (nested calls become savepoints). When it throws, nothing of it is stored, the
   * accounting and the counters are read back from the file, and the error is thrown as a `QueueWriteError`.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const tx = this.#db.transaction(fn);
    return (...args: A): R => {
      if (this.#closed) throw new QueueWriteError(`${this.#name} closed`);
      try {
        return tx(...args);
      } catch (err) {
        this.#readBack();
        throw err instanceof QueueWriteError ? err : this.#writeFailed(err);
      }
    };
  }

  /** Up to `limit` rows with id > `afterId`, oldest first. */
  read(afterId: number, limit: number): Row<P>[] {
    if (this.#closed || limit <= 0) return [];
    return this.#st.after.all(afterId, limit);
  }

  /** The same, one row at a time: stop early by leaving the loop (no other statement may run meanwhile). */
  iterate(afterId: number, limit: number): IterableIterator<Row<P>> {
    if (this.#closed || limit <= 0) return [][Symbol.iterator]();
    return this.#st.after.iterate(afterId, limit);
  }

  /** The oldest `limit` rows' metadata, oldest first. */
  oldest(limit: number): Meta<P, M>[] {
    if (this.#closed || limit <= 0) return [];
    return this.#st.oldest.all(limit);
  }

  /** ms since epoch of the oldest row, undefined when empty */
  oldestCreatedAt(): number | undefined {
    if (this.#closed || this.#rows === 0) return undefined;
    return this.#st.oldestTime.get()?.created_at;
  }

  /** Deletes one row; undefined when there is none with that id. Not fsynced on its own (see `QueueSync`). */
  delete(id: number): Meta<P, M> | undefined {
    if (this.#closed) return undefined;
    const row = this.#relaxed(() => this.#st.deleteOne.get(id));
    if (row) this.#removed([row]);
    return row;
  }

  /** Deletes every row up to and including `id`; returns them oldest first. Not fsynced on its own. */
  deleteUpTo(id: number): Meta<P, M>[] {
    if (this.#closed) return [];
    const rows = this.#relaxed(() => this.#st.deleteUpTo.all(id)).sort((a, b) => a.id - b.id);
    this.#removed(rows);
    return rows;
  }

  /** A counter kept in the file (survives restarts); 0 when never set. */
  counter(name: string): number {
    return this.#counters.get(name) ?? 0;
  }

  /**
   * Sets persisted counters, all or none: inside the caller's transaction when there is one (committed with it),
   * otherwise in their own transaction, not fsynced, like deletes (a power cut may lose the last update of a
   * statistic, never a row).
   */
  setCounters(values: Readonly<Record<string, number>>): void {
    if (this.#closed) return;
    const set = () => {
      for (const [name, value] of Object.entries(values)) this.#st.setCounter.run(name, value);
    };
    if (this.#db.inTransaction) set();
    else this.#relaxed(() => this.#db.transaction(set)());
    for (const [name, value] of Object.entries(values)) this.#counters.set(name, value);
  }

  /** A statement on the queue's other tables (the owner's schema). */
  prepare<B extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<B, R> {
    return this.#db.prepare<B, R>(sql);
  }

  /** Copies the WAL into the database file (and fsyncs it). Failures are logged and counted, never thrown. */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): boolean {
    if (this.#closed) return false;
    try {
      this.#db.pragma(`wal_checkpoint(${mode})`);
      this.#stats.checkpoints++;
      return true;
    } catch (err) {
      this.#stats.checkpointFailures++;
      this.#log.warn({ err, file: this.file }, `${this.#name} checkpoint failed`);
      return false;
    }
  }

  stats(now = this.#clock()): DurableQueueStats {
    let oldest: number | undefined;
    try {
      oldest = this.oldestCreatedAt();
    } catch {
      oldest = undefined; // an I/O error: reported where reads and writes fail, not here
    }
    return {
      file: this.file,
      sync: this.sync,
      rows: this.#rows,
      items: this.#items,
      bytes: this.#bytes,
      maxBytes: this.maxBytes,
      oldestAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest),
      fileBytes: sizeOf(this.file),
      walBytes: sizeOf(`${this.file}-wal`),
      recoveries: this.#recovery ? 1 : 0,
      lastRecovery: this.#recovery ?? null,
      ...this.#stats,
    };
  }

  /** Checkpoints the WAL into the file (so a clean stop leaves one file) and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    this.checkpoint('TRUNCATE');
    this.#closed = true;
    this.#db.close();
  }

  #removed(rows: readonly RowMeta[]): void {
    for (const r of rows) {
      this.#rows--;
      this.#items -= r.count;
      this.#bytes -= r.bytes;
    }
  }

  /** A delete need not reach the disk before it returns: in `full` mode, outside a transaction, skip its fsync. */
  #relaxed<R>(f: () => R): R {
    const relax = this.sync === 'full' && !this.#db.inTransaction;
    if (!relax) return f();
    this.#db.pragma('synchronous = NORMAL');
    try {
      return f();
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  #writeFailed(err: unknown): QueueWriteError {
    this.#stats.writeFailures++;
    return new QueueWriteError(`${this.#name} write failed: ${(err as Error).message}`, {
      cause: err,
      diskFull: isDiskFull(err),
    });
  }

  /** The accounting and the counters from the file itself (at open, and after a failed transaction). */
  #readBack(): void {
    try {
      const t = this.#st.totals.get();
      if (t) {
        this.#rows = t.n;
        this.#items = t.items;
        this.#bytes = t.bytes;
      }
      this.#counters.clear();
      for (const r of this.#counterRows.all()) this.#counters.set(r.name, r.value);
    } catch {
      // keep them as they are; the next failure or restart reads them again
    }
  }
}

function sizeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
