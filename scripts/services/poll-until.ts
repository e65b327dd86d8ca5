import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  /** give up after this many ms */
  timeoutMs: number;
  /** pause between attempts */
  intervalMs?: number;
  signal?: AbortSignal;
  /** what we are waiting for, for the error message */
  what: string;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`, or the deadline passes. An attempt that throws
 * counts as "not yet"; the last error is the `cause` of the timeout. `stop` lets the caller end the wait early
 * (e.g. the process exited) by returning a reason.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  opts: PollOptions & { stop?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    const stopped = opts.stop?.();
    if (stopped !== undefined) throw new Error(`${opts.what}: ${stopped}`, { cause: lastError });
    try {
      const v = await attempt();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${opts.what}: not ready after ${opts.timeoutMs} ms`, { cause: lastError });
    }
    await delay(interval, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
}
