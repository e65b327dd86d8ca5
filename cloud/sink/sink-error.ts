import { PlantpulseError } from '../../protocols/errors.js';

export type SinkErrorCode =
  /** network error, timeout, 5xx: retry with backoff */
  | 'SINK_UNAVAILABLE'
  /** 429 or 503: retry after `retryAfterMs` when the server said so */
  | 'SINK_THROTTLED'
  /** 401/403: credentials wrong or missing; data must wait (retryable) until an operator fixes them */
  | 'SINK_UNAUTHORIZED'
  /** the database/bucket does not exist (yet): `ensureDatabase()` or an operator must create it */
  | 'SINK_DATABASE_NOT_FOUND'
  /** the request, not its lines, was refused (unknown retention policy, bad precision…): a configuration problem */
  | 'SINK_TARGET_INVALID'
  /** write() after close() */
  | 'SINK_CLOSED';

/**
 * What went wrong with a whole write. Line-level problems are not errors: they come back in `WriteOutcome.rejected`.
 * The sink never retries; the runner that owns retries reads `retryable` and `retryAfterMs`. Re-sending a batch is
 * safe: a point's identity is (measurement, tags, time), so a rewrite overwrites.
 */
export class SinkError extends PlantpulseError {
  declare readonly code: SinkErrorCode;
  /** the server's Retry-After, in ms, when it sent one */
  readonly retryAfterMs: number | undefined;
  readonly statusCode: number | undefined;

  constructor(
    code: SinkErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; retryAfterMs?: number; statusCode?: number } = {},
  ) {
    super(code, message, { cause: options.cause, retryable: options.retryable ?? code !== 'SINK_CLOSED' });
    this.retryAfterMs = options.retryAfterMs;
    this.statusCode = options.statusCode;
  }
}
