/**
 * A simulated Mitsubishi PLC answering the MC protocol, 3E frames in binary or ASCII, over TCP or UDP (product code:
 * tests, `plantpulse sim mc` and the benchmark use it alike):
 * `startMcSimulator({ port: 0, series: 'iQ-F', format: 'binary', profile: mcPressProfile() })` → `{ url, memory,
 * inject, close }`. It serves batch reads (0401, words and bits) and random reads (0403); anything else is answered
 * with end code C059, a read past the CPU's devices with C056. Faults: no answer, a connection reset, an end code.
 * Like a real CPU it says nothing to a frame in the other data code (binary on an ASCII port).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { decodeReadCommand, encodeReadData, type McReadCommand } from '../../protocols/mc/commands.js';
import type { McSeries } from '../../protocols/mc/devices.js';
import {
  decodeRequest,
  encodeResponse,
  errorInformation,
  FrameSplitter,
  type McFormat,
  type McRequestFrame,
} from '../../protocols/mc/frame.js';
import { DeviceMemory, type DeviceSizes } from './device-memory.js';
import type { McSimProfile } from './profiles.js';

export interface McFault {
  /** silence: no answer; reset: the connection is closed (TCP); end-code: an abnormal response with `code` */
  kind: 'silence' | 'reset' | 'end-code';
  /** end-code: the code (default 0xC05B, the CPU cannot read the device) */
  code?: number;
  /** how many matching requests (default: until cleared) */
  times?: number;
}

export interface McSimulatorOptions {
  series: McSeries;
  format?: McFormat;
  transport?: 'tcp' | 'udp';
  host?: string;
  port?: number;
  profile?: McSimProfile;
  sizes?: DeviceSizes;
  /** simulated time runs this many times faster (behaviours only) */
  speed?: number;
}

export interface McSimulator {
  readonly url: string;
  readonly memory: DeviceMemory;
  readonly stats: { requests: number; replies: number; faults: number; ignored: number; badValues: number };
  inject(fault: McFault): number;
  clearFaults(): void;
  /** TCP: closes every client connection; the listener stays */
  dropConnections(): void;
  close(): Promise<void>;
}

const END = { badCommand: 0xc059, pastEnd: 0xc056, badPoints: 0xc051 } as const;

/** Answers one request frame; undefined: say nothing. */
function serve(
  frame: Uint8Array,
  format: McFormat,
  series: McSeries,
  memory: DeviceMemory,
  fault: () => McFault | undefined,
): Uint8Array | 'reset' | undefined {
  let req: McRequestFrame;
  let cmd: McReadCommand | undefined;
  try {
    req = decodeRequest(frame, format, series);
    cmd = decodeReadCommand(req.command, req.subcommand, req.body, format, series);
  } catch {
    return undefined;
  }
  const f = fault();
  if (f?.kind === 'silence') return undefined;
  if (f?.kind === 'reset') return 'reset';
  const abnormal = (code: number) =>
    encodeResponse(
      {
        route: req.route,
        endCode: code,
        data: errorInformation(req.route, req.command, req.subcommand, format, series),
      },
      format,
      series,
    );
  if (f?.kind === 'end-code') return abnormal(f.code ?? 0xc05b);
  if (cmd === undefined) return abnormal(END.badCommand);
  let data: Uint8Array;
  if (cmd.kind === 'batch') {
    const max = cmd.unit === 'bit' ? 7168 : 960;
    if (cmd.count < 1 || cmd.count > max) return abnormal(END.badPoints);
    const span = cmd.unit === 'word' && memoryIsBit(cmd) ? cmd.count * 16 : cmd.count;
    if (!memory.inRange(cmd.head, span)) return abnormal(END.pastEnd);
    const at = (i: number, step: number) => ({ device: cmd.head.device, number: cmd.head.number + i * step });
    data =
      cmd.unit === 'bit'
        ? encodeReadData(
            cmd,
            { bits: Array.from({ length: cmd.count }, (_, i) => memory.bit(at(i, 1))) },
            format,
            series,
          )
        : encodeReadData(
            cmd,
            {
              words: Array.from({ length: cmd.count }, (_, i) =>
                memory.word(at(i, memoryIsBit(cmd) ? 16 : 1)),
              ),
            },
            format,
            series,
          );
  } else {
    if (cmd.words.length + cmd.dwords.length > 192 || cmd.words.length + cmd.dwords.length === 0)
      return abnormal(END.badPoints);
    if (![...cmd.words, ...cmd.dwords].every((a) => memory.inRange(a, 2))) return abnormal(END.pastEnd);
    const words = cmd.words.map((a) => memory.word(a));
    const dwords = cmd.dwords.map(
      (a) => memory.word(a) + memory.word({ device: a.device, number: a.number + 1 }) * 0x10000,
    );
    data = encodeReadData(cmd, { words, dwords }, format, series);
  }
  return encodeResponse({ route: req.route, endCode: 0, data }, format, series);
}

