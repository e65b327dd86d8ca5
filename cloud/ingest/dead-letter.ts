import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Logger } from '../../config/logging.js';

/** One dead letter: what could not be stored, why (`code` stable, `reason` for a person), and the data itself. */
export interface DeadLetter {
  /** the refused line, or the message as `{"topic", "payloadBase64"}` (JSON): enough to replay it */
  data: string;
  reason: string;
  /** stable reason code (TIMESTAMP_OUT_OF_WINDOW, DEVICE_LIMIT, SPB_DECODE, …) */
  code?: string;
}

export interface DeadLetterStats {
  line: number;
  message: number;
  /** entries that could only be logged (the file was not writable) */
  unwritable: number;
  /** times the file was rotated */
  rotations: number;
  /** rotated files deleted to keep the cap, and their bytes */
  deletedFiles: number;
  deletedBytes: number;
}

export interface DeadLetterLimits {
  /** rotate before the current file grows past this (a single larger batch still goes whole into a fresh file) */
  maxFileBytes: number;
  /** rotated files kept (`dead-letter.1.jsonl` newest … `dead-letter.<maxFiles>.jsonl` oldest) */
  maxFiles: number;
}

const UNLIMITED: DeadLetterLimits = { maxFileBytes: Number.POSITIVE_INFINITY, maxFiles: 1 };

/**
 * Lines InfluxDB refused for what they contain (400/422: type conflicts, malformed values), and messages the host
 * could not decode or the ingester refused (timestamps outside the accepted window, device and metric bounds),
 * with the reason. JSON lines, appended; never retried automatically, never silently lost. Size-capped: the file
 * is rotated before it passes `maxFileBytes`, `maxFiles` rotated files are kept and the oldest is deleted — counted
 * (`deletedFiles`, `deletedBytes`) and logged at warn — so a flood of bad messages cannot fill the disk.
 */
export class DeadLetterFile {
  readonly #path: string;
  readonly #log: Logger;
  readonly #limits: DeadLetterLimits;
  readonly #stats: DeadLetterStats = {
    line: 0,
    message: 0,
    unwritable: 0,
    rotations: 0,
    deletedFiles: 0,
    deletedBytes: 0,
  };
  /** bytes in the current file; undefined until first looked at */
  #size: number | undefined;
  /** appends and rotations run one at a time */
  #queue: Promise<void> = Promise.resolve();

  constructor(path: string, log: Logger, limits: DeadLetterLimits = UNLIMITED) {
    this.#path = path;
    this.#log = log;
    this.#limits = limits;
  }

  get count(): number {
    return this.#stats.line + this.#stats.message;
  }

  stats(): DeadLetterStats {
    return { ...this.#stats };
  }

  get path(): string {
    return this.#path;
  }

  /** The n-th rotated file: `dead-letter.jsonl` → `dead-letter.1.jsonl`. */
  rotatedPath(n: number): string {
    const ext = extname(this.#path);
    return `${this.#path.slice(0, this.#path.length - ext.length)}.${n}${ext}`;
  }

  add(kind: 'line' | 'message', entries: DeadLetter[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const run = this.#queue.then(() => this.#append(kind, entries));
    this.#queue = run;
    return run;
  }

  async #append(kind: 'line' | 'message', entries: DeadLetter[]): Promise<void> {
    const at = new Date().toISOString();
    const text = `${entries
      .map((e) =>
        JSON.stringify({
          at,
          kind,
          ...(e.code === undefined ? {} : { code: e.code }),
          reason: e.reason,
          data: e.data,
        }),
      )
      .join('\n')}\n`;
    const bytes = Buffer.byteLength(text);
    try {
      await mkdir(dirname(this.#path), { recursive: true });
      this.#size ??= (await stat(this.#path).catch(() => undefined))?.size ?? 0;
      if (this.#size > 0 && this.#size + bytes > this.#limits.maxFileBytes) await this.#rotate();
      await appendFile(this.#path, text, { mode: 0o600 }); // plant payloads: private (README "Secrets at rest")
      this.#size += bytes;
      this.#stats[kind] += entries.length;
    } catch (err) {
      this.#stats.unwritable += entries.length;
      this.#size = undefined; // look again next time
      // Still not silent: the entries go to the log in full.
      this.#log.error({ err, entries }, 'dead-letter file not writable; entries logged instead');
    }
  }

  async #rotate(): Promise<void> {
    const max = this.#limits.maxFiles;
    const oldest = this.rotatedPath(max);
    const gone = await stat(oldest).catch(() => undefined);
    if (gone) {
      await rm(oldest, { force: true });
      this.#stats.deletedFiles++;
      this.#stats.deletedBytes += gone.size;
      this.#log.warn(
        { file: oldest, bytes: gone.size, maxFiles: max, maxFileBytes: this.#limits.maxFileBytes },
        'oldest dead-letter file deleted to keep the size cap',
      );
    }
    for (let n = max - 1; n >= 1; n--) {
      await rename(this.rotatedPath(n), this.rotatedPath(n + 1)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    await rename(this.#path, this.rotatedPath(1));
    this.#size = 0;
    this.#stats.rotations++;
  }
}
