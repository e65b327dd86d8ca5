/**
 * One transaction at a time on a shared line (an RS-485 bus, a serial gateway, a DTU), protocol-neutral: jobs run in
 * order, a silence is kept between transactions, a job whose signal aborts resolves at once with the caller's
 * "aborted" value, and nothing ever rejects — every outcome is a value. Used by the Modbus line and the DL/T 645 bus.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface TransactionQueueOptions<Req, Res> {
  /** runs one transaction; must not throw (outcomes are values) */
  execute(req: Req): Promise<Res>;
  /** silence to keep between the end of one transaction and the start of the next, read before each */
  gapMs(): number;
  /** an outcome without touching the line (e.g. a unit in backoff); undefined to run the job */
  skip?(req: Req): Res | undefined;
  /** called once per settled job */
  onSettled?(res: Res): void;
  now(): number;
  log: Logger;
}

interface Job<Req, Res> {
  req: Req;
  resolve: (r: Res) => void;
  settled: boolean;
  detach: () => void;
}

export class TransactionQueue<Req, Res> {
  private readonly jobs: Job<Req, Res>[] = [];
  private pumping = false;
  private lastEnd = 0;

  constructor(private readonly opts: TransactionQueueOptions<Req, Res>) {}

  /** Queues one transaction; resolves with its outcome, or `aborted()` as soon as the signal aborts. */
  run(req: Req, signal: AbortSignal, aborted: () => Res): Promise<Res> {
    return new Promise<Res>((resolve) => {
      const job: Job<Req, Res> = { req, resolve, settled: false, detach: () => {} };
      if (signal.aborted) return this.settle(job, aborted());
      const onAbort = () => this.settle(job, aborted());
      // a runner's session signal outlives thousands of transactions: never leave a listener behind
      signal.addEventListener('abort', onAbort, { once: true });
      job.detach = () => signal.removeEventListener('abort', onAbort);
      this.jobs.push(job);
      void this.pump();
    });
  }

  /** Resolves every queued job with `outcome(req)` (the line closed). */
  drain(outcome: (req: Req) => Res): void {
    for (const job of this.jobs.splice(0)) this.settle(job, outcome(job.req));
  }

  private settle(job: Job<Req, Res>, r: Res): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    this.opts.onSettled?.(r);
    job.resolve(r);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
        if (job.settled) continue;
        const skipped = this.opts.skip?.(job.req);
        if (skipped !== undefined) {
          this.settle(job, skipped);
          continue;
        }
        const wait = this.lastEnd + this.opts.gapMs() - this.opts.now();
        if (wait > 0) await sleep(wait);
        if (job.settled) continue;
        const result = await this.opts.execute(job.req);
        this.lastEnd = this.opts.now();
        this.settle(job, result);
      }
    } catch (err) {
      // execute() never throws; this is a programming error, surfaced without losing the queue
      this.opts.log.error({ err }, 'line transaction queue failed');
    } finally {
      this.pumping = false;
      if (this.jobs.length > 0) void this.pump();
    }
  }
}

/**
 * Opens a line once for concurrent callers: the first call dials, the others wait for the same attempt; each caller
 * stops waiting when its own signal aborts (the attempt goes on for the others).
 */
export class SharedOpen {
  private attempt: Promise<void> | undefined;

  open(dial: () => Promise<void>, signal: AbortSignal, abortedError: () => Error): Promise<void> {
    this.attempt ??= dial().finally(() => {
      this.attempt = undefined;
    });
    const attempt = this.attempt;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortedError());
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      attempt.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