function memoryIsBit(cmd: McReadCommand): boolean {
  return cmd.kind === 'batch' && ['SM', 'X', 'Y', 'M', 'L', 'B'].includes(cmd.head.device);
}

export async function startMcSimulator(opts: McSimulatorOptions): Promise<McSimulator> {
  const format = opts.format ?? 'binary';
  const series = opts.series;
  const transport = opts.transport ?? 'tcp';
  const host = opts.host ?? '127.0.0.1';
  const memory = new DeviceMemory(series, opts.sizes);
  const stats = { requests: 0, replies: 0, faults: 0, ignored: 0, badValues: 0 };
  const faults = new Map<number, McFault & { left: number }>();
  let nextFault = 1;
  const inject = (f: McFault): number => {
    faults.set(nextFault, { ...f, left: f.times ?? Number.POSITIVE_INFINITY });
    return nextFault++;
  };
  const takeFault = (): McFault | undefined => {
    for (const [id, f] of faults) {
      f.left -= 1;
      if (f.left <= 0) faults.delete(id);
      stats.faults += 1;
      return f;
    }
    return undefined;
  };

  // behaviours of the profile, in simulated time
  const profile = opts.profile;
  const values = new Map<string, unknown>();
  const started = Date.now();
  const speed = opts.speed ?? 1;
  const tick = () => {
    if (profile === undefined) return;
    const t = (Date.now() - started) * speed;
    for (const p of profile.points) {
      if (p.behaviour === undefined) continue;
      const next = p.behaviour({
        t,
        value: values.get(p.name) as never,
        get: (n) => values.get(n) as never,
      });
      values.set(p.name, next);
      try {
        memory.set(p, next);
      } catch {
        // a behaviour's value the point's type cannot hold: the memory keeps the last one
        stats.badValues += 1;
      }
    }
  };
  for (const p of profile?.points ?? []) {
    values.set(p.name, p.initial);
    memory.set(p, p.initial);
  }
  const timer = profile === undefined ? undefined : setInterval(tick, Math.max(10, profile.tickMs / speed));
  timer?.unref();

  const answer = (frame: Uint8Array) => {
    stats.requests += 1;
    const out = serve(frame, format, series, memory, takeFault);
    if (out === undefined) stats.ignored += 1;
    else if (out !== 'reset') stats.replies += 1;
    return out;
  };

  if (transport === 'udp') {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      const out = answer(new Uint8Array(msg));
      if (out instanceof Uint8Array) socket.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, host, () => resolve());
    });
    return {
      url: `udp://${host}:${socket.address().port}`,
      memory,
      stats,
      inject,
      clearFaults: () => faults.clear(),
      dropConnections: () => {},
      close: () =>
        new Promise<void>((resolve) => {
          if (timer) clearInterval(timer);
          socket.close(() => resolve());
        }),
    };
  }

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const splitter = new FrameSplitter(format, series);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = splitter.push(new Uint8Array(chunk));
      } catch {
        // not a 3E frame in this port's data code: a real CPU stays silent
        splitter.clear();
        stats.ignored += 1;
        return;
      }
      for (const f of frames) {
        const out = answer(f);
        if (out === 'reset') {
          socket.resetAndDestroy();
          return;
        }
        if (out !== undefined) socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    url: `tcp://${host}:${address.port}`,
    memory,
    stats,
    inject,
    clearFaults: () => faults.clear(),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
