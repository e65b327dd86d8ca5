import type { Logger } from 'pino';
import type { FileFormat } from './file-format.js';
import type { Recovery } from './sqlite-file.js';

/**
 * How hard a write works to survive power loss (`outbox.sync`, `spool.sync`; docs/delivery.md):
 * - `full` (default): the write-ahead log is fsynced before a write returns: what was stored survives `kill -9` and
 *   power loss.
 * - `normal`: no fsync per write; survives `kill -9` (the WAL is in the OS page cache); a checkpoint every second
 *   fsyncs the WAL, so power loss may lose about the last second (never corrupts the file).
 * Deletes are never fsynced on their own in either mode: a lost delete only means those rows are handed out again.
 */
export type QueueSync = 'full' | 'normal';

/** A value a payload column holds. */
export type SqlValue = string | number | bigint | Buffer | null;

/** The columns a queue adds to each row, by name (the core owns id, created_at, bytes and count). */
export type PayloadColumns = Record<string, SqlValue>;

/** What the core knows of every row. */
export interface RowMeta {
  /** AUTOINCREMENT: grows with every row and is never reused, even after the queue empties */
  id: number;
  /** ms since epoch, as the queue's owner gave it */
  createdAt: number;
  /** the row's share of the byte bound, as the owner computed it */
  bytes: number;
  /** how many items the row holds (samples of a batch, lines of a message) */
  count: number;
}

export interface QueueTable<P extends PayloadColumns, M extends keyof P & string> {
  /** the table's name in the file (kept as it is on disk: existing files keep working) */
  name: string;
  /**
   * `CREATE TABLE IF NOT EXISTS <name> (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, bytes
   * INTEGER NOT NULL, count INTEGER NOT NULL, …payload columns)`, in whatever column order the file has always had
   */
  create: string;
  /** the payload columns, written by `append` and read back by `read` */
  columns: readonly (keyof P & string)[];
  /** payload columns also returned with row metadata (`oldest`, deletes): small ones, e.g. a device id */
  meta: readonly M[];
}

export interface DurableQueueOptions<P extends PayloadColumns, M extends keyof P & string> {
  /** the database file (its directory is created) */
  file: string;
  /** what the queue is, for logs: 'outbox', 'spool' */
  name: string;
  table: QueueTable<P, M>;
  /** further tables the owner keeps in the same file (CREATE … IF NOT EXISTS) */
  schema?: string;
  /** the byte bound; what happens at it (drop the oldest, wait for room) is the owner's policy */
  maxBytes: number;
  sync?: QueueSync;
  log: Logger;
  clock?: () => number;
  /** sync `normal`: how often a checkpoint fsyncs the WAL (default 1000 ms) */
  checkpointIntervalMs?: number;
  /** the file's format version and migrations (file-format.ts); default `queueFormat(name)` */
  format?: FileFormat;
}

/** What a health or metrics layer reads. */
export interface DurableQueueStats {
  file: string;
  sync: QueueSync;
  rows: number;
  /** items in those rows (samples, lines) */
  items: number;
  /** the rows' bytes as counted against the bound */
  bytes: number;
  maxBytes: number;
  /** age of the oldest row, 0 when empty */
  oldestAgeMs: number;
  /** size of the database file and of its write-ahead log on disk (the file does not shrink; SQLite reuses pages) */
  fileBytes: number;
  walBytes: number;
  /** damaged files set aside by this process (at open) */
  recoveries: number;
  lastRecovery: Recovery | null;
  /** checkpoints the queue ran (timer with sync `normal`, close); SQLite's automatic ones are not counted */
  checkpoints: number;
  checkpointFailures: number;
  /** writes that failed (disk full, I/O error): nothing was stored by them */
  writeFailures: number;
}
