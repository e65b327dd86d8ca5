/**
 * A thin promise wrapper over one modbus-serial client and its port (TCP, RTU over a serial line, RTU over TCP).
 * It builds the port itself so an 'error' listener is attached before anything can emit (modbus-serial #379:
 * an unplugged USB adapter crashes processes that listen too late), and it gives every call a deadline.
 */

import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { ioDeadline } from '../serial-line/io-deadline.js';
import type { ModbusEndpoint } from './modbus-url.js';

type NodeCallback<T> = (err: unknown, res?: T) => void;

/** The part of modbus-serial's ModbusRTU we use (its own .d.ts does not declare the port classes). */
interface RawClient extends EventEmitter {
  isOpen: boolean;
  _timeout: number | null;
  open(cb: (err?: unknown) => void): void;
  destroy(cb: () => void): void;
  close(cb: (err?: unknown) => void): void;
  writeFC1(unit: number, address: number, count: number, next: NodeCallback<{ data: boolean[] }>): void;
  writeFC2(unit: number, address: number, count: number, next: NodeCallback<{ data: boolean[] }>): void;
  writeFC3(unit: number, address: number, count: number, next: NodeCallback<{ data: number[] }>): void;
  writeFC4(unit: number, address: number, count: number, next: NodeCallback<{ data: number[] }>): void;
}
interface RawPort extends EventEmitter {
  _buffer?: Buffer;
  destroy?: unknown;
}
interface ModbusSerialModule {
  new (port: RawPort): RawClient;
  TcpPort: new (host: string, options: { port: number }) => RawPort;
  /** raw RTU frames (with CRC) over a TCP socket; modbus-serial's TcpRTUBufferedPort is MBAP despite its name */
  TelnetPort: new (
    host: string,
    options: { port: number },
  ) => RawPort;
  RTUBufferedPort?: new (
    path: string,
    options: { baudRate: number; parity: string; dataBits: number; stopBits: number },
  ) => RawPort;
}

const require = createRequire(import.meta.url);
const ModbusSerial = require('modbus-serial') as ModbusSerialModule;

export type ReadFc = 1 | 2 | 3 | 4;
export type ReadData = { kind: 'bits'; bits: boolean[] } | { kind: 'registers'; words: number[] };

export class ClientError extends Error {
  constructor(
    message: string,
    readonly errno: string,
  ) {
    super(message);
  }
}

/**
 * A response whose byte count does not match the request: fewer values than asked for (MODBUS_SHORT_RESPONSE) or
 * more (MODBUS_LONG_RESPONSE). modbus-serial checks the frame's length but trusts the byte count inside it, so a
 * short count used to come back as fewer registers, and the missing points read as zeros with good quality.
 */
export class ResponseLengthError extends ClientError {
  constructor(
    readonly kind: 'short' | 'long',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, kind === 'short' ? 'MODBUS_SHORT_RESPONSE' : 'MODBUS_LONG_RESPONSE');
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** The byte count a read of `count` items must carry: ⌈count / 8⌉ bytes of bits, or 2 bytes per register. */
export function expectedByteCount(fc: ReadFc, count: number): number {
  return fc <= 2 ? Math.ceil(count / 8) : count * 2;
}

/**
 * Checks a parsed response against its request. `buffer` is modbus-serial's `data.slice(3, 3 + byteCount)` of a frame
 * whose length it already checked (header + the expected data + CRC), so its length is the byte count, or more than
 * the expected count when the byte count is larger.
 */
function lengthProblem(
  fc: ReadFc,
  count: number,
  res: { data: boolean[] | number[]; buffer?: Uint8Array },
): ResponseLengthError | undefined {
  const want = expectedByteCount(fc, count);
  const wantItems = fc <= 2 ? want * 8 : count;
  const got = res.buffer?.length ?? want;
  const what = fc <= 2 ? `${count} bits need ${want} bytes` : `${count} registers need ${want} bytes`;
  if (got < want || res.data.length < wantItems) {
    return new ResponseLengthError('short', `short response: byte count ${got} where ${what}`);
  }
  if (got > want || res.data.length > wantItems) {
    return new ResponseLengthError('long', `long response: byte count above ${want} where ${what}`);
  }
  return undefined;
}

/**
 * Turns modbus-serial's errors about a response's length into ResponseLengthError where the cause is known: a frame
 * shorter than a right answer (Modbus TCP: the MBAP length, and the byte count with it, says fewer bytes) is a
 * short response; its parser reading past the frame (a byte count larger than the frame it came in) is a long one.
 */
function lengthError(err: unknown, fc: ReadFc, count: number): ResponseLengthError | undefined {
  const want = expectedByteCount(fc, count);
  if (err instanceof RangeError && (err as NodeJS.ErrnoException).code === 'ERR_OUT_OF_RANGE') {
    return new ResponseLengthError(
      'long',
      `long response: byte count runs past the frame (${want} bytes expected)`,
      {
        cause: err,
      },
    );
  }
  const m = err instanceof Error ? /^Data length error, expected (\d+) got (\d+)$/.exec(err.message) : null;
  if (m === null) return undefined;
  const [expected, got] = [Number(m[1]), Number(m[2])];
  // an exception answer is shorter too, but modbus-serial reports those before it checks the length
  if (got >= expected) return undefined;
  return new ResponseLengthError(
    'short',
    `short response: a frame with ${Math.max(0, got - 5)} data bytes where ${count} ${fc <= 2 ? 'bits' : 'registers'} need ${want}`,
    { cause: err },
  );
}

export interface ClientEvents {
  /** the port reported an error or closed: the client is unusable until re-created */
  onDown(reason: string): void;
}

export class ModbusClient {
  private readonly client: RawClient;
  private readonly port: RawPort;
  private down = false;
  /** fails the transaction in flight: modbus-serial leaves it to time out when the connection drops */
  private failPending: ((err: unknown) => void) | undefined;

