/**
 * RetryingWriter: the one place InfluxDB writes are retried (docs/architecture.md#delivery-contract). Driven
 * with a scripted sink and fake timers, so the waits are checked exactly: Retry-After is honoured (never
 * retried earlier), network and 5xx errors back off and retry until success, refused lines are dead-lettered
 * and never block the rest.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadLetterFile } from '../../../cloud/ingest/dead-letter.js';
import { RetryingWriter } from '../../../cloud/ingest/retrying-writer.js';
import { type InfluxSink, type LineBlock, SinkError, type WriteOutcome } from '../../../cloud/sink/index.js';
import { createRootLogger } from '../../../config/logging.js';
import { buildPoint } from '../../../protocols/influx/point-builder.js';

const log = createRootLogger('test', 'silent');
const root = mkdtempSync(join(tmpdir(), 'pp-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Step = WriteOutcome | SinkError | Error;

function scriptedSink(steps: Step[]): InfluxSink & { calls: number } {
  const sink = {
    calls: 0,
    async write(): Promise<WriteOutcome> {
      throw new Error('the writer writes lines');
    },
    async writeLines(): Promise<WriteOutcome> {
      const step = steps[sink.calls++] ?? { accepted: 1, rejected: [] };
      if (step instanceof Error) throw step;
      return step;
    },
    ensureDatabase: async () => undefined,
    close: async () => undefined,
    flavour: async () => 'v1' as const,
    stats: () => ({ requests: 0, failedRequests: 0, acceptedLines: 0, rejectedLines: 0 }),
  };
  return sink;
}

const p = (): LineBlock => {
  const r = buildPoint({ measurement: 'telemetry', tags: { device: 'd' }, fields: { v: 1 }, timestamp: 1 });
  if (!r.ok) throw new Error(r.reason);
  return { text: r.point.toLineProtocol() ?? '', lines: 1 };
};

describe('RetryingWriter', () => {
  let n = 0;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const dead = () => new DeadLetterFile(join(root, `dl${n++}.jsonl`), log);

  it('honours Retry-After on 429/503: not one retry before the server said', async () => {
    const sink = scriptedSink([
      new SinkError('SINK_THROTTLED', '429 Too Many Requests', { retryable: true, retryAfterMs: 7000 }),
    ]);
    const w = new RetryingWriter(sink, dead(), log, { initialBackoffMs: 100, maxBackoffMs: 200 });
    let done = false;
    const write = w.write([p()], new AbortController().signal).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(6999);
    expect(sink.calls).toBe(1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await write;
    expect(sink.calls).toBe(2);
    expect(w.stats()).toMatchObject({ retries: 1, writes: 1, degraded: false });
  });

  it('retries network and 5xx failures with growing backoff until the write succeeds', async () => {
    const down = () => new SinkError('SINK_UNAVAILABLE', 'connect ECONNREFUSED', { retryable: true });
    const sink = scriptedSink([down(), down(), down(), new Error('socket hang up')]);
    const w = new RetryingWriter(sink, dead(), log, { initialBackoffMs: 1000, maxBackoffMs: 4000 });
    const write = w.write([p()], new AbortController().signal);
    await vi.advanceTimersByTimeAsync(60_000);
    await write;
    expect(sink.calls).toBe(5);
    expect(w.stats()).toMatchObject({ retries: 4, writes: 1 });
  });

  it('dead-letters refused lines with the reason and resolves for the rest', async () => {
    const file = dead();
    const sink = scriptedSink([
      {
        accepted: 2,
        rejected: [{ line: 'telemetry v="x" 1', reason: 'partial write: field type conflict' }],
      },
    ]);
    const seen: string[] = [];
    const w = new RetryingWriter(sink, file, log, {
      onRejected: (r) => seen.push(...r.map((x) => x.reason)),
    });
    await vi.advanceTimersByTimeAsync(0);
    await w.write([p(), p(), p()], new AbortController().signal);
    expect(sink.calls).toBe(1);
    expect(w.stats()).toMatchObject({ points: 2, deadLettered: 1, retries: 0 });
    expect(seen).toEqual(['partial write: field type conflict']);
    const entry = JSON.parse(readFileSync(file.path, 'utf8').trim()) as { reason: string; data: string };
    expect(entry).toMatchObject({ reason: 'partial write: field type conflict', data: 'telemetry v="x" 1' });
  });

  it('stops retrying when aborted and rejects with the reason', async () => {
    const sink = scriptedSink(
      Array.from({ length: 100 }, () => new SinkError('SINK_UNAVAILABLE', 'down', { retryable: true })),
    );
    const w = new RetryingWriter(sink, dead(), log);
    const ac = new AbortController();
    const write = w.write([p()], ac.signal);
    const outcome = write.then(
      () => 'resolved',
      (err: unknown) => (err as Error).message,
    );
    await vi.advanceTimersByTimeAsync(2000);
    ac.abort(new Error('stopping'));
    expect(await outcome).toBe('stopping');
  });
});
