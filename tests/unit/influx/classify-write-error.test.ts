import { HttpError } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { classifyWriteError, parseRetryAfter } from '../../../cloud/sink/classify-write-error.js';

const NOW = Date.UTC(2026, 0, 1);

function http(status: number, body: string, headers: Record<string, string> = {}) {
  return new HttpError(status, 'x', body, headers['retry-after'], 'application/json', undefined, headers);
}

describe('classifyWriteError', () => {
  it('400/422 line errors are rejected lines with the server reason', () => {
    const conflict =
      'partial write: field type conflict: input field "v" on measurement "m" is type string, already exists as type float dropped=1';
    expect(classifyWriteError(http(400, JSON.stringify({ error: conflict })), NOW)).toEqual({
      kind: 'lines-rejected',
      reason: conflict,
      statusCode: 400,
    });
    expect(
      classifyWriteError(
        http(422, '{"code":"unprocessable entity","message":"failure writing points"}'),
        NOW,
      ),
    ).toMatchObject({ kind: 'lines-rejected', reason: 'failure writing points' });
  });

  it('400s about the target, not the lines, are retryable configuration problems', () => {
    expect(classifyWriteError(http(400, '{"error":"retention policy not found: week"}'), NOW)).toMatchObject({
      kind: 'retry',
      code: 'SINK_TARGET_INVALID',
    });
  });

  it('a 500 that is really a data error (beyond retention) rejects lines instead of retrying forever', () => {
    expect(
      classifyWriteError(
        http(500, '{"error":"partial write: points beyond retention policy dropped=1"}'),
        NOW,
      ),
    ).toMatchObject({ kind: 'lines-rejected' });
    expect(classifyWriteError(http(500, '{"error":"timeout"}'), NOW)).toMatchObject({
      kind: 'retry',
      code: 'SINK_UNAVAILABLE',
    });
  });

  it('413 splits; 429/503 throttle with Retry-After; 401/403/404 wait', () => {
    expect(classifyWriteError(http(413, ''), NOW)).toMatchObject({ kind: 'too-large' });
    expect(classifyWriteError(http(429, '', { 'retry-after': '3' }), NOW)).toMatchObject({
      kind: 'retry',
      code: 'SINK_THROTTLED',
      retryAfterMs: 3000,
    });
    expect(classifyWriteError(http(503, ''), NOW)).toEqual({
      kind: 'retry',
      code: 'SINK_THROTTLED',
      reason: '503 x',
      statusCode: 503,
    });
    expect(classifyWriteError(http(401, '{"error":"authorization failed"}'), NOW)).toMatchObject({
      code: 'SINK_UNAUTHORIZED',
    });
    expect(classifyWriteError(http(404, '{"error":"database not found: \\"x\\""}'), NOW)).toMatchObject({
      code: 'SINK_DATABASE_NOT_FOUND',
    });
  });

  it('network errors retry; aborts are aborts', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyWriteError(refused, NOW)).toMatchObject({ kind: 'retry', code: 'SINK_UNAVAILABLE' });
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(classifyWriteError(abort, NOW)).toEqual({ kind: 'aborted' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates against the given clock', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});
