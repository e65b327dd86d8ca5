/** The subscribe runner's lifecycle with a scripted source and fake timers. */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { SubscribeRunner } from '../../../agent/runner/subscribe-runner.js';
import type { SubscribingSource } from '../../../agent/sources/source.js';
import type { Sample } from '../../../protocols/sample.js';

const log = pino({ level: 'silent' });

class ScriptedSource implements SubscribingSource {
  readonly kind = 'subscribing' as const;
  readonly metrics = [{ name: 'x', kind: 'double' as const }];
  connects = 0;
  closes = 0;
  failConnects = 0;
  emit: ((s: Sample[]) => void) | undefined;
  lose: ((err: Error) => void) | undefined;
  constructor(readonly device: string) {}
  async connect(): Promise<void> {
    this.connects++;
    if (this.failConnects > 0) {
      this.failConnects--;
      throw Object.assign(new Error('ECONNREFUSED'), { code: 'OPCUA_CONNECT_FAILED' });
    }
  }
  async subscribe(
    emit: (s: Sample[]) => void,
    _signal: AbortSignal,
    lost?: (err: Error) => void,
  ): Promise<void> {
    this.emit = emit;
    this.lose = lost;
  }
  async close(): Promise<void> {
    this.closes++;
  }
}

const sample = (v: number): Sample => ({ device: 'd', metric: 'x', value: v, timestamp: 0, quality: 'good' });

function make(sources: SubscribingSource[], random = () => 0) {
  const samples: Sample[] = [];
  const reach: string[] = [];
  const runner = new SubscribeRunner({
    sources,
    log,
    random,
    reconnect: { initialMs: 100, maxMs: 1000 },
    onSamples: (s) => samples.push(...s),
    onReachability: (d, r, why) => reach.push(`${d}:${r}:${why}`),
  });
  return { runner, samples, reach };
}

/** A source whose subscribe finishes only when the test says, ignoring its abort signal, and never reports a loss. */
class SlowSubscribeSource extends ScriptedSource {
  finish: (() => void) | undefined;
  subscribing = false;
  override async subscribe(): Promise<void> {
    this.subscribing = true;
    await new Promise<void>((resolve) => {
      this.finish = resolve;
    });
  }
}

describe('SubscribeRunner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a stop while a subscribe is under way ends once it returns, and closes the source', async () => {
    const src = new SlowSubscribeSource('a');
    const { runner } = make([src]);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(src.subscribing).toBe(true);
    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    // the subscription completes after the stop (the demo's Ctrl-C right after start): the runner must not wait
    // for a loss that will never be reported
    src.finish?.();
    await vi.advanceTimersByTimeAsync(0);
    await stopping;
    expect(stopped).toBe(true);
    expect(src.closes).toBeGreaterThanOrEqual(1);
  });

  test('retries a failing connect with jittered exponential backoff, without limit', async () => {
    const src = new ScriptedSource('a');
    src.failConnects = 40;
    const { runner, reach } = make([src]);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(src.connects).toBe(1);
    // random() = 0 → half of min(max, initial × 2^n): 50, 100, 200, 400, 500, 500 …
    await vi.advanceTimersByTimeAsync(49);
    expect(src.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(src.connects).toBe(2);
    await vi.advanceTimersByTimeAsync(100 + 200 + 400);
    expect(src.connects).toBe(5);
    await vi.advanceTimersByTimeAsync(500 * 36);
    expect(src.connects).toBe(41);
    expect(reach).toEqual(['a:false:ECONNREFUSED', 'a:true:subscribed']);
    expect(runner.health()[0]?.errors.OPCUA_CONNECT_FAILED).toBe(40);
    await runner.stop();
  });

  test('a lost subscription is closed and rebuilt; samples flow from the new one', async () => {
    const src = new ScriptedSource('a');
    const { runner, samples, reach } = make([src]);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    src.emit?.([sample(1)]);
    src.lose?.(Object.assign(new Error('connection lost'), { code: 'OPCUA_CONNECTION_LOST' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(src.closes).toBe(1);
    expect(reach).toEqual(['a:true:subscribed', 'a:false:connection lost']);
    await vi.advanceTimersByTimeAsync(50);
    expect(src.connects).toBe(2);
    src.emit?.([sample(2)]);
    expect(samples.map((s) => s.value)).toEqual([1, 2]);
    expect(runner.health()[0]).toMatchObject({ reconnects: 1, reachable: true });
    await runner.stop();
  });

  test('one source down does not delay another; a throwing onSamples is contained', async () => {
    const down = new ScriptedSource('down');
    down.failConnects = 1000;
    const up = new ScriptedSource('up');
    const seen: number[] = [];
    const runner = new SubscribeRunner({
      sources: [down, up],
      log,
      random: () => 0.5,
      onSamples: (s) => {
        seen.push(s.length);
        throw new Error('consumer bug');
      },
      onReachability: () => undefined,
    });
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    up.emit?.([sample(1)]);
    up.emit?.([sample(2)]);
    expect(seen).toEqual([1, 1]);
    expect(runner.health().map((h) => h.reachable)).toEqual([false, true]);
    await runner.stop();
  });

  test('stop() during backoff returns promptly and closes the source', async () => {
    const src = new ScriptedSource('a');
    src.failConnects = 1;
    const { runner } = make([src]);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopped = runner.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect(src.connects).toBe(1);
    expect(src.closes).toBeGreaterThanOrEqual(1);
  });
});
