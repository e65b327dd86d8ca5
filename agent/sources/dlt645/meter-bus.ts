/**
 * A meter bus: one connection (a serial port or a DTU socket) shared by every meter on it, with ONE transaction
 * queue — one request at a time, a silence between transactions, a deadline on each — and per-request outcomes as
 * values: a silent meter, a broken checksum or an error reply fails that request only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Dlt645Version } from '../../../protocols/dlt645/data-identifiers.js';
import { type DecodedItem, encodeFrame, FrameDecoder, hex } from '../../../protocols/dlt645/frame.js';
import { interpretReadReply, readFollowRequest, readRequest } from '../../../protocols/dlt645/messages.js';
import type { ReadFailure } from '../source.js';
import { type BusLink, openBusLink } from './bus-link.js';
import { DLT645_FAILURE_CODES as CODES } from './dlt645-failures.js';
import type { Dlt645Endpoint } from './dlt645-url.js';

export interface MeterUser {
  address: string;
  /** silence kept between two transactions (the largest of the bus's meters wins) */
  interFrameDelayMs: number;
}

export interface MeterRead {
  version: Dlt645Version;
  address: string;
  di: string;
  timeoutMs: number;
  preamble: number;
  /** for messages: "00010000 @000012345678" */
  label: string;
}

export type Failed = { ok: false; failure: ReadFailure; at: number };
export type MeterReadResult = { ok: true; value: Uint8Array; at: number } | Failed;
type Exchanged = { ok: true; value: Uint8Array; more: boolean; at: number } | Failed;

/** Long data comes in at most this many follow-up frames (a meter that keeps saying "more" is broken). */
const MAX_FOLLOW_UPS = 16;

export interface BusStats {
  requests: number;
  /** bytes skipped on the bus that belonged to no frame */
  noiseBytes: number;
  /** complete frames that answered no request of ours (late answers, other masters, echoes) */
  foreignFrames: number;
  failures: Record<string, number>;
}

interface Job {
  req: MeterRead;
  signal: AbortSignal;
  resolve: (r: MeterReadResult) => void;
  settled: boolean;
  detach: () => void;
}

export class MeterBus {
  private readonly users = new Map<symbol, MeterUser>();
  private readonly queue: Job[] = [];
  private readonly decoder = new FrameDecoder();
  private link: BusLink | undefined;
  private opening: Promise<void> | undefined;
  private pumping = false;
  private lastEnd = 0;
  /** receives decoded items while a transaction waits for its answer */
  private listener: ((item: DecodedItem) => void) | undefined;
  /** timeouts in a row across all meters; any answer resets it */
  private consecutiveTimeouts = 0;
  private readonly closeController = new AbortController();
  readonly stats: BusStats = { requests: 0, noiseBytes: 0, foreignFrames: 0, failures: {} };

  constructor(
    readonly key: string,
    private readonly endpoint: Dlt645Endpoint,
    private readonly log: Logger,
  ) {}

  attach(user: MeterUser): symbol {
    const token = Symbol(user.address);
    this.users.set(token, user);
    return token;
  }

  /** Removes a user; returns how many remain. The caller closes the bus when none do. */
  detach(token: symbol): number {
    this.users.delete(token);
    return this.users.size;
  }

  get connected(): boolean {
    return this.link?.open === true;
  }

  get meterCount(): number {
    return new Set([...this.users.values()].map((u) => u.address)).size;
  }

  /** The bus itself, not one meter, looks broken: every meter stayed silent in turn. */
  get linkSuspect(): boolean {
    return this.consecutiveTimeouts >= Math.max(1, this.meterCount);
  }

  private get interFrameDelayMs(): number {
    let d = 0;
    for (const u of this.users.values()) d = Math.max(d, u.interFrameDelayMs);
    return d;
  }

