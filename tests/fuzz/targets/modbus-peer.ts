/**
 * A hostile Modbus server on 127.0.0.1 for the fuzzer: it reads the agent's read requests (MBAP for Modbus TCP,
 * RTU frames for RTU over TCP) and answers each as the current script says — honestly, or with a short or long byte
 * count, a cut or padded frame, the wrong function code, unit or transaction id, an exception, garbage, a duplicate,
 * in pieces, late, not at all, or by closing the connection. For every request it records which of the bytes it
 * sent were a well-formed answer to that request, and the values in them: the only values the agent may report good.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc16, mbapFrame, rtuFrame } from '../../../protocols/modbus/frame.js';

export type Transport = 'tcp' | 'rtu+tcp';

export const ACTIONS = [
  'honest',
  'short-count',
  'long-count',
  'cut-frame',
  'padded-frame',
  'wrong-fc',
  'wrong-unit',
  'wrong-tid',
  'wrong-protocol',
  'lying-length',
  'exception',
  'garbage',
  'garbage-then-honest',
  'honest-then-garbage',
  'duplicate',
  'pieces',
  'mutated',
  'late',
  'silence',
  'close',
] as const;
export type ActionKind = (typeof ACTIONS)[number];

/** What to do with one request; `data` supplies every random byte the action needs. */
export interface Action {
  kind: ActionKind;
  /** response data bytes (values), garbage, mutation positions: taken from here in order */
  data: number[];
  /** a small parameter: exception code, byte-count delta, length delta, split point */
  n: number;
}

export interface Request {
  tid: number;
  unit: number;
  fc: number;
  address: number;
  count: number;
}

export interface Answered {
  req: Request;
  action: ActionKind;
  /** the data bytes of every well-formed answer sent for this request */
  valid: Uint8Array[];
}

/** Data bytes a correct answer to `req` carries. */
export function dataBytes(req: Request): number {
  return req.fc <= 2 ? Math.ceil(req.count / 8) : req.count * 2;
}

function pdu(fc: number, byteCount: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + data.length);
  out[0] = fc;
  out[1] = byteCount & 0xff;
  out.set(data, 2);
  return out;
}

function frame(t: Transport, tid: number, unit: number, p: Uint8Array): Buffer {
  return t === 'tcp' ? mbapFrame(tid, unit, p) : rtuFrame(unit, p);
}

/** Strict check of one frame as a Modbus answer to `req`; the data bytes when it is one. */
export function strictAnswer(t: Transport, req: Request, f: Uint8Array): Uint8Array | undefined {
  const want = dataBytes(req);
  const b = Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  if (t === 'tcp') {
    if (b.length !== 9 + want) return undefined;
    // the protocol id (bytes 2-3) is not checked: modbus-serial ignores it, and a frame that matches the request in
    // transaction id, length, unit, function and byte count carries that request's values whatever it says there
    if (b.readUInt16BE(0) !== req.tid || b.readUInt16BE(4) !== 3 + want) return undefined;
    if (b[6] !== req.unit || b[7] !== req.fc || b[8] !== want) return undefined;
    return Uint8Array.from(b.subarray(9));
  }
  if (b.length !== 5 + want || b[0] !== req.unit || b[1] !== req.fc || b[2] !== want) return undefined;
  if (crc16(b, 0, b.length - 2) !== b.readUInt16LE(b.length - 2)) return undefined;
  return Uint8Array.from(b.subarray(3, 3 + want));
}

function take(a: Action, n: number, from = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a.data[(from + i) % Math.max(1, a.data.length)] ?? i;
  return out;
}

/**
 * The byte segments to send for one request, in order (written separately), and `frames`: the same bytes as the
 * frames they form (pieces of one frame are one frame), to be checked for well-formed answers.
 */
