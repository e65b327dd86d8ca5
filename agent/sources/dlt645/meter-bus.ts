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
import { SharedOpen, TransactionQueue } from '../serial-line/transaction-queue.js';
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

export class MeterBus {
  private readonly users = new Map<symbol, MeterUser>();
  private readonly decoder = new FrameDecoder();
  private link: BusLink | undefined;
  private readonly opener = new SharedOpen();
  private readonly queue: TransactionQueue<MeterRead, MeterReadResult>;
  /** receives decoded items while a transaction waits for its answer */
  private listener: ((item: DecodedItem) => void) | undefined;
  /** fails the exchange in flight when the link goes down */
  private linkDown: ((reason: string) => void) | undefined;
  /** timeouts in a row across all meters; any answer resets it */
  private consecutiveTimeouts = 0;
  private readonly closeController = new AbortController();
  readonly stats: BusStats = { requests: 0, noiseBytes: 0, foreignFrames: 0, failures: {} };

  constructor(
    readonly key: string,
    private readonly endpoint: Dlt645Endpoint,
    private readonly log: Logger,
  ) {
    this.queue = new TransactionQueue({
      execute: (req) => this.execute(req),
      gapMs: () => this.interFrameDelayMs,
      onSettled: (r) => {
        if (!r.ok) this.stats.failures[r.failure.code] = (this.stats.failures[r.failure.code] ?? 0) + 1;
      },
      now: Date.now,
      log,
    });
  }

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
    await this.opener.open(
      () => this.dial(timeoutMs),
      signal,
      () => new Error(`opening meter bus ${this.key}: aborted`),
    );
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
          // the answer being waited for cannot come any more: fail it now, not at its timeout
          this.linkDown?.(reason);
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
    this.queue.drain((req) => this.fail(CODES.aborted, `${req.label}: bus closed`, false));
    this.link?.close();
    this.link = undefined;
  }

  /** Queues one read (with its follow-up frames). Never rejects: every outcome is a value. */
  read(req: MeterRead, signal: AbortSignal): Promise<MeterReadResult> {
    return this.queue.run(req, signal, () => this.fail(CODES.aborted, `${req.label}: aborted`, false));
  }

  private fail(code: string, message: string, linkFault: boolean, detail?: number): Failed {
    const failure: ReadFailure = { code, message, linkFault };
    if (detail !== undefined) failure.detail = detail;
    if (code === CODES.timeout) failure.noAnswer = true;
    return { ok: false, failure, at: Date.now() };
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
        this.linkDown = undefined;
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
      this.linkDown = (reason) =>
        done(this.fail(CODES.notConnected, `${req.label}: the bus went down (${reason})`, true));
      this.decoder.reset();
      link.write(bytes);
    });
  }
}