  /** Opens the bus if it is not open; concurrent callers share one attempt. */
  async open(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.link?.open === true) return;
    this.opening ??= this.dial(timeoutMs).finally(() => {
      this.opening = undefined;
    });
    const attempt = this.opening;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error(`opening meter bus ${this.key}: aborted`));
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

  private async dial(timeoutMs: number): Promise<void> {
    this.link?.close();
    this.link = undefined;
    this.decoder.reset();
    const link = await openBusLink(
      this.key,
      this.endpoint,
      {
        onData: (chunk) => this.onData(chunk),
        onDown: (reason) => {
          if (this.link !== link) return;
          this.log.warn({ reason }, 'meter bus down');
          this.link = undefined;
        },
      },
      timeoutMs,
      this.closeController.signal,
    );
    this.link = link;
    this.consecutiveTimeouts = 0;
    this.log.info('meter bus open');
  }

  private onData(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'noise') {
        this.stats.noiseBytes += item.bytes;
        this.log.debug({ bytes: item.bytes }, 'skipped bytes that belong to no frame');
      }
      if (this.listener) this.listener(item);
      else if (item.kind !== 'noise') {
        this.stats.foreignFrames++;
        this.log.debug({ frame: hex(item.raw) }, 'a frame arrived while no request was waiting: dropped');
      }
    }
  }

  /** Drops the connection (a suspect link): the next open() dials again. */
  reset(reason: string): void {
    if (this.link === undefined) return;
    this.log.warn({ reason }, 'meter bus reset');
    this.link.close();
    this.link = undefined;
  }

  /** Closes the bus for good: queued work resolves as aborted. */
  close(): void {
    this.closeController.abort();
    for (const job of this.queue.splice(0)) this.settle(job, this.fail(CODES.aborted, 'bus closed', false));
    this.link?.close();
    this.link = undefined;
  }

  /** Queues one read (with its follow-up frames). Never rejects: every outcome is a value. */
  read(req: MeterRead, signal: AbortSignal): Promise<MeterReadResult> {
    return new Promise<MeterReadResult>((resolve) => {
      const job: Job = { req, signal, resolve, settled: false, detach: () => {} };
      const aborted = () => this.fail(CODES.aborted, `${req.label}: aborted`, false);
      if (signal.aborted) return this.settle(job, aborted());
      const onAbort = () => this.settle(job, aborted());
      signal.addEventListener('abort', onAbort, { once: true });
      job.detach = () => signal.removeEventListener('abort', onAbort);
      this.queue.push(job);
      void this.pump();
    });
  }

  private settle(job: Job, r: MeterReadResult): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    if (!r.ok) this.stats.failures[r.failure.code] = (this.stats.failures[r.failure.code] ?? 0) + 1;
    job.resolve(r);
  }

  private fail(code: string, message: string, linkFault: boolean, detail?: number): Failed {
    const failure: ReadFailure = { code, message, linkFault };
    if (detail !== undefined) failure.detail = detail;
    if (code === CODES.timeout) failure.noAnswer = true;
    return { ok: false, failure, at: Date.now() };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        if (job.settled) continue;
        const wait = this.lastEnd + this.interFrameDelayMs - Date.now();
        if (wait > 0) await sleep(wait);
        if (job.settled) continue;
        const result = await this.execute(job.req);
        this.lastEnd = Date.now();
        this.settle(job, result);
      }
    } catch (err) {
      // execute() never throws; this is a programming error, surfaced without losing the queue
      this.log.error({ err }, 'meter bus queue failed');
    } finally {
      this.pumping = false;
      if (this.queue.length > 0) void this.pump();
    }
  }

  private async execute(req: MeterRead): Promise<MeterReadResult> {
    const link = this.link;
    if (link === undefined || !link.open)
      return this.fail(CODES.notConnected, `${req.label}: meter bus ${this.key} is not open`, true);
    this.stats.requests++;
    const parts: Uint8Array[] = [];
    let frame = readRequest(req.version, req.address, req.di);
    for (let seq = 0; seq <= MAX_FOLLOW_UPS; seq++) {
      const answer = await this.exchange(link, encodeFrame(frame, req.preamble), req, seq > 0);
      if (!answer.ok) {
        if (answer.failure.code !== CODES.errorReply) await this.settleLine();
        return answer;
      }
      parts.push(answer.value);
      if (!answer.more) {
        const value = Uint8Array.from(parts.flatMap((p) => [...p]));
        return { ok: true, value, at: answer.at };
      }
      frame = readFollowRequest(req.version, req.address, req.di, seq + 1);
    }
    return this.fail(CODES.badReply, `${req.label}: more than ${MAX_FOLLOW_UPS} follow-up frames`, false);
  }

  /** After a failed exchange, let a late or broken answer finish arriving, then drop it. */
  private async settleLine(): Promise<void> {
    await sleep(Math.max(50, this.interFrameDelayMs * 2));
    this.decoder.reset();
  }

  /** One request frame and its answer. */
  private exchange(link: BusLink, bytes: Uint8Array, req: MeterRead, follow: boolean): Promise<Exchanged> {
    return new Promise((resolve) => {
      const done = (r: Exchanged) => {
        clearTimeout(timer);
        this.listener = undefined;
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.consecutiveTimeouts++;
        done(
          this.fail(CODES.timeout, `${req.label}: no answer within ${req.timeoutMs} ms`, this.linkSuspect),
        );
      }, req.timeoutMs);
      this.listener = (item) => {
        if (item.kind === 'noise') return;
        if (item.kind === 'bad-checksum') {
          this.consecutiveTimeouts = 0;
          return done(
            this.fail(
              CODES.checksum,
              `${req.label}: answer with a wrong checksum (0x${item.got.toString(16)}, expected 0x${item.expected.toString(16)}): ${hex(item.raw)}`,
              false,
            ),
          );
        }
        const r = interpretReadReply(req.version, item.frame, { address: req.address, di: req.di, follow });
        if (r.kind === 'other') {
          this.stats.foreignFrames++;
          this.log.debug(
            { frame: hex(item.raw), why: r.why },
            'a frame that answers no request of ours: ignored',
          );
          return;
        }
        this.consecutiveTimeouts = 0;
        if (r.kind === 'bad') return done(this.fail(CODES.badReply, `${req.label}: ${r.why}`, false));
        if (r.kind === 'error')
          return done(
            this.fail(
              CODES.errorReply,
              `${req.label}: the meter answered with an error (0x${r.errorByte.toString(16).padStart(2, '0')}): ${r.message}`,
              false,
              r.errorByte,
            ),
          );
        done({ ok: true, value: r.value, more: r.more, at: Date.now() });
      };
      this.decoder.reset();
      link.write(bytes);
    });
  }
}