function respond(
  t: Transport,
  req: Request,
  a: Action,
): { segments: Uint8Array[]; delayMs: number; frames?: Uint8Array[] } {
  const want = dataBytes(req);
  const data = take(a, want);
  const honest = frame(t, req.tid, req.unit, pdu(req.fc, want, data));
  const garbage = () => take(a, 1 + (a.n % 300), 7);
  switch (a.kind) {
    case 'honest':
      return { segments: [honest], delayMs: 0 };
    case 'short-count': {
      // the frame as long as a right answer, the byte count smaller: the bug modbus-serial let through
      const count = Math.max(0, want - 1 - (a.n % Math.max(1, want)));
      return { segments: [frame(t, req.tid, req.unit, pdu(req.fc, count, data))], delayMs: 0 };
    }
    case 'long-count':
      return {
        segments: [frame(t, req.tid, req.unit, pdu(req.fc, want + 1 + (a.n % 200), data))],
        delayMs: 0,
      };
    case 'cut-frame': {
      const cut = take(a, Math.max(0, want - 1 - (a.n % Math.max(1, want))));
      return { segments: [frame(t, req.tid, req.unit, pdu(req.fc, cut.length, cut))], delayMs: 0 };
    }
    case 'padded-frame': {
      const more = take(a, want + 1 + (a.n % 20));
      return { segments: [frame(t, req.tid, req.unit, pdu(req.fc, more.length, more))], delayMs: 0 };
    }
    case 'wrong-fc':
      return {
        segments: [frame(t, req.tid, req.unit, pdu((req.fc + 1 + (a.n % 254)) & 0xff, want, data))],
        delayMs: 0,
      };
    case 'wrong-unit':
      return {
        segments: [frame(t, req.tid, (req.unit + 1 + (a.n % 254)) & 0xff, pdu(req.fc, want, data))],
        delayMs: 0,
      };
    case 'wrong-tid':
      return {
        segments: [frame(t, (req.tid + 1 + a.n) & 0xffff, req.unit, pdu(req.fc, want, data))],
        delayMs: 0,
      };
    case 'wrong-protocol': {
      // a protocol id other than Modbus (0): accepted as long as the rest matches (see strictAnswer)
      const f = Buffer.from(honest);
      if (t === 'tcp') f.writeUInt16BE(1 + (a.n % 0xfffe), 2);
      else f[f.length - 1] = (f[f.length - 1] ?? 0) ^ 0xff; // RTU has no protocol id: a broken CRC instead
      return { segments: [f], delayMs: 0 };
    }
    case 'lying-length': {
      const f = Buffer.from(honest);
      if (t === 'tcp') f.writeUInt16BE((f.readUInt16BE(4) + 1 + (a.n % 400)) & 0xffff, 4);
      else f[2] = (want + 1 + (a.n % 50)) & 0xff;
      return { segments: [f], delayMs: 0 };
    }
    case 'exception':
      return {
        segments: [frame(t, req.tid, req.unit, Uint8Array.of(req.fc | 0x80, a.n & 0xff))],
        delayMs: 0,
      };
    case 'garbage':
      return { segments: [garbage()], delayMs: 0 };
    case 'garbage-then-honest':
      return { segments: [garbage(), honest], delayMs: 0 };
    case 'honest-then-garbage':
      return { segments: [honest, garbage()], delayMs: 0 };
    case 'duplicate':
      return {
        segments: [honest, frame(t, req.tid, req.unit, pdu(req.fc, want, take(a, want, 3)))],
        delayMs: 0,
      };
    case 'pieces': {
      const at = [1 + (a.n % Math.max(1, honest.length - 1))].filter((x) => x < honest.length);
      const parts: Uint8Array[] = [];
      let prev = 0;
      for (const x of [...at, honest.length]) {
        parts.push(honest.subarray(prev, x));
        prev = x;
      }
      return { segments: parts, delayMs: 0, frames: [honest] };
    }
    case 'mutated': {
      const f = Buffer.from(honest);
      for (let i = 0; i < 1 + (a.n % 3); i++) {
        const at = (a.data[i] ?? i) % f.length;
        f[at] = (f[at] ?? 0) ^ (1 << ((a.data[i + 3] ?? i) % 8));
      }
      return { segments: [f], delayMs: 0 };
    }
    case 'late':
      // TCP: sometimes past the agent's timeout (the transaction id tells a late answer apart); RTU has no
      // transaction id, so an answer after the timeout is indistinguishable from the next one: within it only
      return { segments: [honest], delayMs: 1 + (a.n % (t === 'tcp' ? 250 : 40)) };
    case 'silence':
    case 'close':
      return { segments: [], delayMs: 0 };
  }
}

/** Parses the agent's requests out of a byte stream; returns the requests and what is left. */
function requests(t: Transport, buf: Buffer): { reqs: Request[]; rest: Buffer } {
  const reqs: Request[] = [];
  let b = buf;
  for (;;) {
    if (t === 'tcp') {
      if (b.length < 12) break;
      const total = 6 + b.readUInt16BE(4);
      if (b.length < total) break;
      reqs.push({
        tid: b.readUInt16BE(0),
        unit: b[6] ?? 0,
        fc: b[7] ?? 0,
        address: b.readUInt16BE(8),
        count: b.readUInt16BE(10),
      });
      b = b.subarray(total);
    } else {
      if (b.length < 8) break;
      reqs.push({
        tid: 0,
        unit: b[0] ?? 0,
        fc: b[1] ?? 0,
        address: b.readUInt16BE(2),
        count: b.readUInt16BE(4),
      });
      b = b.subarray(8);
    }
  }
  return { reqs, rest: b };
}

export interface HostilePeer {
  url: string;
  /** the action for each request, chosen by the request; `undefined` = answer honestly */
  script: ((req: Request) => Action | undefined) | undefined;
  /** end the connection after each answer (or non-answer): a client waiting for more fails at once, no timeout */
  endAfterAnswer: boolean;
  /** every request answered since the last `drain()` */
  drain(): Answered[];
  connections(): number;
  close(): Promise<void>;
}

export async function startHostilePeer(t: Transport): Promise<HostilePeer> {
  let log: Answered[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const peer: HostilePeer = {
    url: '',
    script: undefined,
    endAfterAnswer: false,
    drain() {
      const out = log;
      log = [];
      return out;
    },
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const { reqs, rest } = requests(t, buf);
      buf = rest;
      for (const req of reqs) {
        const a = peer.script?.(req) ?? { kind: 'honest', data: [], n: 0 };
        const { segments, delayMs, frames } = respond(t, req, a);
        const valid = (frames ?? segments).flatMap((s) => strictAnswer(t, req, s) ?? []);
        log.push({ req, action: a.kind, valid });
        chain = chain.then(async () => {
          if (delayMs > 0) await sleep(delayMs);
          if (a.kind === 'close') socket.destroy();
          for (const s of segments) {
            if (socket.destroyed) return;
            socket.write(s);
            if (segments.length > 1) await new Promise<void>((r) => setImmediate(r));
          }
          if (peer.endAfterAnswer) socket.end();
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  peer.url = `${t}://127.0.0.1:${port}`;
  return peer;
}
