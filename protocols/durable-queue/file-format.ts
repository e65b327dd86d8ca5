/**
 * On-disk format versions of plantpulse's SQLite files (the agent's outbox, the ingester's spool, the host's birth
 * store), kept in SQLite's `PRAGMA user_version`, with an explicit registry of migrations per file kind.
 *
 * - A new file is created in the current layout and stamped with the current version.
 * - An existing file is migrated step by step (`from` → `from + 1`), all in one transaction, when it is opened:
 *   an upgrade never needs a manual step, and a crash during a migration leaves the file as it was.
 * - Version 0 is every file written before versions existed (plantpulse 0.1.0): the layout of version 1, so the
 *   0 → 1 step only stamps it.
 * - A file of a newer version (written by a newer plantpulse, then downgraded) is refused with
 *   `FileFormatTooNewError` and left as it is: an older program must not guess at a newer layout.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';

export interface FormatMigration {
  /** the version it upgrades from (to `from + 1`) */
  from: number;
  /** what it changes, for the log */
  describe: string;
  up(db: Database.Database): void;
}

export interface FileFormat {
  /** what the file is, for logs and errors: 'outbox', 'spool', 'Sparkplug birth store' */
  name: string;
  /** the version this code writes */
  version: number;
  /** one step per version below `version`, from 0 */
  migrations: readonly FormatMigration[];
}

/** A file written by a newer plantpulse than this one. Not damage: the file is never set aside for it. */
export class FileFormatTooNewError extends Error {
  override name = 'FileFormatTooNewError';
  readonly found: number;
  readonly supported: number;

  constructor(format: FileFormat, found: number) {
    super(
      `${format.name} file format ${found} is newer than this plantpulse reads (${format.version}): it was written by a newer version; upgrade plantpulse again, or move the file aside to start empty`,
    );
    this.found = found;
    this.supported = format.version;
  }
}

/** The 0 → 1 step every file kind starts with: files of plantpulse 0.1.0 already have version 1's layout. */
export const STAMP_FIRST_RELEASE: FormatMigration = {
  from: 0,
  describe: "plantpulse 0.1.0's layout, unchanged: stamped as version 1",
  up: () => undefined,
};

export function fileVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Brings an open file to `format.version`. `fresh`: the file had none of its tables before this open (it was just
 * created in the current layout), so it is stamped without migrating. Returns the version found.
 */
export function applyFileFormat(
  db: Database.Database,
  format: FileFormat,
  opts: { fresh: boolean; log?: Logger; file?: string },
): number {
  const found = fileVersion(db);
  if (found > format.version) throw new FileFormatTooNewError(format, found);
  if (found === format.version) return found;
  if (opts.fresh) {
    db.pragma(`user_version = ${format.version}`);
    return found;
  }
  db.transaction(() => {
    for (let v = found; v < format.version; v++) {
      const step = format.migrations.find((m) => m.from === v);
      if (!step) throw new Error(`${format.name}: no migration from file format ${v}`);
      step.up(db);
      opts.log?.info(
        { file: opts.file, from: v, to: v + 1, migration: step.describe },
        `${format.name} file format migrated`,
      );
    }
    db.pragma(`user_version = ${format.version}`);
  })();
  return found;
}

/** True when the file has a table of that name (before a CREATE … IF NOT EXISTS: is the file fresh?). */
export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
