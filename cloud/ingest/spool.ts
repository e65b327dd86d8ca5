import type { Logger } from '../../config/logging.js';
import {
  DurableQueue,
  type DurableQueueStats,
  type QueueSync,
  type QueueTable,
} from '../../protocols/durable-queue/index.js';
import { PlantpulseError } from '../../protocols/errors.js';
import type { LineBlock } from '../sink/line-block.js';
import { type FieldType, type FieldTypeStore, isFieldType } from './field-types.js';
import { rowText } from './spool-line-codec.js';

export interface SpoolBatch {
  /** the newest row in the batch: `remove(upToId)` after it is written */
  upToId: number;
  rows: number;
  /** one block per row: its lines as stored, for the sink to concatenate */
  blocks: LineBlock[];
  lines: number;
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
  /** the durable queue under the spool: file and WAL size, recoveries, checkpoints */
  storage: DurableQueueStats;
}

/** `spool.sync`: full (default) fsyncs before a message counts as spooled, i.e. before its PUBACK (`QueueSync`). */
export type SpoolSync = QueueSync;

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

type LineColumns = {
  /** the message's lines, `\n`-joined line protocol (`spool-line-codec.ts`) */
  body: string;
};

/** The spool's tables, as they have been on disk since the first release (existing files keep their messages). */
const LINES: QueueTable<LineColumns, never> = {
  name: 'lines',
  create: `CREATE TABLE IF NOT EXISTS lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    count INTEGER NOT NULL,
    body TEXT NOT NULL
  )`,
  columns: ['body'],
  meta: [],
};
const FIELD_TYPES = `
CREATE TABLE IF NOT EXISTS field_types (
  measurement TEXT NOT NULL,
  field TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (measurement, field)
);
`;

/** Per-row overhead counted against the byte bound on top of the body. */
const ROW_OVERHEAD = 32;

/**
 * The ingester's disk spool (docs/architecture.md#delivery-contract), on the shared durable queue
 * (`protocols/durable-queue`: SQLite WAL, fsync policy, damaged-file recovery, checkpoints). What is the spool's
 * own: one row per MQTT message holding its lines, committed before the message is acknowledged; drained oldest
 * first in batches of whole messages and deleted only after the write; at the byte bound `waitForRoom` holds the
 * handler (and so the PUBACK and the next message) — back-pressure on the broker, never a drop. The file also
 * keeps the field type registry.
 */
export class Spool implements FieldTypeStore {
  readonly #q: DurableQueue<LineColumns>;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #saveType: ReturnType<DurableQueue<LineColumns>['prepare']>;
  #roomWaiters: (() => void)[] = [];
  #backPressure = false;
  readonly #appendListeners: (() => void)[] = [];
  readonly #stats = { appended: 0, drained: 0, waits: 0, storeFailures: 0 };
  /** field types learnt this turn, persisted together (`save`) */
  #pendingTypes: [string, string, FieldType][] = [];

