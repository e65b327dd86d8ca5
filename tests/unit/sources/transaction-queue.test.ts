import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SharedOpen, TransactionQueue } from '../../../agent/sources/serial-line/transaction-queue.js';

const log = pino({ level: 'silent' });

/** A line whose transactions finish only when the test says so, recording how many run at once. */
function line() {
  const finish: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const order: string[] = [];
  const q = new TransactionQueue<string, string>({
    execute: (req) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      order.push(req);
      return new Promise<string>((resolve) =>
        finish.push(() => {
          running--;
          resolve(`done ${req}`);
        }),
      );
    },
    gapMs: () => 0,
    skip: (req) => (req.startsWith('skip') ? `skipped ${req}` : undefined),
    now: Date.now,
    log,
  });
  const next = async () => {
    // a bounded wait for the next transaction to start (never a hang when the queue is broken)
    for (let turns = 0; finish.length === 0; turns++) {
      if (turns > 1000) throw new Error('no transaction started');
      await new Promise((r) => setImmediate(r));
    }
    finish.shift()?.();
  };
  return { q, next, order, max: () => maxRunning };
}

// a broken queue leaves a transaction waiting forever: fail within seconds instead of at the suite's hang guard
describe('the shared line transaction queue', { timeout: 5000 }, () => {
  it('runs one transaction at a time, in order, and skips without touching the line', async () => {
    const { q, next, order, max } = line();
    const never = new AbortController().signal;
    const all = Promise.all([
      q.run('a', never, () => 'x'),
      q.run('skip-b', never, () => 'x'),
      q.run('c', never, () => 'x'),
    ]);
    await next();
    await next();
    expect(await all).toEqual(['done a', 'skipped skip-b', 'done c']);
    expect(order).toEqual(['a', 'c']);
    expect(max()).toBe(1);
  });

  it('a caller whose signal aborts gets its aborted value at once; the queue goes on for the others', async () => {
    const { q, next, order } = line();
    const never = new AbortController().signal;
    const ac = new AbortController();
    const first = q.run('a', never, () => 'aborted a');
    const second = q.run('b', ac.signal, () => 'aborted b');
    const third = q.run('c', never, () => 'aborted c');
    ac.abort();
    expect(await second).toBe('aborted b');
    await next();
    await next();
    expect([await first, await third]).toEqual(['done a', 'done c']);
    expect(order).toEqual(['a', 'c']);
  });

  it('drain resolves every queued job with the closing outcome', async () => {
    const { q, next } = line();
    const never = new AbortController().signal;
    const first = q.run('a', never, () => 'x');
    const queued = q.run('b', never, () => 'x');
    q.drain((req) => `closed ${req}`);
    expect(await queued).toBe('closed b');
    await next();
    expect(await first).toBe('done a');
  });

  it('concurrent opens share one attempt; an aborted caller stops waiting', async () => {
    const opener = new SharedOpen();
    let dials = 0;
    let release: () => void = () => {};
    const dial = () => {
      dials++;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    const ac = new AbortController();
    const a = opener.open(dial, new AbortController().signal, () => new Error('aborted'));
    const b = opener.open(dial, ac.signal, () => new Error('aborted b'));
    ac.abort();
    await expect(b).rejects.toThrow('aborted b');
    release();
    await expect(a).resolves.toBeUndefined();
    expect(dials).toBe(1);
  });
});