  constructor(endpoint: ModbusEndpoint, events: ClientEvents) {
    this.port = createPort(endpoint);
    this.client = new ModbusSerial(this.port);
    const markDown = (reason: string) => {
      if (this.down) return;
      this.down = true;
      this.failPending?.(new ClientError(`connection lost (${reason})`, 'ECONNRESET'));
      events.onDown(reason);
    };
    // Listeners first, before anything can emit.
    this.port.on('error', (err: unknown) => markDown(`port error: ${errorText(err)}`));
    this.port.on('close', () => markDown('port closed'));
    this.client.on('error', (err: unknown) => markDown(`client error: ${errorText(err)}`));
    this.client.on('close', () => markDown('connection closed'));
  }

  get isOpen(): boolean {
    return !this.down && this.client.isOpen;
  }

  /** Opens the port (dials TCP, opens the serial device) within `timeoutMs`. */
  open(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        cancelDeadline();
        signal.removeEventListener('abort', onAbort);
        if (err === undefined || err === null) resolve();
        else {
          this.destroy();
          reject(err);
        }
      };
      const onAbort = () => finish(new ClientError('connect aborted', 'ABORT_ERR'));
      const cancelDeadline = ioDeadline(timeoutMs, () =>
        finish(new ClientError('connect timed out', 'ETIMEDOUT')),
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        this.client.open((err) => finish(err));
      } catch (err) {
        finish(err);
      }
    });
  }

  /**
   * One read transaction. modbus-serial's own per-request timeout is set, and an outer deadline guards against a
   * callback that never comes (a socket reset does not fail pending transactions in modbus-serial).
   */
  read(unitId: number, fc: ReadFc, address: number, count: number, timeoutMs: number): Promise<ReadData> {
    return new Promise<ReadData>((resolve, reject) => {
      let settled = false;
      const outer = setTimeout(() => done(new ClientError('Timed out', 'ETIMEDOUT')), timeoutMs + 50);
      const done = (err: unknown, res?: { data: boolean[] | number[]; buffer?: Uint8Array }) => {
        if (settled) return;
        settled = true;
        clearTimeout(outer);
        this.failPending = undefined;
        if (err !== null && err !== undefined) return reject(lengthError(err, fc, count) ?? err);
        if (res === undefined) return reject(new ClientError('empty response', 'EPROTO'));
        const bad = lengthProblem(fc, count, res);
        if (bad !== undefined) return reject(bad);
        resolve(
          fc <= 2
            ? { kind: 'bits', bits: (res.data as boolean[]).slice(0, count) }
            : { kind: 'registers', words: res.data as number[] },
        );
      };
      if (this.down) return done(new ClientError('Port Not Open', 'ECONNREFUSED'));
      this.failPending = (err) => done(err);
      try {
        this.client._timeout = timeoutMs;
        const method = fc === 1 ? 'writeFC1' : fc === 2 ? 'writeFC2' : fc === 3 ? 'writeFC3' : 'writeFC4';
        (
          this.client[method] as (u: number, a: number, c: number, n: NodeCallback<{ data: never[] }>) => void
        )(unitId, address, count, done);
      } catch (err) {
        done(err);
      }
    });
  }

  /** Drops whatever partial frame the RTU framer holds (after a timeout or a CRC error on a serial line). */
  flushReceiveBuffer(): void {
    if (Buffer.isBuffer(this.port._buffer)) this.port._buffer = Buffer.alloc(0);
  }

  /** Closes the port without waiting for a graceful close; safe to call more than once. */
  destroy(): void {
    this.down = true;
    try {
      // The serial port class has no destroy(): modbus-serial would then leave the device open.
      if (typeof this.port.destroy === 'function') this.client.destroy(() => {});
      else this.client.close(() => {});
    } catch {
      // already closed: nothing left to release
    }
  }
}

function createPort(e: ModbusEndpoint): RawPort {
  switch (e.kind) {
    case 'tcp':
      return new ModbusSerial.TcpPort(e.host, { port: e.port });
    case 'rtu+tcp':
      return new ModbusSerial.TelnetPort(e.host, { port: e.port });
    case 'rtu': {
      const Port = ModbusSerial.RTUBufferedPort;
      if (Port === undefined) {
        throw new ClientError(
          'serial support is missing: the optional dependency serialport is not installed',
          'ENOSYS',
        );
      }
      return new Port(e.path, {
        baudRate: e.baudRate,
        parity: e.parity,
        dataBits: e.dataBits,
        stopBits: e.stopBits,
      });
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
