/**
 * A Modbus line: one connection (TCP socket, serial port, or TCP to an RTU gateway) shared by every unit id behind
 * it, with ONE transaction queue: one request at a time, a silence between frames, a deadline on each request, and
 * per-unit backoff so a dead or slow unit does not stall the others.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Backoff } from '../../../protocols/backoff.js';
import { PlantpulseError } from '../../../protocols/errors.js';
import type { ReadFailure } from '../../sources/source.js';
import { ModbusClient, type ReadData, type ReadFc } from './modbus-client.js';
import { classifyModbusError, MODBUS_FAILURE_CODES } from './modbus-failures.js';
import type { ModbusEndpoint } from './modbus-url.js';

export interface Clock {
  now(): number;
}

export interface LineUser {
  unitId: number;
  /** silence kept between two transactions on this line (the largest of its users' wins) */
  interFrameDelayMs: number;
  /** per-unit backoff after repeated timeouts, used only when several units share the line */
  unitBackoff: { initialMs: number; maxMs: number };
  /** timeouts in a row before this unit is skipped for a backoff period (shared lines only) */
  skipAfterTimeouts: number;
}

export interface TransactRequest {
  unitId: number;
  fc: ReadFc;
  address: number;
  count: number;
  timeoutMs: number;
  /** for messages: "holding 100+4 @unit 1" */
  label: string;
}

export type TransactResult =
  | { ok: true; data: ReadData; at: number }
  | { ok: false; failure: ReadFailure; at: number };

