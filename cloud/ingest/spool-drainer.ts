import type { Logger } from '../../config/logging.js';
import { Backoff } from '../../protocols/backoff.js';
import type { LineBlock } from '../sink/line-block.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { LineWriter } from './retrying-writer.js';
import type { Spool } from './spool.js';

const DEFAULT_BATCH_BYTES = 512 * 1024;
/** the ingester's `idleFlushMs` (cloud.ts): a pause of the intake this long writes what is spooled */
export const IDLE_FLUSH_MS = 50;

export interface SpoolDrainerOptions {
  spool: Spool;
  /** retries until InfluxDB stored (or refused and dead-lettered) every line, or the signal aborts */
  writer: LineWriter;
  dead: DeadLetterFile;
  log: Logger;
  /** lines per InfluxDB write (docs/delivery.md: measured default 5000) */
  batchLines: number;
  /**
   * a batch also goes once it holds this many bytes of line protocol (default 512 KiB): lines carry many fields
   * (a device's values of one time), so 5000 of them can be megabytes
   */
  batchBytes?: number;
  /** longest a line waits for a batch to fill (default 1 s) */
  flushIntervalMs: number;
  /**
   * when no row has been appended for this long (the intake paused: a burst of messages was committed and nothing
   * follows yet), the batch goes without waiting for `flushIntervalMs`; absent: only the interval and a full batch
   * send one. A steady intake keeps batching as before; a burst (a poll cycle, a publisher held back) is written
   * ~this long after its last commit instead of up to the whole interval later (issue 16).
   */
  idleFlushMs?: number;
  /** backoff after a failure the writer does not retry itself (spool I/O error, sink closed); default 1 s … 30 s */
  retry?: { initialMs: number; maxMs: number; random?: () => number };
  /** told of every batch InfluxDB has stored (the telemetry roll-ups mark their buckets from it) */
  onWritten?: (blocks: readonly LineBlock[]) => void;
}

export interface SpoolDrainerStats {
  batches: number;
  lines: number;
  damagedRows: number;
  failures: number;
}

/**
 * Writes the spool to InfluxDB, oldest first, one batch at a time: a batch goes when it holds `batchLines` lines
 * or its oldest line has waited `flushIntervalMs`. Rows leave the spool only after the writer resolved for them,
 * so an InfluxDB outage (or a crash mid-write) only delays them; the order is kept.
 */
export class SpoolDrainer {
  readonly #o: SpoolDrainerOptions;
  readonly #abort = new AbortController();
  readonly #stats: SpoolDrainerStats = { batches: 0, lines: 0, damagedRows: 0, failures: 0 };
  readonly #backoff: Backoff;
  #wake: (() => void) | undefined;
  /** asleep with an empty spool, waiting for the next append */
  #idle = false;
  #loop: Promise<void> | undefined;
  /** write without waiting for batches to fill (shutdown, tests) */
  #flushAll = false;
  /** performance.now() of the last append (idleFlushMs) */
  #lastAppendAt = 0;

  constructor(o: SpoolDrainerOptions) {
    this.#o = o;
    this.#backoff = new Backoff(o.retry ?? { initialMs: 1000, maxMs: 30_000 });
  }

  stats(): SpoolDrainerStats {
    return { ...this.#stats };
  }

  start(): void {
    if (this.#loop) return;
    this.#o.spool.onAppend(() => {
      this.#lastAppendAt = performance.now();
      // a full batch goes at once; the first rows after an empty spool wake the drainer to start their interval
      // (a group commit may bring several rows at once: not only when exactly one row is waiting)
      if (this.#idle || this.#full()) this.#kick();
    });
    this.#loop = this.#run();
  }

  /** Stops after the write in progress is abandoned; what is not written stays in the spool for the next start. */
  async stop(): Promise<void> {
    this.#abort.abort(new Error('spool drainer stopping'));
    this.#kick();
    await this.#loop;
  }

  /**
   * Writes everything spooled now, without waiting for batches to fill (shutdown with a deadline, tests); resolves
   * when the spool is empty, rejects when the signal aborts first.
   */
  async drained(signal: AbortSignal): Promise<void> {
    this.#flushAll = true;
    try {
      while (!this.#o.spool.isEmpty) {
        signal.throwIfAborted();
        this.#kick();
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      this.#flushAll = false;
    }
  }

  /** a batch's worth is waiting (lines or bytes) */
  #full(): boolean {
    const s = this.#o.spool;
    return s.pendingLines >= this.#o.batchLines || s.pendingBytes >= this.#batchBytes;
  }

  get #batchBytes(): number {
    return this.#o.batchBytes ?? DEFAULT_BATCH_BYTES;
  }

  #kick(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const { spool, flushIntervalMs } = this.#o;
    while (!signal.aborted) {
      try {
        if (spool.isEmpty) {
          this.#idle = true;
          await this.#sleep(undefined).finally(() => {
            this.#idle = false;
          });
          continue;
        }
        if (!this.#flushAll && !this.#full()) {
          const idleFlushMs = this.#o.idleFlushMs;
          const wait = Math.min(
            flushIntervalMs - spool.oldestAgeMs(),
            idleFlushMs === undefined
              ? Number.POSITIVE_INFINITY
              : idleFlushMs - (performance.now() - this.#lastAppendAt),
          );
          if (wait > 0) {
            await this.#sleep(wait);
            continue;
          }
        }
        await this.#writeOne(signal);
      } catch (err) {
        // The spool file itself failed (I/O error): nothing is deleted; look again after a backoff step.
        this.#stats.failures++;
        const retryInMs = this.#backoff.next();
        this.#o.log.error({ err, retryInMs }, 'spool read failed; retrying');
        await this.#sleep(retryInMs);
      }
    }
  }

  async #writeOne(signal: AbortSignal): Promise<void> {
    const { spool, writer, dead, log, batchLines } = this.#o;
    const batch = spool.peek(batchLines, this.#batchBytes);
    if (!batch) return;
    try {
      if (batch.damaged.length > 0) {
        this.#stats.damagedRows += batch.damaged.length;
        log.error({ rows: batch.damaged.length }, 'spool rows unreadable; dead-lettered as they are');
        await dead.add(
          'message',
          batch.damaged.map((data) => ({ data, reason: 'spool row could not be read back (damaged file)' })),
        );
      }
      // the rows' text as stored: concatenated into requests, never parsed (unless InfluxDB refuses some)
      await writer.write(batch.blocks, signal);
      spool.remove(batch.upToId);
      this.#o.onWritten?.(batch.blocks);
      this.#backoff.reset();
      this.#stats.batches++;
      this.#stats.lines += batch.lines;
    } catch (err) {
      if (signal.aborted) return;
      // Not retryable by the writer (e.g. the sink closed): keep the rows, try again after a backoff step.
      this.#stats.failures++;
      const retryInMs = this.#backoff.next();
      log.error({ err, retryInMs }, 'spool batch not written; kept for the next attempt');
      await this.#sleep(retryInMs);
    }
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = ms === undefined ? undefined : setTimeout(() => this.#kick(), ms);
      this.#wake = () => {
        if (t) clearTimeout(t);
        resolve();
      };
    });
  }
}
