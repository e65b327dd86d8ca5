/**
 * How to react to a failed InfluxDB write request (docs/delivery.md, cloud/sink/README.md: which errors
 * retry, and why). Pure.
 */
import type { SinkErrorCode } from './sink-error.js';

export type WriteErrorDecision =
  /** the server refused some lines (400/422, or a 500 that is really a data error): find them and reject them */
  | { kind: 'lines-rejected'; reason: string; statusCode: number }
  /** 413: the request is too large: split it */
  | { kind: 'too-large'; reason: string }
  /** nothing about the lines: the whole write failed and a later retry can succeed */
  | { kind: 'retry'; code: SinkErrorCode; reason: string; retryAfterMs?: number; statusCode?: number }
  /** the caller's AbortSignal fired */
  | { kind: 'aborted' };

/** The subset of the client's HttpError we read. */
interface HttpLikeError {
  statusCode: number;
  body?: string;
  message?: string;
  headers?: Record<string, string | string[] | undefined>;
}

function isHttpError(err: unknown): err is HttpLikeError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { statusCode?: unknown }).statusCode === 'number'
  );
}

/** The server's own words: `{"error": …}` (1.x), `{"message": …}` (2.x/3.x), else the body, else the message. */
export function serverReason(err: HttpLikeError): string {
  const body = err.body ?? '';
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof json.error === 'string') return json.error;
    if (typeof json.message === 'string') return json.message;
  } catch {
    // not JSON
  }
  const text = body.trim() !== '' ? body.trim() : (err.message ?? '');
  return text.slice(0, 1000);
}

function header(err: HttpLikeError, name: string): string | undefined {
  const v = err.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// 400s that are about the request or the target, not about the lines in it.
const TARGET_PROBLEM =
  /retention policy not found|database is required|invalid precision|bucket .*not found|organization .*not found|no org|no bucket/i;
// 500s that some servers return for data errors (dojot #2216: points beyond retention policy).
const DATA_PROBLEM_500 = /beyond retention policy|field type conflict|partial write/i;

export function classifyWriteError(err: unknown, now: number): WriteErrorDecision {
  if (isAbort(err)) return { kind: 'aborted' };
  if (!isHttpError(err)) {
    const e = err as { code?: unknown; message?: unknown; name?: unknown };
    const what = [e.name, e.code, e.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
    return { kind: 'retry', code: 'SINK_UNAVAILABLE', reason: what || String(err) };
  }
  const status = err.statusCode;
  const reason = serverReason(err);
  const retryAfterMs = parseRetryAfter(header(err, 'retry-after'), now);
  const withRetryAfter = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 400 || status === 422) {
    if (TARGET_PROBLEM.test(reason))
      return { kind: 'retry', code: 'SINK_TARGET_INVALID', reason, statusCode: status };
    return { kind: 'lines-rejected', reason, statusCode: status };
  }
  if (status === 413) return { kind: 'too-large', reason: reason || 'request entity too large' };
  if (status === 401 || status === 403)
    return { kind: 'retry', code: 'SINK_UNAUTHORIZED', reason, statusCode: status };
  if (status === 404) return { kind: 'retry', code: 'SINK_DATABASE_NOT_FOUND', reason, statusCode: status };
  if (status === 429 || status === 503) {
    return { kind: 'retry', code: 'SINK_THROTTLED', reason, statusCode: status, ...withRetryAfter };
  }
  if (status === 500 && TARGET_PROBLEM.test(reason)) {
    // InfluxDB 1.x answers an unknown retention policy with a 500
    return { kind: 'retry', code: 'SINK_TARGET_INVALID', reason, statusCode: status };
  }
  if (status === 500 && DATA_PROBLEM_500.test(reason))
    return { kind: 'lines-rejected', reason, statusCode: status };
  return {
    kind: 'retry',
    code: 'SINK_UNAVAILABLE',
    reason: `HTTP ${status}: ${reason}`,
    statusCode: status,
    ...withRetryAfter,
  };
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError';
}
