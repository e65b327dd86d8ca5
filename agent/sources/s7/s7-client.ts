/**
 * A small typed wrapper over @st-one-io/nodes7's S7Endpoint (CommonJS, no types): ISO-on-TCP with rack/slot or
 * TSAPs, the PDU size negotiation, the job queue and its per-request timeout are the library's; this file gives
 * them Promise-with-AbortSignal calls, a deadline on connect, an 'error' listener attached before anything can emit,
 * and our error codes (s7-failures.ts). The library's own reconnect is off: the runner reconnects with our backoff.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { S7Area } from '../../../protocols/s7/address.js';
import type { ItemTransport } from '../../../protocols/s7/request-planner.js';
import { S7LinkError, s7ErrorOf } from './s7-failures.js';

/** nodes7 1.1.2's S7Endpoint, the part we use. */
interface RawEndpoint extends EventEmitter {
  readonly pduSize: number | null;
  readonly isConnected: boolean;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readVars(
    items: { area: number; db?: number; transport: number; address: number; length: number }[],
  ): Promise<{ returnCode: number; transportSize: number; data: Buffer }[]>;
}
interface Nodes7Module {
  S7Endpoint: new (opts: {
    host: string;
    port: number;
    rack?: number;
    slot?: number;
    srcTSAP?: number;
    dstTSAP?: number;
    autoReconnect: number;
    s7ConnOpts: { maxPDUSize: number; timeout: number; maxJobs?: number };
  }) => RawEndpoint;
}

const require = createRequire(import.meta.url);
const nodes7 = require('@st-one-io/nodes7') as Nodes7Module;

/** S7ANY area codes (nodes7 constants.json `proto.area`). */
const AREA_CODE: Record<S7Area, number> = { DB: 0x84, I: 0x81, Q: 0x82, M: 0x83, T: 0x1d, C: 0x1c };
/** S7ANY transport sizes (`proto.transport`). */
const TRANSPORT_CODE: Record<ItemTransport, number> = { byte: 0x02, timer: 0x1d, counter: 0x1c };

export interface S7LinkOptions {
  host: string;
  port: number;
  rack: number;
  slot: number;
  /** both or neither: TSAPs instead of rack/slot */
  localTsap?: number;
  remoteTsap?: number;
  /** the largest PDU asked for */
  pduSize: number;
  /** per request, and for connecting */
  timeoutMs: number;
}

export interface S7ReadItem {
  area: S7Area;
  db?: number;
  transport: ItemTransport;
  /** byte, or timer/counter number */
  start: number;
  /** bytes, or timers/counters */
  length: number;
}

export interface S7ItemAnswer {
  returnCode: number;
  data: Buffer;
}

function abortError(signal: AbortSignal): S7LinkError {
  return new S7LinkError('S7_ABORTED', `aborted: ${String(signal.reason)}`, { linkFault: false });
}

/** Rejects as soon as the signal aborts or the deadline passes, whichever first; `work` keeps running. */
async function bounded<T>(
  work: Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
  onTimeout: () => S7LinkError,
) {
  // the work may fail after the deadline or the signal won the race: nobody awaits it then, so its rejection is
  // handled here
  work.catch(() => undefined);
  if (signal.aborted) throw abortError(signal);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), timeoutMs);
        onAbort = () => reject(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** One connection to one PLC. `connect` opens a fresh endpoint each time; `close` drops it. */
export class S7Link {
  readonly #opts: S7LinkOptions;
  #endpoint: RawEndpoint | undefined;
  /** the last error the endpoint emitted, for a failure's message */
  #lastError: unknown;

  constructor(opts: S7LinkOptions) {
    this.#opts = opts;
  }

  get connected(): boolean {
    return this.#endpoint?.isConnected === true;
  }

  /** the negotiated PDU size, once connected */
  get pduSize(): number | undefined {
    return this.#endpoint?.pduSize ?? undefined;
  }

  /** Opens the connection (TCP, COTP, S7 setup communication); resolves with the negotiated PDU size. */
  async connect(signal: AbortSignal): Promise<number> {
    await this.close();
    const o = this.#opts;
    const ep = new nodes7.S7Endpoint({
      host: o.host,
      port: o.port,
      ...(o.remoteTsap === undefined
        ? { rack: o.rack, slot: o.slot }
        : { srcTSAP: o.localTsap ?? 0x0100, dstTSAP: o.remoteTsap }),
      autoReconnect: 0,
      s7ConnOpts: { maxPDUSize: o.pduSize, timeout: o.timeoutMs },
    });
    // before anything can emit: an EventEmitter without an 'error' listener throws
    ep.on('error', (err: unknown) => {
      this.#lastError = err;
    });
    this.#endpoint = ep;
    const target = `${o.host}:${o.port}`;
    try {
      await bounded(ep.connect(), signal, o.timeoutMs, () => {
        return new S7LinkError('S7_CONNECT_TIMEOUT', `${target}: no S7 connection within ${o.timeoutMs} ms`, {
          linkFault: true,
          noAnswer: true,
        });
      });
    } catch (err) {
      await this.close();
      throw err instanceof S7LinkError ? err : s7ErrorOf(err, { connecting: true, target });
    }
    return ep.pduSize ?? o.pduSize;
  }

  /** One read request (the items must fit the PDU: the planner sees to it). Throws S7LinkError. */
  async read(items: readonly S7ReadItem[], signal: AbortSignal): Promise<S7ItemAnswer[]> {
    if (signal.aborted) throw abortError(signal);
    const ep = this.#endpoint;
    if (ep === undefined || !ep.isConnected)
      throw new S7LinkError('S7_NOT_CONNECTED', 'not connected', { linkFault: true });
    const raw = items.map((i) => ({
      area: AREA_CODE[i.area],
      ...(i.db === undefined ? {} : { db: i.db }),
      transport: TRANSPORT_CODE[i.transport],
      address: i.start,
      length: i.length,
    }));
    try {
      // nodes7 times the request out itself (and drops the connection); the extra second only guards against a hang
      const answers = await bounded(ep.readVars(raw), signal, this.#opts.timeoutMs + 1000, () => {
        return new S7LinkError('S7_TIMEOUT', `no answer within ${this.#opts.timeoutMs} ms`, {
          linkFault: true,
          noAnswer: true,
        });
      });
      return answers.map((a) => ({ returnCode: a.returnCode, data: a.data }));
    } catch (err) {
      throw err instanceof S7LinkError ? err : s7ErrorOf(err, { connecting: false, target: '' });
    }
  }

  /** Drops the connection (idempotent). */
  async close(): Promise<void> {
    const ep = this.#endpoint;
    this.#endpoint = undefined;
    if (ep === undefined) return;
    await ep.disconnect().catch(() => undefined);
    ep.removeAllListeners();
    // a late 'error' from a socket being torn down must not crash the process
    ep.on('error', () => undefined);
  }

  /** what the endpoint last reported, for logs */
  get lastError(): unknown {
    return this.#lastError;
  }
}
