import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../config/logging.js';
import { PlantpulseError } from '../../protocols/errors.js';
import { type FieldType, type FieldTypeStore, isFieldType } from './field-types.js';

/** One line of line protocol as spooled, with its fields' types (what the sink needs to attribute refusals). */
export interface SpoolLine {
  line: string;
  types: Record<string, FieldType>;
}

export interface SpoolBatch {
  /** the newest row in the batch: `remove(upToId)` after it is written */
  upToId: number;
  rows: number;
  lines: SpoolLine[];
  /** rows that could not be read back (a damaged file): dead-letter their raw text */
  damaged: string[];
}

export interface SpoolStats {
  /** messages (rows) waiting */
  messages: number;
  lines: number;
  bytes: number;
  oldestAgeMs: number;
  appended: number;
  drained: number;
  /** times an append had to wait for room (back-pressure on the broker) */
  waits: number;
  storeFailures: number;
}

/**
 * full (default): fsync before a message counts as spooled, i.e. before its PUBACK; normal: fsync about every second
 * (an ingester host's power loss may lose about the last second of acknowledged messages; `kill -9` loses nothing).
 */
export type SpoolSync = 'full' | 'normal';

export interface SpoolOptions {
  file: string;
  maxBytes: number;
  sync?: SpoolSync;
  log: Logger;
  clock?: () => number;
}

