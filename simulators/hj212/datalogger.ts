/**
 * A simulated HJ 212-2017 datalogger (数采仪), product code: tests, `plantpulse sim hj212`, the scenario and the demo
 * use it alike. `startHj212Datalogger({ host, port, outlets })` connects to the platform (the agent's listener) and
 * sends, per outlet (MN), real-time data (2011), minute data (2051) and hourly data (2061) on their intervals, each
 * asking for a reply (Flag=5) and counting the platform's 9014 data responses. It reconnects after a lost
 * connection. `send(period)` sends one packet per outlet at once; `sendRaw(bytes)` writes anything (fault tests).
 */
import net from 'node:net';
import {
  encodePacket,
  formatDataTime,
  PacketReader,
  parseDataSegment,
  type UploadCommand,
  uploadSegment,
} from '../../protocols/hj212/index.js';
import { OUTLET_PROFILES, type OutletProfile } from './outlet-profiles.js';
import { type FactorValues, realtimeValues, windowValues } from './window-values.js';

export interface SimOutlet {
  mn: string;
  password: string;
  profile: OutletProfile;
}

export interface DataloggerOptions {
  host?: string;
  port: number;
  outlets: SimOutlet[];
  /** intervals in ms; 0 turns a kind off (defaults: real-time 30 s, minute 60 s, hourly 1 h) */
  realtimeEveryMs?: number;
  minuteEveryMs?: number;
  hourEveryMs?: number;
  /** the datalogger's UTC offset in minutes (default +480, Beijing) */
  utcOffsetMinutes?: number;
  clock?: () => number;
  /** wait before reconnecting (default 1 s) */
  reconnectMs?: number;
  /** the data flag on every factor (default N) */
  flag?: string;
  /** sent once on the first connection (e.g. the last hour's data at once, as a datalogger catching up) */
  sendOnConnect?: Period[];
}

export type Period = 'realtime' | 'minute' | 'hour';

const COMMANDS: Record<Period, UploadCommand> = { realtime: '2011', minute: '2051', hour: '2061' };
const WINDOW_MS: Record<Exclude<Period, 'realtime'>, number> = { minute: 60_000, hour: 3_600_000 };

export interface Hj212Datalogger {
  /** packets written, and 9014 responses received */
  readonly sent: number;
  readonly acknowledged: number;
  /** resolves when connected (again) */
  connected(): Promise<void>;
  /** sends one packet of this kind per outlet now; resolves once written. `at` sets DataTime (default now) */
  send(period: Period, at?: number): Promise<void>;
  /** writes bytes as they are (fault tests) */
  sendRaw(bytes: Uint8Array): Promise<void>;
  /** resolves once `n` 9014 responses have arrived in total */
  waitAcks(n: number, signal?: AbortSignal): Promise<void>;
  /** drops the connection (it reconnects after reconnectMs) */
  disconnect(): void;
  close(): Promise<void>;
}

export async function startHj212Datalogger(opts: DataloggerOptions): Promise<Hj212Datalogger> {
  const clock = opts.clock ?? Date.now;
  const offset = opts.utcOffsetMinutes ?? 480;
  let sent = 0;
  let acknowledged = 0;
  let qnSeq = 0;
  let socket: net.Socket | undefined;
  let closed = false;
  let onConnected: (() => void)[] = [];
  const ackWaiters: { n: number; resolve: () => void }[] = [];
  const timers: NodeJS.Timeout[] = [];

  const connect = (): void => {
    if (closed) return;
    const s = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port, noDelay: true });
    const reader = new PacketReader();
    s.on('connect', () => {
      socket = s;
      const first = opts.sendOnConnect ?? [];
      opts.sendOnConnect = [];
      for (const p of first) void send(p).catch(() => undefined);
      const waiting = onConnected;
      onConnected = [];
      for (const w of waiting) w();
    });
    s.on('data', (chunk: Buffer) => {
      for (const ev of reader.push(chunk)) {
        if (ev.kind !== 'packet') continue;
        try {
          if (parseDataSegment(ev.data).cn === '9014') acknowledged++;
        } catch {
          // a platform's broken reply is not ours to judge
        }
      }
      for (const w of ackWaiters.filter((x) => acknowledged >= x.n)) {
        ackWaiters.splice(ackWaiters.indexOf(w), 1);
        w.resolve();
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (socket === s) socket = undefined;
      if (!closed) timers.push(setTimeout(connect, opts.reconnectMs ?? 1000));
    });
  };

  const connected = (): Promise<void> =>
    socket !== undefined ? Promise.resolve() : new Promise((resolve) => onConnected.push(resolve));

  const write = async (bytes: Uint8Array): Promise<void> => {
    await connected();
    const s = socket;
    if (s === undefined) return;
    await new Promise<void>((resolve) => s.write(bytes, () => resolve()));
  };

  const packetFor = (outlet: SimOutlet, period: Period, at: number): Buffer => {
    const p = OUTLET_PROFILES[outlet.profile];
    let values: FactorValues;
    let dataTime: number;
    if (period === 'realtime') {
      values = realtimeValues(outlet.profile, at);
      dataTime = Math.floor(at / 1000) * 1000;
    } else {
      const w = WINDOW_MS[period];
      // the window that ended last, named by its start
      const end = Math.floor((at + offset * 60_000) / w) * w - offset * 60_000;
      dataTime = end - w;
      values = windowValues(outlet.profile, dataTime, end);
    }
    qnSeq = (qnSeq + 1) % 1000;
    const seg = uploadSegment({
      qn: `${formatDataTime(clock(), offset)}${String(qnSeq).padStart(3, '0')}`,
      st: p.st,
      command: COMMANDS[period],
      pw: outlet.password,
      mn: outlet.mn,
      reply: true,
      dataTime: formatDataTime(dataTime, offset),
      factors: values.map((f) => ({ ...f, flag: opts.flag ?? 'N' })),
    });
    return encodePacket(seg);
  };

  const send = async (period: Period, at = clock()): Promise<void> => {
    for (const o of opts.outlets) {
      await write(packetFor(o, period, at));
      sent++;
    }
  };

  const every = (ms: number | undefined, dflt: number, period: Period): void => {
    const interval = ms ?? dflt;
    if (interval <= 0) return;
    const t = setInterval(() => void send(period).catch(() => undefined), interval);
    timers.push(t as unknown as NodeJS.Timeout);
  };

  connect();
  every(opts.realtimeEveryMs, 30_000, 'realtime');
  every(opts.minuteEveryMs, 60_000, 'minute');
  every(opts.hourEveryMs, 3_600_000, 'hour');

  return {
    get sent() {
      return sent;
    },
    get acknowledged() {
      return acknowledged;
    },
    connected,
    send,
    sendRaw: write,
    waitAcks(n, signal) {
      if (acknowledged >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { n, resolve };
        ackWaiters.push(w);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    },
    disconnect() {
      const s = socket;
      socket = undefined;
      s?.destroy();
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      socket?.destroy();
    },
  };
}
