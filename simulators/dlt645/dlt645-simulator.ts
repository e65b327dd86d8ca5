/**
 * A simulated RS-485 bus of DL/T 645 meters (product code: tests, `plantpulse sim dlt645` and the demo use it alike):
 * `startDlt645Simulator({ transport: 'tcp', port: 0, meters: [{ address: '000012345678' }] })` → `{ url, meter,
 * inject, close }`. Each meter answers by its address, over a serial device (one end of a socat pty pair, 2400 8E1)
 * or TCP (what a transparent DTU gives). Faults: a silent meter, a broken checksum, an error reply.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { diLength } from '../../protocols/dlt645/data-identifiers.js';
import {
  BROADCAST_ADDRESS,
  type Dlt645Frame,
  encodeFrame,
  FrameDecoder,
} from '../../protocols/dlt645/frame.js';
import {
  addressReply,
  errorReply,
  FUNCTIONS,
  REPLY_BIT,
  readReply,
} from '../../protocols/dlt645/messages.js';
import { openSerialEnd } from '../modbus/serial-end.js';
import { SimMeter, type SimMeterSpec } from './sim-meter.js';

export type { SimMeterSpec };

export interface Dlt645Fault {
  /**
   * silence: no answer; checksum: an answer with a wrong checksum; error-reply: 0xD1/0xC1 with `errorByte`;
   * noise: line noise (bytes that are no frame) before the answer
   */
  kind: 'silence' | 'checksum' | 'error-reply' | 'noise';
  /** only this meter (default any) */
  address?: string;
  /** only this data identifier (default any) */
  di?: string;
  /** error-reply: the error word (default 0x02 / no requested data) */
  errorByte?: number;
  /** how many matching requests (default: until cleared) */
  times?: number;
}

export interface Dlt645SimulatorOptions {
  meters: SimMeterSpec[];
  /** tcp (default): a transparent DTU; rtu: a serial device */
  transport?: 'tcp' | 'rtu';
  host?: string;
  port?: number;
  serial?: { path: string; baudRate?: number };
  /** simulated time: ms since the epoch now (default Date.now); energy integrates up to it at each request */
  clock?: () => number;
  /** the meter waits this long before answering (real meters: 20–500 ms; default 0) */
  replyDelayMs?: number;
  /** data longer than this many bytes is sent in follow-up frames (default 200) */
  maxDataPerFrame?: number;
  onProtocolError?: (why: string) => void;
}

export interface Dlt645Simulator {
  /** the URL an agent uses: tcp://127.0.0.1:port or rtu://<path>?baud=2400&parity=even */
  readonly url: string;
  readonly stats: {
    requests: number;
    replies: number;
    faults: number;
    noiseBytes: number;
    /** requests received before the previous one was answered; a master that waits for each answer keeps it at 1 */
    maxOutstanding: number;
  };
  meter(address: string): SimMeter;
  inject(fault: Dlt645Fault): number;
  removeFault(id: number): void;
  clearFaults(): void;
  /** TCP: closes every client connection (the DTU rebooted); the listener stays */
  dropConnections(): void;
  close(): Promise<void>;
}

interface Pending {
  di: string;
  rest: Uint8Array;
  seq: number;
}

