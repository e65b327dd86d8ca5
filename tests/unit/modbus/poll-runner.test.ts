import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollRunner } from '../../../agent/runner/poll-runner.js';
import type { PollingSource, ReadResult } from '../../../agent/sources/source.js';
import type { Sample } from '../../../protocols/sample.js';

const log = pino({ level: 'silent' });

interface FakeSource extends PollingSource {
  reads: { group: number; at: number }[];
  connects: number;
  closes: number;
  maxConcurrent: number;
}

/** A polling source whose behaviour each test scripts; it takes `readMs` of (fake) time per read. */
function fakeSource(
  device: string,
  intervals: number[],
  opts: {
    readMs?: number;
    result?: (n: number, group: number) => ReadResult;
    connect?: (n: number) => Promise<void>;
    throwOnRead?: boolean;
  } = {},
): FakeSource {
  let inFlight = 0;
  const src: FakeSource = {
    kind: 'polling',
    device,
    metrics: [{ name: 'v', kind: 'double' }],
    groups: intervals.map((intervalMs) => ({ intervalMs, description: 'fake' })),
    reads: [],
    connects: 0,
    closes: 0,
    maxConcurrent: 0,
    async connect() {
      src.connects++;
      if (opts.connect) await opts.connect(src.connects);
    },
    async read(group, signal) {
      src.reads.push({ group, at: Date.now() });
      inFlight++;
      src.maxConcurrent = Math.max(src.maxConcurrent, inFlight);
      try {
        if (opts.readMs) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, opts.readMs);
            signal.addEventListener('abort', () => {
              clearTimeout(t);
              resolve();
            });
          });
        }
        if (opts.throwOnRead) throw new Error('driver bug');
        const sample: Sample = {
          device,
          metric: 'v',
          value: src.reads.length,
          timestamp: Date.now(),
          quality: 'good',
        };
        return opts.result ? opts.result(src.reads.length, group) : { samples: [sample], failures: [] };
      } finally {
        inFlight--;
      }
    },
    async close() {
      src.closes++;
    },
  };
  return src;
}

const linkFault = (): ReadResult => ({
  samples: [{ device: 'd1', metric: 'v', value: null, timestamp: Date.now(), quality: 'bad' }],
  failures: [{ code: 'MODBUS_TIMEOUT', message: 'no response', linkFault: true }],
});

let runner: PollRunner | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  vi.useRealTimers();
});

function run(sources: PollingSource[], extra: Partial<ConstructorParameters<typeof PollRunner>[0]> = {}) {
  const samples: Sample[] = [];
  const reach: [string, boolean, string][] = [];
  runner = new PollRunner({
    sources,
    log,
    random: () => 0.5,
    onSamples: (s) => samples.push(...s),
    onReachability: (d, r, why) => reach.push([d, r, why]),
    ...extra,
  });
  runner.start();
  return { runner, samples, reach };
}

