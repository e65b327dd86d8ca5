import type { Logger } from '../../config/logging.js';
import { Backoff } from '../../protocols/backoff.js';
import type { InfluxSink, LineBlock, RejectedLine } from '../sink/index.js';
import { SinkError } from '../sink/index.js';
import type { DeadLetterFile } from './dead-letter.js';

export interface WriterStats {
  writes: number;
  points: number;
  retries: number;
  deadLettered: number;
  /** failed write attempts by code (SINK_UNAVAILABLE, SINK_THROTTLED, …; WRITE_FAILED when uncoded) */
  errors: Record<string, number>;
  /** true while InfluxDB refuses or is unreachable */
  degraded: boolean;
  /** the last failure, `CODE: message` (null before any) */
  lastError: string | null;
  /** ms since epoch when `degraded` last changed (or the writer was made) */
  since: number;
}

/** Where serialised lines go: resolves once they are stored (or dead-lettered). */
export interface LineWriter {
  write(blocks: readonly LineBlock[], signal: AbortSignal): Promise<void>;
}

export interface RetryingWriterOptions {
  /** lines InfluxDB refused for their content, after they are dead-lettered (the field-type registry learns) */
  onRejected?: (rejected: readonly RejectedLine[]) => void;
  /** retry backoff bounds (default 500 ms … 10 s) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The one place that retries InfluxDB writes. `write` resolves only when every line is stored or dead-lettered
 * (refused for its content), so the caller can acknowledge the MQTT message; retryable failures back off
 * (honouring Retry-After) until the write succeeds or the signal aborts.
 */
export class RetryingWriter implements LineWriter {
  readonly #sink: InfluxSink;
  readonly #dead: DeadLetterFile;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #onRejected: (rejected: readonly RejectedLine[]) => void;
  readonly #stats: WriterStats = {
    writes: 0,
    points: 0,
    retries: 0,
    deadLettered: 0,
    // every code a retried write can fail with, from 0: a scraper sees the series before the first failure
    errors: {
      SINK_UNAVAILABLE: 0,
      SINK_THROTTLED: 0,
      SINK_UNAUTHORIZED: 0,
      SINK_DATABASE_NOT_FOUND: 0,
      SINK_TARGET_INVALID: 0,
    },
    degraded: false,
    lastError: null,
    since: Date.now(),
  };

  constructor(sink: InfluxSink, dead: DeadLetterFile, log: Logger, opts: RetryingWriterOptions = {}) {
    this.#backoff = new Backoff({
      initialMs: opts.initialBackoffMs ?? 500,
      maxMs: opts.maxBackoffMs ?? 10_000,
    });
    this.#onRejected = opts.onRejected ?? (() => undefined);
    this.#sink = sink;
    this.#dead = dead;
    this.#log = log;
  }

  stats(): WriterStats {
    return { ...this.#stats, errors: { ...this.#stats.errors } };
  }

  async write(blocks: readonly LineBlock[], signal: AbortSignal): Promise<void> {
    if (blocks.length === 0) return;
    for (;;) {
      signal.throwIfAborted();
      try {
        const outcome = await this.#sink.writeLines(blocks, signal);
        if (outcome.rejected.length > 0) {
          this.#stats.deadLettered += outcome.rejected.length;
          this.#log.warn(
            { rejected: outcome.rejected.length, first: outcome.rejected[0]?.reason, file: this.#dead.path },
            'InfluxDB refused lines; dead-lettered with the reason',
          );
          await this.#dead.add(
            'line',
            outcome.rejected.map((r) => ({ data: r.line, reason: r.reason })),
          );
          this.#onRejected(outcome.rejected);
        }
        this.#stats.writes++;
        this.#stats.points += outcome.accepted;
        if (this.#stats.degraded) {
          this.#log.info('InfluxDB writes succeed again');
          this.#stats.degraded = false;
          this.#stats.since = Date.now();
        }
        this.#backoff.reset();
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        const retryable = err instanceof SinkError ? err.retryable : true;
        if (!retryable) throw err;
        const wait = Math.max(this.#backoff.next(), err instanceof SinkError ? (err.retryAfterMs ?? 0) : 0);
        this.#stats.retries++;
        const code = err instanceof SinkError ? err.code : 'WRITE_FAILED';
        this.#stats.errors[code] = (this.#stats.errors[code] ?? 0) + 1;
        this.#stats.lastError = `${code}: ${(err as Error).message}`;
        if (!this.#stats.degraded) {
          this.#log.warn({ err: (err as Error).message, retryInMs: wait }, 'InfluxDB write failed; retrying');
          this.#stats.degraded = true;
          this.#stats.since = Date.now();
        }
        await sleep(wait, signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