/** The spool could not store a message (disk full, I/O error, closed): code SPOOL_WRITE_FAILED, retryable. */
export class SpoolError extends PlantpulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SPOOL_WRITE_FAILED', message, { ...options, retryable: true });
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS lines (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  count INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS field_types (
  measurement TEXT NOT NULL,
  field TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (measurement, field)
);
`;

type Compact = [string, Record<string, string>];
const T_OUT: Record<FieldType, string> = {
  float: 'f',
  integer: 'i',
  unsigned: 'u',
  string: 's',
  boolean: 'b',
};
const T_IN: Record<string, FieldType> = {
  f: 'float',
  i: 'integer',
  u: 'unsigned',
  s: 'string',
  b: 'boolean',
};

/**
 * The ingester's disk spool (docs/architecture.md#delivery-contract): the points of each MQTT message are
 * committed here before the message is acknowledged, and a drainer writes them to InfluxDB in order, in
 * batches, deleting only after the write. SQLite in WAL mode, one row per message. Bounded by bytes:
 * `waitForRoom` blocks the handler (and so the PUBACK and the next message) while it is full — back-pressure
 * on the broker, never a drop.
 */
export class Spool implements FieldTypeStore {
  readonly #db: Database.Database;
  readonly #o: SpoolOptions;
  readonly #clock: () => number;
  readonly #st: {
    insert: Database.Statement<[number, number, number, string]>;
    head: Database.Statement<[number], { id: number; count: number; body: string }>;
    removeUpTo: Database.Statement<[number], { bytes: number; count: number }>;
    oldest: Database.Statement<[], { created_at: number }>;
    saveType: Database.Statement<[string, string, string]>;
  };
  #messages = 0;
  #lines = 0;
  #bytes = 0;
  #closed = false;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #roomWaiters: (() => void)[] = [];
  #backPressure = false;
  #appendListeners: (() => void)[] = [];
  readonly #stats = { appended: 0, drained: 0, waits: 0, storeFailures: 0 };

  private constructor(db: Database.Database, o: SpoolOptions) {
    this.#db = db;
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
    this.#st = {
      insert: db.prepare('INSERT INTO lines (created_at, bytes, count, body) VALUES (?, ?, ?, ?)'),
      head: db.prepare('SELECT id, count, body FROM lines ORDER BY id LIMIT ?'),
      removeUpTo: db.prepare('DELETE FROM lines WHERE id <= ? RETURNING bytes, count'),
      oldest: db.prepare('SELECT created_at FROM lines ORDER BY id LIMIT 1'),
      saveType: db.prepare(
        'INSERT INTO field_types (measurement, field, type) VALUES (?, ?, ?) ON CONFLICT(measurement, field) DO UPDATE SET type = excluded.type',
      ),
    };
    const t = db
      .prepare('SELECT count(*) AS n, coalesce(sum(count), 0) AS l, coalesce(sum(bytes), 0) AS b FROM lines')
      .get() as {
      n: number;
      l: number;
      b: number;
    };
    this.#messages = t.n;
    this.#lines = t.l;
    this.#bytes = t.b;
  }

  /** Opens (or creates) the spool file; a damaged one is moved aside (`.corrupt-<time>`) and logged. */
  static open(o: SpoolOptions): Spool {
    mkdirSync(dirname(o.file), { recursive: true });
    let db: Database.Database;
    try {
      db = openDb(o.file, o.sync ?? 'full');
    } catch (err) {
      if (!existsSync(o.file)) throw err;
      const aside = `${o.file}.corrupt-${Date.now()}`;
      o.log.error(
        { err, file: o.file, movedTo: aside },
        'spool database unreadable; moved aside, starting empty',
      );
      for (const ext of ['', '-wal', '-shm'])
        if (existsSync(o.file + ext)) renameSync(o.file + ext, aside + ext);
      db = openDb(o.file, o.sync ?? 'full');
    }
    const spool = new Spool(db, o);
    if ((o.sync ?? 'full') === 'normal') {
      spool.#checkpointTimer = setInterval(() => spool.#checkpoint(), 1000);
      spool.#checkpointTimer.unref();
    }
    if (spool.#messages > 0) {
      o.log.info(
        { messages: spool.#messages, lines: spool.#lines },
        'spool holds data from before the restart',
      );
    }
    return spool;
  }

  get full(): boolean {
    return this.#bytes >= this.#o.maxBytes;
  }

  get isEmpty(): boolean {
    return this.#messages === 0;
  }

  get pendingMessages(): number {
    return this.#messages;
  }

  get pendingLines(): number {
    return this.#lines;
  }

  /** Resolves once there is room (immediately when there is); rejects with the signal's reason. */
  waitForRoom(signal: AbortSignal): Promise<void> {
    if (!this.full) return Promise.resolve();
    signal.throwIfAborted();
    this.#stats.waits++;
    if (!this.#backPressure) {
      this.#backPressure = true;
      this.#o.log.warn(
        { bytes: this.#bytes, maxBytes: this.#o.maxBytes, messages: this.#messages },
        'spool full: messages wait at the broker until InfluxDB catches up (back-pressure)',
      );
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#roomWaiters = this.#roomWaiters.filter((w) => w !== wake);
        reject(signal.reason);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#roomWaiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Commits one message's lines. Throws SpoolError when they cannot be stored (the message is then not acked). */
  append(lines: readonly SpoolLine[]): void {
    if (lines.length === 0) return;
    if (this.#closed) throw new SpoolError('spool closed');
    const body = JSON.stringify(lines.map((l): Compact => [l.line, compactTypes(l.types)]));
    const bytes = body.length + 32;
    try {
      this.#st.insert.run(this.#clock(), bytes, lines.length, body);
    } catch (err) {
      this.#stats.storeFailures++;
      throw new SpoolError(`spool write failed: ${(err as Error).message}`, { cause: err });
    }
    this.#messages++;
    this.#lines += lines.length;
    this.#bytes += bytes;
    this.#stats.appended++;
    for (const l of this.#appendListeners) l();
  }

  onAppend(listener: () => void): void {
    this.#appendListeners.push(listener);
  }

  /** The oldest rows, whole, up to about `maxLines` lines (at least one row when not empty). */
  peek(maxLines: number): SpoolBatch | undefined {
    if (this.#closed || this.#messages === 0) return undefined;
    const out: SpoolLine[] = [];
    const damaged: string[] = [];
    let upToId = 0;
    let rows = 0;
    // rows hold at least one line each, so maxLines rows are always enough; iterate: stop reading once full
    for (const r of this.#st.head.iterate(Math.max(1, maxLines))) {
      if (rows > 0 && out.length + r.count > maxLines) break;
      const parsed = parseBody(r.body);
      if (parsed) out.push(...parsed);
      else damaged.push(r.body);
      upToId = r.id;
      rows++;
    }
    return rows === 0 ? undefined : { upToId, rows, lines: out, damaged };
  }

  /** Deletes every row up to and including `upToId` (written or dead-lettered). */
  remove(upToId: number): void {
    if (this.#closed) return;
    const pragmaOff = (this.#o.sync ?? 'full') === 'full';
    // deleting need not be fsynced: a lost delete only writes those lines again (idempotent overwrite)
    if (pragmaOff) this.#db.pragma('synchronous = NORMAL');
    try {
      const removed = this.#st.removeUpTo.all(upToId);
      for (const r of removed) {
        this.#messages--;
        this.#lines -= r.count;
        this.#bytes -= r.bytes;
      }
      this.#stats.drained += removed.length;
    } finally {
      if (pragmaOff) this.#db.pragma('synchronous = FULL');
    }
    if (!this.full) {
      if (this.#backPressure) {
        this.#backPressure = false;
        this.#o.log.info({ bytes: this.#bytes, messages: this.#messages }, 'spool has room again');
      }
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  stats(): SpoolStats {
    const oldest = this.#closed ? undefined : this.#st.oldest.get();
    return {
      messages: this.#messages,
      lines: this.#lines,
      bytes: this.#bytes,
      oldestAgeMs: oldest ? Math.max(0, this.#clock() - oldest.created_at) : 0,
      ...this.#stats,
    };
  }

  /** ms since the oldest waiting row was spooled (0 when empty) */
  oldestAgeMs(): number {
    const oldest = this.#closed ? undefined : this.#st.oldest.get();
    return oldest ? Math.max(0, this.#clock() - oldest.created_at) : 0;
  }

  // FieldTypeStore
  load(): [string, string, FieldType][] {
    const rows = this.#db.prepare('SELECT measurement, field, type FROM field_types').all() as {
      measurement: string;
      field: string;
      type: string;
    }[];
    return rows.filter((r) => isFieldType(r.type)).map((r) => [r.measurement, r.field, r.type as FieldType]);
  }

  save(measurement: string, field: string, type: FieldType): void {
    if (this.#closed) return;
    try {
      this.#st.saveType.run(measurement, field, type);
    } catch (err) {
      this.#o.log.warn({ err, measurement, field }, 'field type not persisted');
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#checkpointTimer) clearInterval(this.#checkpointTimer);
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.#o.log.warn({ err }, 'spool checkpoint on close failed');
    }
    this.#db.close();
  }

  #checkpoint(): void {
    try {
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      this.#o.log.warn({ err }, 'spool checkpoint failed');
    }
  }
}

function parseBody(body: string): SpoolLine[] | undefined {
  try {
    const rows = JSON.parse(body) as unknown;
    if (!Array.isArray(rows)) return undefined;
    const out: SpoolLine[] = [];
    for (const r of rows) {
      if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'object' || r[1] === null)
        return undefined;
      out.push({ line: r[0], types: expandTypes(r[1] as Record<string, string>) });
    }
    return out;
  } catch {
    return undefined;
  }
}

function compactTypes(t: Record<string, FieldType>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(t)) out[k] = T_OUT[v];
  return out;
}

function expandTypes(t: Record<string, string>): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  for (const [k, v] of Object.entries(t)) out[k] = T_IN[v] ?? 'float';
  return out;
}

function openDb(file: string, sync: SpoolSync): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
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
