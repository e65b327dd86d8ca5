/**
 * The host's memory of the last NBIRTH/DBIRTH per edge node and device, on disk, so that an ingester restart (even a
 * `kill -9`) does not drop aliased data until the next rebirth: the host restores its alias maps from these births at
 * start (`HostApplication.restore`). SQLite (WAL) in the ingester's data dir, one row per node or device; a write is
 * done synchronously while the message is handled, so a birth is on disk before its PUBACK.
 *
 * Failures never stop ingestion: the host keeps working from memory, the failure is logged and counted
 * (`failures`), and after a restart the affected nodes are asked for a rebirth as before.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../config/logging.js';
import {
  applyFileFormat,
  type FileFormat,
  hasTable,
  STAMP_FIRST_RELEASE,
} from '../../protocols/durable-queue/index.js';

/** A birth message as received: replayed through the host's decoder on restore. */
export interface StoredBirth {
  topic: string;
  payload: Uint8Array;
}

/** What the host calls while it handles births and deaths (the pure host stays free of I/O details). */
export interface BirthRecorder {
  /** an NBIRTH: replaces everything kept for the node (its device births are void) */
  nodeBirth(group: string, node: string, birth: StoredBirth): void;
  deviceBirth(group: string, node: string, device: string, birth: StoredBirth): void;
  /** an NDEATH matching the birth: the node's births are void until it is born again */
  nodeDeath(group: string, node: string): void;
  deviceDeath(group: string, node: string, device: string): void;
}

const NODE_ROW = ''; // device column of a node's own NBIRTH row

const SCHEMA = `
CREATE TABLE IF NOT EXISTS births (
  grp TEXT NOT NULL,
  node TEXT NOT NULL,
  device TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (grp, node, device)
);
`;

export class SqliteBirthStore implements BirthRecorder {
  readonly #db: Database.Database;
  readonly #log: Logger;
  readonly #st: {
    upsert: Database.Statement<[string, string, string, string, Buffer, number]>;
    deleteNode: Database.Statement<[string, string]>;
    deleteDevice: Database.Statement<[string, string, string]>;
  };
  #failures = 0;

  private constructor(db: Database.Database, log: Logger) {
    this.#db = db;
    this.#log = log;
    this.#st = {
      upsert: db.prepare(
        'INSERT INTO births (grp, node, device, topic, payload, received_at) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(grp, node, device) DO UPDATE SET topic = excluded.topic, payload = excluded.payload, ' +
          'received_at = excluded.received_at',
      ),
      deleteNode: db.prepare('DELETE FROM births WHERE grp = ? AND node = ?'),
      deleteDevice: db.prepare('DELETE FROM births WHERE grp = ? AND node = ? AND device = ?'),
    };
  }

  /** Opens (or creates) the file; a damaged one is moved aside (`.corrupt-<time>`), logged, and a new one started. */
  static open(file: string, log: Logger): SqliteBirthStore {
    mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = openDb(file, log);
    } catch (err) {
      if (!existsSync(file)) throw err;
      const aside = `${file}.corrupt-${Date.now()}`;
      log.error(
        { err, file, movedTo: aside },
        'Sparkplug birth store unreadable; moved aside, starting empty',
      );
      for (const ext of ['', '-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, aside + ext);
      db = openDb(file, log);
    }
    return new SqliteBirthStore(db, log);
  }

  /** Births to restore: every NBIRTH first, then the device births (a DBIRTH needs its node's NBIRTH). */
  load(): StoredBirth[] {
    try {
      const rows = this.#db
        .prepare('SELECT topic, payload FROM births ORDER BY (device <> ?), grp, node, device')
        .all(NODE_ROW) as { topic: string; payload: Buffer }[];
      return rows.map((r) => ({ topic: r.topic, payload: new Uint8Array(r.payload) }));
    } catch (err) {
      this.#fail(err, 'could not read the stored Sparkplug births; aliased data waits for rebirths');
      return [];
    }
  }

  get failures(): number {
    return this.#failures;
  }

  nodeBirth(group: string, node: string, birth: StoredBirth): void {
    this.#run(() =>
      this.#db.transaction(() => {
        this.#st.deleteNode.run(group, node);
        this.#st.upsert.run(group, node, NODE_ROW, birth.topic, Buffer.from(birth.payload), Date.now());
      })(),
    );
  }

  deviceBirth(group: string, node: string, device: string, birth: StoredBirth): void {
    this.#run(() =>
      this.#st.upsert.run(group, node, device, birth.topic, Buffer.from(birth.payload), Date.now()),
    );
  }

  nodeDeath(group: string, node: string): void {
    this.#run(() => this.#st.deleteNode.run(group, node));
  }

  deviceDeath(group: string, node: string, device: string): void {
    this.#run(() => this.#st.deleteDevice.run(group, node, device));
  }

  close(): void {
    try {
      this.#db.close();
    } catch (err) {
      this.#fail(err, 'closing the Sparkplug birth store failed');
    }
  }

  #run(f: () => unknown): void {
    try {
      f();
    } catch (err) {
      this.#fail(
        err,
        'could not store a Sparkplug birth/death; after a restart that node is asked to rebirth',
      );
    }
  }

  #fail(err: unknown, msg: string): void {
    this.#failures++;
    this.#log.error({ err }, msg);
  }
}

/**
 * The birth store's file format (protocols/durable-queue/file-format.ts): version 1 is the layout since plantpulse
 * 0.1.0. A file of a newer version is set aside like a damaged one: it is a cache, and the hosts ask for rebirths.
 */
export const BIRTH_STORE_FORMAT: FileFormat = {
  name: 'Sparkplug birth store',
  version: 1,
  migrations: [STAMP_FIRST_RELEASE],
};

function openDb(file: string, log: Logger): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (kill -9); only a power loss may lose the last birth, which the
    // restarted host then asks for again with a Rebirth NCMD.
    db.pragma('synchronous = NORMAL');
    const fresh = !hasTable(db, 'births');
    db.exec(SCHEMA);
    db.prepare('SELECT count(*) FROM births').get(); // fails here, not later, on a damaged file
    applyFileFormat(db, BIRTH_STORE_FORMAT, { fresh, log, file });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
