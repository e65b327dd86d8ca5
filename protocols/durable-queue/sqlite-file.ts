import { existsSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { messageOf, QueueOpenError } from './errors.js';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';

/** A damaged file that was set aside so that a fresh one could be opened in its place. */
export interface Recovery {
  /** ms since epoch */
  at: number;
  /** where the damaged file (and its -wal and -shm) now are: `<file>.corrupt-<ms>` */
  movedTo: string;
  /** what was wrong with it */
  reason: string;
}

export interface OpenSqliteFileOptions {
  file: string;
  /** what the file is, for the log: 'outbox', 'spool', 'Sparkplug birth store' */
  name: string;
  log: Logger;
  /**
   * Pragmas, schema and checks on a freshly opened connection. Throws `DamagedFileError` (or lets SQLite's own
   * SQLITE_CORRUPT / SQLITE_NOTADB through) when the file is damaged.
   */
  setup: (db: Database.Database) => void;
  clock?: () => number;
}

export interface OpenedSqliteFile {
  db: Database.Database;
  /** set when a damaged file was moved aside and this one started empty */
  recovery: Recovery | undefined;
}

/** The file opens as SQLite but its structure is damaged (e.g. a failed quick_check). */
export class DamagedFileError extends Error {
  override name = 'DamagedFileError';
}

/**
 * Opens (or creates) a SQLite file, creating its directory: the directory 0700, the file and its -wal/-shm 0600. A damaged file — not a database, malformed, failing
 * `setup`'s checks — is moved aside as `<file>.corrupt-<ms>` with its -wal and -shm (kept for inspection), logged as
 * an error, and a fresh file is opened in its place. Any other failure (permissions, a directory where the file
 * should be) throws `QueueOpenError` and leaves the file alone: a healthy file is never moved aside.
 */
export function openSqliteFile(o: OpenSqliteFileOptions): OpenedSqliteFile {
  const clock = o.clock ?? Date.now;
  try {
    ensurePrivateDir(dirname(o.file));
    if (o.file !== ':memory:') ensurePrivateFile(o.file);
    return { db: openWith(o.file, o.setup), recovery: undefined };
  } catch (err) {
    if (!isDamage(err) || !existsSync(o.file)) throw new QueueOpenError(o.file, { cause: err });
    const at = clock();
    const movedTo = `${o.file}.corrupt-${at}`;
    try {
      for (const ext of ['', '-wal', '-shm']) {
        if (existsSync(o.file + ext)) renameSync(o.file + ext, movedTo + ext);
      }
    } catch (moveErr) {
      throw new QueueOpenError(o.file, { cause: moveErr });
    }
    o.log.error(
      { err, file: o.file, movedTo },
      `${o.name} database damaged; moved aside and started empty (what it held is not replayed)`,
    );
    try {
      ensurePrivateFile(o.file);
      return { db: openWith(o.file, o.setup), recovery: { at, movedTo, reason: messageOf(err) } };
    } catch (err2) {
      throw new QueueOpenError(o.file, { cause: err2 });
    }
  }
}

function openWith(file: string, setup: (db: Database.Database) => void): Database.Database {
  const db = new Database(file);
  try {
    setup(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** SQLite's verdict that the bytes are not a sound database, or our own checks' (`DamagedFileError`). */
export function isDamage(err: unknown): boolean {
  if (err instanceof DamagedFileError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/** The disk (or the file's quota) is full: deleting rows can make room. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE';
}