  private constructor(q: DurableQueue<LineColumns>, o: SpoolOptions) {
    this.#q = q;
    this.#log = o.log;
    this.#clock = o.clock ?? Date.now;
    this.#saveType = q.prepare(
      'INSERT INTO field_types (measurement, field, type) VALUES (?, ?, ?) ON CONFLICT(measurement, field) DO UPDATE SET type = excluded.type',
    );
  }

  /** Opens (or creates) the spool file; a damaged one is moved aside (`.corrupt-<time>`) and logged. */
  static open(o: SpoolOptions): Spool {
    const q = DurableQueue.open<LineColumns>({
      file: o.file,
      name: 'spool',
      table: LINES,
      schema: FIELD_TYPES,
      maxBytes: o.maxBytes,
      log: o.log,
      ...(o.sync === undefined ? {} : { sync: o.sync }),
      ...(o.clock === undefined ? {} : { clock: o.clock }),
    });
    return new Spool(q, o);
  }

  get full(): boolean {
    return this.#q.full;
  }

  get isEmpty(): boolean {
    return this.#q.rows === 0;
  }

  get pendingMessages(): number {
    return this.#q.rows;
  }

  get pendingLines(): number {
    return this.#q.items;
  }

  /** bytes of the rows waiting (as counted against the bound) */
  get pendingBytes(): number {
    return this.#q.bytes;
  }

  /** Resolves once there is room (immediately when there is); rejects with the signal's reason. */
  waitForRoom(signal: AbortSignal): Promise<void> {
    if (!this.full) return Promise.resolve();
    signal.throwIfAborted();
    this.#stats.waits++;
    if (!this.#backPressure) {
      this.#backPressure = true;
      this.#log.warn(
        { bytes: this.#q.bytes, maxBytes: this.#q.maxBytes, messages: this.#q.rows },
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

  /**
   * Commits one message's lines (line protocol, `\n`-joined); returns the row's id (undefined for no lines: nothing
   * to store). Throws SpoolError when they cannot be stored (the message is then not acked).
   */
  append(block: LineBlock): number | undefined {
    return this.appendGroup([block])[0];
  }

  /**
   * Commits several messages in one transaction — one fsync for the group (group commit) — one row each, in order;
   * returns their ids (undefined for a message without lines). All or none: throws SpoolError when they cannot be
   * stored.
   */
  appendGroup(blocks: readonly LineBlock[]): (number | undefined)[] {
    if (this.#q.closed) throw new SpoolError('spool closed');
    const now = this.#clock();
    const ids: (number | undefined)[] = [];
    try {
      this.#appendAll(blocks, now, ids);
    } catch (err) {
      this.#stats.storeFailures++;
      throw new SpoolError((err as Error).message, { cause: err });
    }
    let stored = 0;
    for (const id of ids) if (id !== undefined) stored++;
    if (stored === 0) return ids;
    this.#stats.appended += stored;
    for (const l of this.#appendListeners) l();
    return ids;
  }

  readonly #appendAll = (blocks: readonly LineBlock[], now: number, ids: (number | undefined)[]): void => {
    const one = (b: LineBlock) =>
      b.lines === 0
        ? undefined
        : this.#q.append(now, b.text.length + ROW_OVERHEAD, b.lines, { body: b.text });
    if (blocks.length === 1) {
      ids.push(one(blocks[0] as LineBlock));
      return;
    }
    this.#q.transaction(() => {
      for (const b of blocks) ids.push(one(b));
    })();
  };

  onAppend(listener: () => void): void {
    this.#appendListeners.push(listener);
  }

  /** The oldest rows, whole, up to about `maxLines` lines (at least one row when not empty). */
  peek(maxLines: number, maxBytes = Number.POSITIVE_INFINITY): SpoolBatch | undefined {
    if (this.#q.closed || this.#q.rows === 0) return undefined;
    const blocks: LineBlock[] = [];
    const damaged: string[] = [];
    let upToId = 0;
    let rows = 0;
    let lines = 0;
    let bytes = 0;
    // rows hold at least one line each, so maxLines rows are always enough; iterate: stop reading once full
    for (const r of this.#q.iterate(0, Math.max(1, maxLines))) {
      if (rows > 0 && (lines + r.count > maxLines || bytes + r.body.length > maxBytes)) break;
      bytes += r.body.length;
      const text = rowText(r.body);
      if (text === undefined) damaged.push(r.body);
      else {
        blocks.push({ text, lines: r.count });
        lines += r.count;
      }
      upToId = r.id;
      rows++;
    }
    return rows === 0 ? undefined : { upToId, rows, blocks, lines, damaged };
  }

  /** Deletes every row up to and including `upToId` (written or dead-lettered); not fsynced on its own. */
  remove(upToId: number): void {
    if (this.#q.closed) return;
    this.#stats.drained += this.#q.deleteUpTo(upToId).length;
    if (!this.full) {
      if (this.#backPressure) {
        this.#backPressure = false;
        this.#log.info({ bytes: this.#q.bytes, messages: this.#q.rows }, 'spool has room again');
      }
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  stats(): SpoolStats {
    const storage = this.#q.stats(this.#clock());
    return {
      messages: storage.rows,
      lines: storage.items,
      bytes: storage.bytes,
      oldestAgeMs: storage.oldestAgeMs,
      ...this.#stats,
      storage,
    };
  }

  /** ms since the oldest waiting row was spooled (0 when empty) */
  oldestAgeMs(): number {
    const oldest = this.#q.oldestCreatedAt();
    return oldest === undefined ? 0 : Math.max(0, this.#clock() - oldest);
  }

  // FieldTypeStore
  load(): [string, string, FieldType][] {
    const rows = this.#q.prepare('SELECT measurement, field, type FROM field_types').all() as {
      measurement: string;
      field: string;
      type: string;
    }[];
    return rows.filter((r) => isFieldType(r.type)).map((r) => [r.measurement, r.field, r.type as FieldType]);
  }

  /**
   * Persists a field's type after the current turn, together with the others learnt meanwhile: one transaction
   * (one fsync) for the 50 new fields of a device's first message instead of one each (issue 16 profile: ~0.3 s of
   * the ingest bench's 4.4 s). Still before the rows of that message, whose group commit comes after this turn too.
   */
  save(measurement: string, field: string, type: FieldType): void {
    if (this.#q.closed) return;
    this.#pendingTypes.push([measurement, field, type]);
    if (this.#pendingTypes.length === 1) setImmediate(() => this.#saveTypes());
  }

  #saveTypes(): void {
    const types = this.#pendingTypes;
    this.#pendingTypes = [];
    if (types.length === 0 || this.#q.closed) return;
    try {
      this.#q.transaction(() => {
        for (const [m, f, t] of types) this.#saveType.run(m, f, t);
      })();
    } catch (err) {
      const [m, f] = types[0] ?? [];
      this.#log.warn({ err, types: types.length, measurement: m, field: f }, 'field types not persisted');
    }
  }

  close(): Promise<void> {
    this.#saveTypes();
    return this.#q.close();
  }
}
