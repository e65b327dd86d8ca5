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
import { SharedOpen, TransactionQueue } from '../serial-line/transaction-queue.js';
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

export class ModbusLine {
  private readonly users = new Map<symbol, LineUser>();
  private readonly units = new Map<number, UnitState>();
  private client: ModbusClient | undefined;
  private readonly opener = new SharedOpen();
  private readonly queue: TransactionQueue<TransactRequest, TransactResult>;
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
  ) {
    this.queue = new TransactionQueue({
      execute: (req) => this.execute(req),
      gapMs: () => this.interFrameDelayMs,
      skip: (req) => this.unitInBackoff(req),
      now: () => this.clock.now(),
      log,
    });
  }

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
    await this.opener.open(
      () => this.dial(timeoutMs),
      signal,
      () => new ModbusConnectError(this.key, new Error('aborted')),
    );
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
    this.queue.drain(() => this.fail(MODBUS_FAILURE_CODES.aborted, 'line closed', false));
    this.client?.destroy();
    this.client = undefined;
  }

  /** Queues one read. Never rejects: every outcome is a value. */
  transact(req: TransactRequest, signal: AbortSignal): Promise<TransactResult> {
    return this.queue.run(req, signal, () =>
      this.fail(MODBUS_FAILURE_CODES.aborted, `${req.label}: aborted`, false),
    );
  }

  private fail(code: string, message: string, linkFault: boolean, detail?: number): TransactResult {
    const failure: ReadFailure = { code, message, linkFault };
    if (code === MODBUS_FAILURE_CODES.unitBackoff) failure.noAnswer = true;
    if (detail !== undefined) failure.detail = detail;
    return { ok: false, failure, at: this.clock.now() };
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