describe('PollRunner', () => {
  it('runs one timer per poll group, each on its own interval, first poll at once', async () => {
    const src = fakeSource('d1', [1000, 5000]);
    const ticks: [string, number, number][] = [];
    const { samples, reach } = run([src], { onTick: (d, g, late) => ticks.push([d, g, late]) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ticks).toHaveLength(14);
    expect(ticks.every(([d, , late]) => d === 'd1' && late >= 0 && late < 5)).toBe(true);
    const g0 = src.reads.filter((r) => r.group === 0).length;
    const g1 = src.reads.filter((r) => r.group === 1).length;
    expect(g0).toBe(11); // t = 0, 1 s, … 10 s
    expect(g1).toBe(3); // t = 0, 5 s, 10 s
    expect(samples).toHaveLength(14);
    expect(reach).toEqual([['d1', true, 'connected']]);
    expect(runner?.health()[0]).toMatchObject({
      connected: true,
      reachable: true,
      polls: 14,
      skippedTicks: 0,
      overruns: 0,
    });
  });

  it('a poll that overruns its interval reads again back to back (counted as overruns), never queueing more', async () => {
    const src = fakeSource('d1', [1000], { readMs: 2500 });
    run([src]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(src.maxConcurrent).toBe(1);
    // each read takes 2.5 s and a tick came meanwhile: the next starts as the previous ends, at the source's rate
    expect(src.reads.map((r) => r.at - 1_000_000)).toEqual([0, 2500, 5000, 7500, 10_000]);
    // every tick (1, 2, … 10 s) found the group busy: counted as overruns, none skipped
    expect(runner?.health()[0]).toMatchObject({ overruns: 10, skippedTicks: 0 });
  });

  it('a poll that fits its interval keeps the schedule: no back-to-back reads', async () => {
    const src = fakeSource('d1', [1000], { readMs: 400 });
    run([src]);
    await vi.advanceTimersByTimeAsync(3_500);
    expect(src.reads.map((r) => r.at - 1_000_000)).toEqual([0, 1000, 2000, 3000]);
    expect(runner?.health()[0]).toMatchObject({ overruns: 0, skippedTicks: 0 });
  });

  it('after N consecutive link faults it re-creates the connection after a jittered backoff', async () => {
    const src = fakeSource('d1', [1000], {
      result: (n) => (n <= 3 ? linkFault() : { samples: [], failures: [] }),
    });
    (src as { reconnectPolicy?: object }).reconnectPolicy = {
      afterFailures: 3,
      initialMs: 1000,
      maxMs: 8000,
    };
    const { reach } = run([src]);
    await vi.advanceTimersByTimeAsync(2000); // polls at 0, 1, 2 s all fail
    expect(src.connects).toBe(1);
    expect(src.closes).toBe(1);
    expect(reach.map(([, r]) => r)).toEqual([true, false]);
    expect(reach[1]?.[2]).toMatch(/3 polls in a row failed: no response/);
    // random 0.5 → half fixed + half of the random half: 1000/2 + 0.5 × 1000/2 = 750 ms
    await vi.advanceTimersByTimeAsync(749);
    expect(src.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(src.connects).toBe(2);
    expect(reach.map(([, r]) => r)).toEqual([true, false, true]);
    await vi.advanceTimersByTimeAsync(10);
    const h = runner?.health()[0];
    expect(h).toMatchObject({ reconnects: 1, connected: true, consecutiveLinkFaults: 0 });
    expect(h?.errors).toEqual({ MODBUS_TIMEOUT: 3 });
    expect(src.reads).toHaveLength(4);
    expect(h?.lastGoodPoll).toBeGreaterThanOrEqual(1_002_750);
  });

  it('a device that stops answering on a healthy shared line is unreachable, without resetting the line', async () => {
    const silent = (): ReadResult => ({
      samples: [{ device: 'd1', metric: 'v', value: null, timestamp: Date.now(), quality: 'bad' }],
      failures: [
        { code: 'MODBUS_UNIT_BACKOFF', message: 'unit 2 skipped', linkFault: false, noAnswer: true },
      ],
    });
    const src = fakeSource('d1', [1000], {
      result: (n) =>
        n >= 2 && n <= 5
          ? silent()
          : {
              samples: [{ device: 'd1', metric: 'v', value: n, timestamp: Date.now(), quality: 'good' }],
              failures: [],
            },
    });
    const { reach } = run([src]);
    await vi.advanceTimersByTimeAsync(3000); // polls 1 (good), 2, 3, 4 (silent)
    expect(reach.map(([, r, why]) => [r, why])).toEqual([
      [true, 'connected'],
      [false, '3 polls in a row got no answer: unit 2 skipped'],
    ]);
    expect(src.closes).toBe(0);
    expect(runner?.health()[0]?.reconnects).toBe(0);
    await vi.advanceTimersByTimeAsync(2000); // poll 5 silent, poll 6 answers
    expect(reach.map(([, r]) => r)).toEqual([true, false, true]);
    expect(reach[2]?.[2]).toBe('answering again');
    expect(src.connects).toBe(1);
  });

  it('a failing connect is retried with exponential backoff up to the maximum', async () => {
    const src = fakeSource('d1', [1000], {
      connect: async (n) => {
        if (n <= 5) throw Object.assign(new Error('connection refused'), { code: 'MODBUS_CONNECT' });
      },
    });
    (src as { reconnectPolicy?: object }).reconnectPolicy = {
      afterFailures: 3,
      initialMs: 1000,
      maxMs: 4000,
    };
    const { reach } = run([src], { random: () => 1 });
    const attempts: number[] = [];
    for (let i = 0; i < 20_000; i += 50) {
      const before = src.connects;
      await vi.advanceTimersByTimeAsync(50);
      if (src.connects > before) attempts.push(Date.now() - 1_000_000);
    }
    // first try at 0; then 1 s, 2 s, 4 s, 4 s (capped) after each failure
    expect(attempts).toEqual([1000, 3000, 7000, 11000, 15000].map((t) => Math.ceil(t / 50) * 50));
    expect(reach.map(([, r]) => r)).toEqual([false, true]);
    expect(runner?.health()[0]?.errors).toEqual({ MODBUS_CONNECT: 5 });
  });

  it('a source that throws, and callbacks that throw, never escape the runner', async () => {
    const src = fakeSource('d1', [1000], { throwOnRead: true });
    run([src], {
      onSamples: () => {
        throw new Error('consumer bug');
      },
      onReachability: () => {
        throw new Error('consumer bug');
      },
    });
    await vi.advanceTimersByTimeAsync(5000);
    const h = runner?.health()[0];
    expect(h?.errors.SOURCE_THREW).toBeGreaterThanOrEqual(3);
    expect(h?.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('counts Modbus exception codes in health and keeps the last good poll', async () => {
    const src = fakeSource('d1', [1000], {
      result: (n) =>
        n === 2
          ? {
              samples: [],
              failures: [{ code: 'MODBUS_EXCEPTION', message: 'exception 2', detail: 2, linkFault: false }],
            }
          : { samples: [], failures: [] },
    });
    run([src]);
    await vi.advanceTimersByTimeAsync(1000);
    const h = runner?.health()[0];
    expect(h?.exceptionCodes).toEqual({ '2': 1 });
    expect(h?.lastError).toMatchObject({ code: 'MODBUS_EXCEPTION', detail: 2 });
    expect(h?.lastGoodPoll).toBe(1_000_000);
    expect(h?.reconnects).toBe(0);
  });

  it('stop() ends polling and closes every source', async () => {
    const a = fakeSource('a', [1000]);
    const b = fakeSource('b', [1000], { readMs: 5000 });
    run([a, b]);
    await vi.advanceTimersByTimeAsync(1500);
    await runner?.stop();
    const reads = a.reads.length + b.reads.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.reads.length + b.reads.length).toBe(reads);
    expect(a.closes).toBe(1);
    expect(b.closes).toBe(1);
    expect(runner?.health().map((h) => h.connected)).toEqual([false, false]);
  });

  it('refuses two sources for one device', () => {
    expect(() => run([fakeSource('a', [1000]), fakeSource('a', [1000])])).toThrow(/two sources for device a/);
  });
});
