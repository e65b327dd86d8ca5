import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../config/logging.js';

/**
 * Lines InfluxDB refused for what they contain (400/422: type conflicts, malformed values), and messages the host
 * could not decode, with the reason. JSON lines, appended; never retried automatically, never silently lost.
 */
export class DeadLetterFile {
  readonly #path: string;
  readonly #log: Logger;
  readonly #byKind = { line: 0, message: 0 };
  #unwritable = 0;

  constructor(path: string, log: Logger) {
    this.#path = path;
    this.#log = log;
  }

  get count(): number {
    return this.#byKind.line + this.#byKind.message;
  }

  /** entries written, by kind; `unwritable`: entries that could only be logged (the file was not writable) */
  stats(): { line: number; message: number; unwritable: number } {
    return { ...this.#byKind, unwritable: this.#unwritable };
  }

  get path(): string {
    return this.#path;
  }

  async add(kind: 'line' | 'message', entries: { data: string; reason: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date().toISOString();
    const text = entries.map((e) => JSON.stringify({ at, kind, reason: e.reason, data: e.data })).join('\n');
    try {
      await mkdir(dirname(this.#path), { recursive: true });
      await appendFile(this.#path, `${text}\n`);
      this.#byKind[kind] += entries.length;
    } catch (err) {
      this.#unwritable += entries.length;
      // Still not silent: the entries go to the log in full.
      this.#log.error({ err, entries }, 'dead-letter file not writable; entries logged instead');
    }
  }
}
