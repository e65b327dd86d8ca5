/**
 * The connection to one MC port: a TCP socket (frames split out of the stream) or a UDP socket (one frame per
 * datagram), one transaction at a time — a 3E frame carries no serial number, so an answer is only known to be the
 * answer to the request outstanding. For the same reason a request that timed out, or an answer that is no 3E frame,
 * closes the link: a late answer would otherwise be taken for the next request's. Listeners are attached before
 * anything can emit, so a reset is an event, never a crash.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { PlantpulseError } from '../../../protocols/errors.js';
import type { McSeries } from '../../../protocols/mc/devices.js';
import { FrameSplitter, type McFormat, McFrameError } from '../../../protocols/mc/frame.js';
import { ioDeadline } from '../serial-line/io-deadline.js';
import { MC_FAILURE_CODES as CODES, type McLinkFailure } from './mc-failures.js';
import type { McEndpoint } from './mc-url.js';

export class McConnectError extends PlantpulseError {
  constructor(where: string, cause: unknown) {
    super(
      'MC_CONNECT',
      `cannot connect to ${where}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        retryable: true,
      },
    );
  }
}

export type TransactResult =
  | { ok: true; frame: Uint8Array; at: number }
  | { ok: false; failure: McLinkFailure; at: number };

interface Wire {
  write(bytes: Uint8Array): void;
  close(): void;
}

interface Pending {
  settle(r: TransactResult): void;
}

export class McLink {
  readonly #where: string;
  #wire: Wire | undefined;
  #splitter: FrameSplitter;
  #pending: Pending | undefined;
  /** the tail of the transaction chain: one request on the wire at a time */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly endpoint: McEndpoint,
    readonly format: McFormat,
    readonly series: McSeries,
  ) {
    this.#where = `${endpoint.transport}://${endpoint.host}:${endpoint.port}`;
    this.#splitter = new FrameSplitter(format, series);
  }

  get isOpen(): boolean {
    return this.#wire !== undefined;
  }

  /** Opens the link within `timeoutMs`; rejects with McConnectError. */
  async open(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#wire !== undefined) return;
    this.#splitter.clear();
    this.#wire =
      this.endpoint.transport === 'tcp'
        ? await this.#openTcp(timeoutMs, signal)
        : await this.#openUdp(timeoutMs, signal);
  }

  #down(reason: string): void {
    const wire = this.#wire;
    this.#wire = undefined;
    wire?.close();
    this.#pending?.settle({
      ok: false,
      at: Date.now(),
      failure: { code: CODES.io, message: `connection lost (${reason})`, linkFault: true },
    });
  }

  #onFrames(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.#splitter.push(chunk);
    } catch (err) {
      const why = err instanceof McFrameError ? err.message : String(err);
      const p = this.#pending;
      this.#pending = undefined;
      this.#down(`not a 3E frame: ${why}`);
      p?.settle({
        ok: false,
        at: Date.now(),
        failure: {
          code: CODES.badResponse,
          message: `the answer is not a 3E frame: ${why}`,
          linkFault: true,
        },
      });
      return;
    }
    for (const f of frames) {
      const p = this.#pending;
      this.#pending = undefined;
      // an answer nobody waits for (the request timed out, the link was closed for it): dropped with the link
      p?.settle({ ok: true, frame: f, at: Date.now() });
    }
  }

  async #openTcp(timeoutMs: number, signal: AbortSignal): Promise<Wire> {
    const socket = new net.Socket();
    socket.setNoDelay(true);
    let opened = false;
    let failOpen: ((err: Error) => void) | undefined;
    socket.on('error', (err: Error) => (opened ? this.#down(`error: ${err.message}`) : failOpen?.(err)));
    socket.on('close', () => (opened ? this.#down('closed by the peer') : failOpen?.(new Error('closed'))));
    socket.on('data', (chunk: Buffer) => {
      if (this.#wire !== undefined) this.#onFrames(chunk);
    });
    await this.#connectWithin(
      timeoutMs,
      signal,
      (done) => {
        failOpen = done;
        socket.once('connect', () => done(null));
        socket.connect({ host: this.endpoint.host, port: this.endpoint.port });
      },
      () => socket.destroy(),
    );
    opened = true;
    return { write: (b) => socket.write(b), close: () => socket.destroy() };
  }

  async #openUdp(timeoutMs: number, signal: AbortSignal): Promise<Wire> {
    const socket = dgram.createSocket(net.isIPv6(this.endpoint.host) ? 'udp6' : 'udp4');
    let opened = false;
    let failOpen: ((err: Error) => void) | undefined;
    socket.on('error', (err: Error) => (opened ? this.#down(`error: ${err.message}`) : failOpen?.(err)));
    socket.on('message', (msg: Buffer) => {
      if (this.#wire === undefined) return;
      // a datagram is one frame: a fragment never joins the next one
      this.#splitter.clear();
      this.#onFrames(msg);
    });
    await this.#connectWithin(
      timeoutMs,
      signal,
      (done) => {
        failOpen = done;
        socket.connect(this.endpoint.port, this.endpoint.host, () => done(null));
      },
      () => socket.close(),
    );
    opened = true;
    return {
      write: (b) => socket.send(b),
      close: () => {
        try {
          socket.close();
        } catch {
          // already closed
        }
      },
    };
  }

  async #connectWithin(
    timeoutMs: number,
    signal: AbortSignal,
    start: (done: (err: Error | null) => void) => void,
    destroy: () => void,
  ): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null) => {
        if (settled) return;
        settled = true;
        cancel();
        signal.removeEventListener('abort', onAbort);
        if (err === null) return resolve();
        destroy();
        reject(new McConnectError(this.#where, err));
      };
      const onAbort = () => finish(new Error('aborted'));
      const cancel = ioDeadline(timeoutMs, () => finish(new Error(`no connection within ${timeoutMs} ms`)));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      start(finish);
    });
  }

  /** Sends one request and waits for its answer, in turn with the other requests on this link. */
  transact(request: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<TransactResult> {
    const run = this.#queue.then(() => this.#transactNow(request, timeoutMs, signal));
    this.#queue = run.catch(() => {});
    return run;
  }

  #transactNow(request: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<TransactResult> {
    const wire = this.#wire;
    if (wire === undefined)
      return Promise.resolve({
        ok: false,
        at: Date.now(),
        failure: { code: CODES.notConnected, message: 'not connected', linkFault: true },
      });
    if (signal.aborted)
      return Promise.resolve({
        ok: false,
        at: Date.now(),
        failure: { code: CODES.aborted, message: 'aborted', linkFault: false },
      });
    return new Promise<TransactResult>((resolve) => {
      const pending: Pending = {
        settle: (r) => {
          cancel();
          signal.removeEventListener('abort', onAbort);
          if (this.#pending === pending) this.#pending = undefined;
          resolve(r);
        },
      };
      const onAbort = () => {
        pending.settle({
          ok: false,
          at: Date.now(),
          failure: { code: CODES.aborted, message: 'aborted', linkFault: false },
        });
        // the request is on the wire: its answer must not be read as the next request's
        this.#down('request aborted');
      };
      const cancel = ioDeadline(timeoutMs, () => {
        pending.settle({
          ok: false,
          at: Date.now(),
          failure: { code: CODES.timeout, message: `no answer within ${timeoutMs} ms`, linkFault: true },
        });
        // no serial number in a 3E frame: the late answer must not be read as the next request's
        this.#down('request timed out');
      });
      this.#pending = pending;
      signal.addEventListener('abort', onAbort, { once: true });
      wire.write(request);
    });
  }

  close(): void {
    this.#down('closed');
  }
}