export async function startDlt645Simulator(opts: Dlt645SimulatorOptions): Promise<Dlt645Simulator> {
  const clock = opts.clock ?? Date.now;
  const meters = new Map<string, SimMeter>();
  for (const m of opts.meters) meters.set(m.address.toUpperCase(), new SimMeter(m, clock()));
  const faults: (Dlt645Fault & { id: number; left: number })[] = [];
  let nextFault = 1;
  const stats = { requests: 0, replies: 0, faults: 0, noiseBytes: 0, maxOutstanding: 0 };
  let outstanding = 0;
  const pending = new Map<string, Pending>();
  const maxData = opts.maxDataPerFrame ?? 200;
  const report = opts.onProtocolError ?? (() => {});

  const takeFault = (address: string, di: string | undefined): Dlt645Fault | undefined => {
    const f = faults.find(
      (x) =>
        (x.address === undefined || x.address.toUpperCase() === address) &&
        (x.di === undefined || di === undefined || x.di.toUpperCase() === di),
    );
    if (f === undefined) return undefined;
    f.left--;
    if (f.left <= 0) faults.splice(faults.indexOf(f), 1);
    stats.faults++;
    return f;
  };

  /** The answer frames to one request (none: silence). */
  const answer = (req: Dlt645Frame): Uint8Array[] => {
    if ((req.control & REPLY_BIT) !== 0) return [];
    if (req.address === BROADCAST_ADDRESS && req.control === FUNCTIONS[2007].readAddress) {
      // every meter answers at once: one meter gives a clean reply, several a collision (garbled bytes)
      const replies = [...meters.values()].map((m) => encodeFrame(addressReply(m.address)));
      if (replies.length === 1) return replies;
      const mixed = (replies[0] ?? new Uint8Array(0)).map((b, i) =>
        replies.reduce((x, r) => x | (r[i] ?? 0), b),
      );
      return [mixed];
    }
    const meter = meters.get(req.address);
    if (meter === undefined) return [];
    const fn = FUNCTIONS[meter.version];
    const n = diLength(meter.version);
    const di = [...req.data.subarray(0, n)]
      .reverse()
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase();
    const fault = takeFault(meter.address, di);
    if (fault?.kind === 'silence') return [];
    let frame: Dlt645Frame;
    if (req.control === fn.read && req.data.length === n) {
      meter.advance(clock());
      const data = meter.encode(di);
      if (data === undefined) frame = errorReply(meter.version, meter.address, 0x02);
      else if (data.length > maxData) {
        pending.set(meter.address, { di, rest: data.subarray(maxData), seq: 0 });
        frame = readReply(meter.version, meter.address, di, data.subarray(0, maxData), { more: true });
      } else frame = readReply(meter.version, meter.address, di, data);
    } else if (req.control === fn.readFollow) {
      const p = pending.get(meter.address);
      if (p === undefined || p.di !== di) frame = errorReply(meter.version, meter.address, 0x01, true);
      else {
        p.seq++;
        const chunk = p.rest.subarray(0, maxData);
        p.rest = p.rest.subarray(maxData);
        const more = p.rest.length > 0;
        if (!more) pending.delete(meter.address);
        frame = readReply(meter.version, meter.address, di, chunk, { follow: true, more, seq: p.seq });
      }
    } else {
      frame = errorReply(meter.version, meter.address, 0x01);
    }
    if (fault?.kind === 'error-reply')
      frame = errorReply(
        meter.version,
        meter.address,
        fault.errorByte ?? 0x02,
        req.control === fn.readFollow,
      );
    const bytes = encodeFrame(frame);
    if (fault?.kind === 'checksum') bytes[bytes.length - 2] = ((bytes[bytes.length - 2] ?? 0) + 1) & 0xff;
    // noise as a long bus picks it up: bytes that are neither a frame start (0x68) nor the preamble (0xFE)
    if (fault?.kind === 'noise')
      return [Uint8Array.of(0x00, 0xff, 0x12, 0x16, 0x33, 0x68, 0x01, 0x02), bytes];
    return [bytes];
  };

  const serve = (stream: Duplex): (() => void) => {
    const decoder = new FrameDecoder();
    let chain: Promise<void> = Promise.resolve();
    let stopped = false;
    const onData = (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind === 'noise') {
          stats.noiseBytes += item.bytes;
          continue;
        }
        if (item.kind === 'bad-checksum') {
          report(`request with a wrong checksum for ${item.address}: ignored`);
          continue;
        }
        stats.requests++;
        outstanding++;
        stats.maxOutstanding = Math.max(stats.maxOutstanding, outstanding);
        const out = answer(item.frame);
        chain = chain
          .then(async () => {
            if (opts.replyDelayMs) await sleep(opts.replyDelayMs);
            for (const b of out) {
              if (stopped || stream.destroyed) return;
              stream.write(b);
              stats.replies++;
            }
          })
          .catch((err: unknown) => report(`reply failed: ${String(err)}`))
          .finally(() => {
            outstanding--;
          });
      }
    };
    stream.on('data', onData);
    stream.on('error', (err: Error) => report(`stream error: ${err.message}`));
    return () => {
      stopped = true;
      stream.off('data', onData);
    };
  };

  const stoppers: (() => void)[] = [];
  let url: string;
  let closeTransport: () => Promise<void>;
  let dropConnections = () => {};
  if ((opts.transport ?? 'tcp') === 'rtu') {
    if (opts.serial === undefined) throw new Error('the rtu transport needs serial.path');
    const baud = opts.serial.baudRate ?? 2400;
    const end = await openSerialEnd(opts.serial.path, baud);
    stoppers.push(serve(end.stream));
    url = `rtu://${opts.serial.path}?baud=${baud}&parity=even`;
    closeTransport = () => end.close();
  } else {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      stoppers.push(serve(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    dropConnections = () => {
      for (const s of sockets) s.destroy();
    };
    const addr = server.address() as net.AddressInfo;
    url = `tcp://${opts.host ?? '127.0.0.1'}:${addr.port}`;
    closeTransport = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
  }

  return {
    url,
    stats,
    meter(address) {
      const m = meters.get(address.toUpperCase());
      if (m === undefined) throw new Error(`no simulated meter ${address}`);
      return m;
    },
    inject(fault) {
      const id = nextFault++;
      faults.push({ ...fault, id, left: fault.times ?? Number.POSITIVE_INFINITY });
      return id;
    },
    removeFault(id) {
      const i = faults.findIndex((f) => f.id === id);
      if (i >= 0) faults.splice(i, 1);
    },
    dropConnections() {
      dropConnections();
    },
    clearFaults() {
      faults.length = 0;
    },
    async close() {
      for (const s of stoppers) s();
      await closeTransport();
    },
  };
}
