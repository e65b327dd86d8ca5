import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import { Backoff } from '../../protocols/backoff.js';
import type { InfluxSink, RejectedLine } from '../sink/index.js';
import { SinkError } from '../sink/index.js';
import type { DeadLetterFile } from './dead-letter.js';

export interface WriterStats {
  writes: number;
  points: number;
  retries: number;
  deadLettered: number;
  /** true while InfluxDB refuses or is unreachable */
  degraded: boolean;
}

/** What the message handler hands a message's points to: resolves once they are stored (or dead-lettered). */
export interface PointWriter {
  write(points: readonly Point[], signal: AbortSignal): Promise<void>;
}

export interface RetryingWriterOptions {
  /** lines InfluxDB refused for their content, after they are dead-lettered (the field-type registry learns) */
  onRejected?: (rejected: readonly RejectedLine[]) => void;
  /** retry backoff bounds (default 500 ms … 10 s) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The one place that retries InfluxDB writes. `write` resolves only when every point is stored or dead-lettered
 * (refused for its content), so the caller can acknowledge the MQTT message; retryable failures back off
 * (honouring Retry-After) until the write succeeds or the signal aborts.
 */
export class RetryingWriter implements PointWriter {
  readonly #sink: InfluxSink;
  readonly #dead: DeadLetterFile;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #onRejected: (rejected: readonly RejectedLine[]) => void;
  readonly #stats: WriterStats = { writes: 0, points: 0, retries: 0, deadLettered: 0, degraded: false };

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
    return { ...this.#stats };
  }

  async write(points: readonly Point[], signal: AbortSignal): Promise<void> {
    if (points.length === 0) return;
    for (;;) {
      signal.throwIfAborted();
      try {
        const outcome = await this.#sink.write(points, signal);
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
        if (this.#stats.degraded) this.#log.info('InfluxDB writes succeed again');
        this.#stats.degraded = false;
        this.#backoff.reset();
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        const retryable = err instanceof SinkError ? err.retryable : true;
        if (!retryable) throw err;
        const wait = Math.max(this.#backoff.next(), err instanceof SinkError ? (err.retryAfterMs ?? 0) : 0);
        this.#stats.retries++;
        if (!this.#stats.degraded) {
          this.#log.warn({ err: (err as Error).message, retryInMs: wait }, 'InfluxDB write failed; retrying');
        }
        this.#stats.degraded = true;
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
