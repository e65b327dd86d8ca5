/**
 * The audit log: an append-only JSON-lines file (one event a line: `time`, `type`, then the event's fields).
 *
 * - `record()` never blocks and never throws: events queue in memory (bounded) and a background loop appends them.
 *   A failed write (disk full, permissions) is counted and logged — at most once a minute per error code — and
 *   the batch is dropped; so is an event that finds the queue full. `stats()` has the counts.
 * - The file is mode 0600 in a directory made 0700. When a write would take it past `maxFileBytes` it is renamed
 *   `audit.jsonl.<time>` and a new one started; rotated files rotated longer than `retentionMs` ago (so their
 *   newest event is at least that old) are deleted at start, at each rotation and once an hour.
 * - Secret-looking field names (token, password, secret, …) are written as `[redacted]`.
 */
import { chmod, type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import {
  AUDIT_TYPE_PATTERN,
  type AuditEvent,
  type AuditSink,
  redactFields,
  type StoredAuditEvent,
} from './audit-event.js';
import { listAuditFiles, rotationSuffix } from './audit-files.js';
import { type AuditPage, type AuditQuery, queryAudit } from './audit-query.js';

export interface AuditLogOptions {
  path: string;
  maxFileBytes: number;
  retentionMs: number;
  log: Logger;
  clock?: () => number;
  /** most events waiting to be written; more are dropped and counted */
  maxQueued?: number;
}

export interface AuditStats {
  written: number;
  /** events lost: queue full or a failed write */
  dropped: number;
  /** writes that failed (each drops its batch) */
  writeErrors: number;
  rotations: number;
  /** rotated files deleted by the retention */
  expired: number;
}

const SWEEP_EVERY_MS = 3_600_000;

export class AuditLog implements AuditSink {
  readonly path: string;
  readonly #maxFileBytes: number;
  readonly #retentionMs: number;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #maxQueued: number;
  #queue: string[] = [];
  #file: FileHandle | undefined;
  #size = 0;
  #writing: Promise<void> = Promise.resolve();
  #scheduled = false;
  #closed = false;
  #sweepTimer: NodeJS.Timeout | undefined;
  readonly #lastLogged = new Map<string, number>();
  readonly #stats: AuditStats = { written: 0, dropped: 0, writeErrors: 0, rotations: 0, expired: 0 };

  constructor(opts: AuditLogOptions) {
    this.path = opts.path;
    this.#maxFileBytes = opts.maxFileBytes;
    this.#retentionMs = opts.retentionMs;
    this.#log = opts.log;
    this.#clock = opts.clock ?? Date.now;
    this.#maxQueued = opts.maxQueued ?? 10_000;
  }

  /** Creates the directory (0700) and opens the file (0600); then deletes expired rotated files. */
  async open(): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await this.#openFile();
    await this.sweep();
    this.#sweepTimer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.#sweepTimer.unref();
  }

  record(event: AuditEvent): void {
    if (this.#closed) return;
    if (!AUDIT_TYPE_PATTERN.test(event.type)) {
      this.#complain('EBADTYPE', new Error(`audit event type "${event.type}" is not area.action`));
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      this.#stats.dropped++;
      this.#complain('EQUEUEFULL', new Error(`audit queue full (${this.#maxQueued} events): event dropped`));
      return;
    }
    const stored: StoredAuditEvent = {
      ...redactFields(event.fields ?? {}),
      time: new Date(this.#clock()).toISOString(),
      type: event.type,
    };
    // time and type first, whatever the fields held
    const { time, type, ...rest } = stored;
    this.#queue.push(`${JSON.stringify({ time, type, ...rest })}\n`);
    this.#schedule();
  }

  /** Resolves once every event recorded so far has been written (or dropped). */
  async flush(): Promise<void> {
    // a batch may be in flight with the queue empty: wait for the chain, until nothing new was chained meanwhile
    for (;;) {
      this.#schedule();
      const writing = this.#writing;
      await writing;
      if (this.#queue.length === 0 && writing === this.#writing) return;
    }
  }

  stats(): AuditStats {
    return { ...this.#stats };
  }

  /** Events of a range (what was recorded before the call included). */
  async query(q: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
    await this.flush();
    return queryAudit(this.path, q, signal);
  }

  /** Deletes rotated files whose last write is older than the retention. */
  async sweep(): Promise<void> {
    const cutoff = this.#clock() - this.#retentionMs;
    try {
      for (const f of await listAuditFiles(this.path)) {
        if (f.rotatedAt === undefined || f.rotatedAt >= cutoff) continue;
        await unlink(f.path);
        this.#stats.expired++;
        this.#log.info({ file: f.path }, 'audit: deleted a rotated file past the retention');
      }
    } catch (err) {
      this.#complain((err as NodeJS.ErrnoException).code ?? 'ESWEEP', err);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await this.#file?.close().catch(() => {});
    this.#file = undefined;
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    this.#writing = this.#writing.then(async () => {
      this.#scheduled = false;
      const lines = this.#queue;
      this.#queue = [];
      await this.#write(lines);
    });
  }

  async #write(lines: string[]): Promise<void> {
    const data = Buffer.from(lines.join(''));
    try {
      if (this.#size > 0 && this.#size + data.length > this.#maxFileBytes) await this.#rotate();
      if (!this.#file) await this.#openFile();
      const file = this.#file;
      if (!file) throw new Error('audit file is not open');
      await file.appendFile(data);
      this.#size += data.length;
      this.#stats.written += lines.length;
    } catch (err) {
      this.#stats.writeErrors++;
      this.#stats.dropped += lines.length;
      this.#complain((err as NodeJS.ErrnoException).code ?? 'EWRITE', err, lines.length);
    }
  }

  async #openFile(): Promise<void> {
    const file = await open(this.path, 'a', 0o600);
    try {
      const st = await file.stat();
      if (st.isFile() && (st.mode & 0o777) !== 0o600) await file.chmod(0o600);
      this.#size = st.size;
    } catch (err) {
      await file.close();
      throw err;
    }
    this.#file = file;
  }

  async #rotate(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
    let target = `${this.path}.${rotationSuffix(this.#clock())}`;
    const existing = new Set((await listAuditFiles(this.path)).map((f) => f.path));
    for (let n = 1; existing.has(target); n++) target = `${this.path}.${rotationSuffix(this.#clock())}-${n}`;
    await rename(this.path, target);
    this.#stats.rotations++;
    await this.#openFile();
    await this.sweep();
  }

  /** Logs a failure, at most once a minute per code (a full disk must not flood the log too). */
  #complain(code: string, err: unknown, lost = 0): void {
    const now = this.#clock();
    const last = this.#lastLogged.get(code);
    if (last !== undefined && now - last < 60_000) return;
    this.#lastLogged.set(code, now);
    this.#log.error(
      { err, code, lost, dropped: this.#stats.dropped, path: this.path },
      'audit: events could not be written and are lost (counted in dropped)',
    );
  }
}