export class ModbusConnectError extends PlantpulseError {
  constructor(line: string, cause: unknown) {
    super(
      'MODBUS_CONNECT',
      `cannot open modbus line ${line}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        retryable: true,
      },
    );
  }
}

interface UnitState {
  consecutiveTimeouts: number;
  /** created at the unit's first backoff, from its users' policy */
  backoff: Backoff | undefined;
  until: number;
}

interface Job {
  req: TransactRequest;
  signal: AbortSignal;
  resolve: (r: TransactResult) => void;
  settled: boolean;
  detach: () => void;
}

export class ModbusLine {
  private readonly users = new Map<symbol, LineUser>();
  private readonly units = new Map<number, UnitState>();
  private readonly queue: Job[] = [];
  private client: ModbusClient | undefined;
  private opening: Promise<void> | undefined;
  private pumping = false;
  private lastFrameEnd = 0;
  /** timeouts in a row across all units; any answer (even an exception) resets it */
  private consecutiveTimeouts = 0;
  /** the last outcome on this line was a link-level failure (no good answer since) */
  private suspect = false;
  private readonly closeController = new AbortController();

  constructor(
    readonly key: string,
    private readonly endpoint: ModbusEndpoint,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  attach(user: LineUser): symbol {
    const token = Symbol(`unit ${user.unitId}`);
    this.users.set(token, user);
    return token;
  }

  /** Removes a user; returns how many remain. The caller closes the line when none do. */
  detach(token: symbol): number {
    this.users.delete(token);
    return this.users.size;
  }

  get connected(): boolean {
    return this.client?.isOpen === true;
  }

  /** Units with distinct ids on this line. */
  get unitCount(): number {
    return new Set([...this.users.values()].map((u) => u.unitId)).size;
  }

  private get shared(): boolean {
    return this.unitCount > 1;
  }

  /** The line failed at link level and nothing has answered since: re-creating it may help. */
  get needsReset(): boolean {
    return this.suspect;
  }

  /** True when the line itself, not one unit, looks broken: every unit stayed silent in turn. */
  get linkSuspect(): boolean {
    return !this.shared || this.consecutiveTimeouts >= this.unitCount;
  }

  private get interFrameDelayMs(): number {
    let d = 0;
    for (const u of this.users.values()) d = Math.max(d, u.interFrameDelayMs);
    return d;
  }

  /** Opens the line if it is not open; concurrent callers share one attempt. */
  async open(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.client?.isOpen === true) return;
    if (this.opening === undefined) {
      this.opening = this.dial(timeoutMs).finally(() => {
        this.opening = undefined;
      });
    }
    const attempt = this.opening;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new ModbusConnectError(this.key, new Error('aborted')));
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
    this.client?.destroy();
    let client: ModbusClient;
    try {
      client = new ModbusClient(this.endpoint, {
        onDown: (reason) => {
          if (this.client === client) {
            this.log.warn({ reason }, 'modbus line down');
            this.client = undefined;
            client.destroy();
          }
        },
      });
      this.client = client;
      await client.open(timeoutMs, this.closeController.signal);
    } catch (err) {
      this.client = undefined;
      throw new ModbusConnectError(this.key, err);
    }
    this.consecutiveTimeouts = 0;
    this.log.info('modbus line open');
  }

  /** Drops the connection (a suspect link): pending work fails, the next open() dials again. */
  reset(reason: string): void {
    if (this.client === undefined) return;
    this.log.warn({ reason }, 'modbus line reset');
    const c = this.client;
    this.client = undefined;
    c.destroy();
  }

  /** Closes the line for good: queued work resolves as aborted. */
  close(): void {
    this.closeController.abort();
    for (const job of this.queue.splice(0))
      this.settle(job, this.fail(MODBUS_FAILURE_CODES.aborted, 'line closed', false));
    this.client?.destroy();
    this.client = undefined;
  }

  /** Queues one read. Never rejects: every outcome is a value. */
  transact(req: TransactRequest, signal: AbortSignal): Promise<TransactResult> {
    return new Promise<TransactResult>((resolve) => {
      const job: Job = { req, signal, resolve, settled: false, detach: () => {} };
      const aborted = () => this.fail(MODBUS_FAILURE_CODES.aborted, `${req.label}: aborted`, false);
      if (signal.aborted) return this.settle(job, aborted());
      const onAbort = () => this.settle(job, aborted());
      // the runner's session signal outlives thousands of transactions: never leave a listener behind
      signal.addEventListener('abort', onAbort, { once: true });
      job.detach = () => signal.removeEventListener('abort', onAbort);
      this.queue.push(job);
      void this.pump();
    });
  }

  private settle(job: Job, r: TransactResult): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    job.resolve(r);
  }

  private fail(code: string, message: string, linkFault: boolean, detail?: number): TransactResult {
    const failure: ReadFailure = { code, message, linkFault };
    if (code === MODBUS_FAILURE_CODES.unitBackoff) failure.noAnswer = true;
    if (detail !== undefined) failure.detail = detail;
    return { ok: false, failure, at: this.clock.now() };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        if (job.settled) continue;
        const backoff = this.unitInBackoff(job.req);
        if (backoff) {
          this.settle(job, backoff);
          continue;
        }
        const wait = this.lastFrameEnd + this.interFrameDelayMs - this.clock.now();
        if (wait > 0) await sleep(wait);
        if (job.settled) continue;
        const result = await this.execute(job.req);
        this.lastFrameEnd = this.clock.now();
        this.settle(job, result);
      }
    } catch (err) {
      // execute() never throws; this is a programming error, surfaced without losing the queue
      this.log.error({ err }, 'modbus line queue failed');
    } finally {
      this.pumping = false;
      if (this.queue.length > 0) void this.pump();
    }
  }

  private unitState(unitId: number): UnitState {
    let s = this.units.get(unitId);
    if (s === undefined) {
      s = { consecutiveTimeouts: 0, backoff: undefined, until: 0 };
      this.units.set(unitId, s);
    }
    return s;
  }

  private unitInBackoff(req: TransactRequest): TransactResult | undefined {
    const s = this.units.get(req.unitId);
    if (s === undefined || !this.shared) return undefined;
    const left = s.until - this.clock.now();
    if (left <= 0) return undefined;
    return this.fail(
      MODBUS_FAILURE_CODES.unitBackoff,
      `${req.label}: unit ${req.unitId} skipped for ${Math.ceil(left)} ms after ${s.consecutiveTimeouts} timeouts in a row`,
      this.linkSuspect,
    );
  }

  private async execute(req: TransactRequest): Promise<TransactResult> {
    const client = this.client;
    if (client === undefined || !client.isOpen) {
      return this.fail(
        MODBUS_FAILURE_CODES.notConnected,
        `${req.label}: line ${this.key} is not connected`,
        true,
      );
    }
    try {
      const data = await client.read(req.unitId, req.fc, req.address, req.count, req.timeoutMs);
      this.consecutiveTimeouts = 0;
      this.suspect = false;
      const s = this.unitState(req.unitId);
      s.consecutiveTimeouts = 0;
      s.backoff?.reset();
      return { ok: true, data, at: this.clock.now() };
    } catch (err) {
      const failure = classifyModbusError(err, req.label);
      if (failure.code === MODBUS_FAILURE_CODES.timeout) this.onTimeout(req.unitId);
      else if (failure.code === MODBUS_FAILURE_CODES.exception) this.consecutiveTimeouts = 0;
      if (failure.code === MODBUS_FAILURE_CODES.timeout) {
        failure.linkFault = this.linkSuspect;
        failure.noAnswer = true;
      }
      if (failure.code === MODBUS_FAILURE_CODES.exception) this.suspect = false;
      else if (failure.linkFault) this.suspect = true;
      if (this.endpoint.kind !== 'tcp' && failure.code !== MODBUS_FAILURE_CODES.exception) {
        // RTU has no transaction id: let a late or broken frame finish arriving, then drop it so it cannot be
        // mistaken for the answer to the next request.
        await sleep(Math.max(20, this.interFrameDelayMs * 2));
        client.flushReceiveBuffer();
      }
      return { ok: false, failure, at: this.clock.now() };
    }
  }

  private onTimeout(unitId: number): void {
    this.consecutiveTimeouts++;
    const s = this.unitState(unitId);
    s.consecutiveTimeouts++;
    // a unit times out only in a transaction of one of its users
    const user = [...this.users.values()].find((u) => u.unitId === unitId);
    if (!this.shared || user === undefined || s.consecutiveTimeouts < user.skipAfterTimeouts) return;
    s.backoff ??= new Backoff(user.unitBackoff);
    const backoffMs = s.backoff.next();
    s.until = this.clock.now() + backoffMs;
    this.log.warn(
      { unitId, backoffMs, timeouts: s.consecutiveTimeouts },
      'modbus unit not answering: backing off so the other units on the line keep their turn',
    );
  }
}
