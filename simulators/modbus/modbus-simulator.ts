/**
 * The Modbus device simulator (product code: tests, the demo and `plantpulse sim` use it alike):
 * `startModbusSimulator({ port: 0, host: '127.0.0.1', profile })` → `{ url, set, get, expected, changedAt, close }`.
 */
import net from 'node:net';
import type { ModbusValue } from '../../protocols/modbus/register-codec.js';
import { FaultBook, type FaultSpec } from './faults.js';
import type { SimProfile } from './profile.js';
import { type HandlerStats, handleRequest } from './request-handler.js';
import { serveRtu } from './rtu-transport.js';
import { openSerialEnd } from './serial-end.js';
import { type SimChange, SimDevice } from './sim-device.js';
import { serveMbap } from './tcp-transport.js';

export type { SimChange };

export interface SerialOptions {
  /** the device the simulator opens: one end of a `socat` pty pair, or a real adapter */
  path: string;
  baudRate?: number;
}

export interface ModbusSimulatorOptions {
  /** one unit; or use `units` for several unit ids behind one line or gateway */
  profile?: SimProfile;
  units?: SimProfile[];
  /** tcp (default): Modbus TCP; rtu+tcp: RTU frames over TCP (a serial gateway); rtu: a serial device */
  transport?: 'tcp' | 'rtu+tcp' | 'rtu';
  host?: string;
  port?: number;
  serial?: SerialOptions;
  /** simulated time runs this many times faster than real time (default 1) */
  speed?: number;
  /** run the profiles' behaviours on a timer (default true); false freezes values for deterministic tests */
  animate?: boolean;
  /** RTU: hold each answer for the time its request and response take on a line at this baud (a physical limit) */
  paceBaud?: number;
  /** called on every value change (behaviour, set() or a master's write), with the value an agent must decode */
  onChange?: (change: SimChange) => void;
  /** reports protocol errors (bad frames) the simulator saw; default: ignore */
  onProtocolError?: (why: string) => void;
}

export interface ModbusSimulator {
  /** the URL an agent uses to read this simulator (tcp://, rtu+tcp:// or rtu://) */
  readonly url: string;
  readonly unitIds: readonly number[];
  /** requests seen, replies sent (exceptions included), faults applied, TCP connections accepted, CRC errors */
  readonly stats: Readonly<
    HandlerStats & {
      replies: number;
      connections: number;
      crcErrors: number;
      /** RTU: requests not yet answered (max stays 1 when the master waits for each answer) */
      outstanding: { now: number; max: number };
    }
  >;
  /** writes a point's engineering value (unit defaults to the first profile's) */
  set(name: string, value: ModbusValue, unitId?: number): void;
  get(name: string, unitId?: number): ModbusValue;
  /** the value an agent reading this point with the same spec must decode */
  expected(name: string, unitId?: number): ModbusValue;
  /** wall-clock ms of the point's last change */
  changedAt(name: string, unitId?: number): number;
  /** runs the behaviours once at simulated time t (ms); with `animate: false` tests drive time themselves */
  tick(t: number): void;
  inject(fault: FaultSpec): number;
  removeFault(id: number): void;
  clearFaults(): void;
  /** TCP: closes every client connection (the device rebooted); the listener stays */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startModbusSimulator(opts: ModbusSimulatorOptions): Promise<ModbusSimulator> {
  const profiles = opts.units ?? (opts.profile ? [opts.profile] : []);
  if (profiles.length === 0) throw new Error('startModbusSimulator needs a profile or units');
  const devices = new Map<number, SimDevice>();
  for (const p of profiles) {
    const d = new SimDevice(p, Date.now, opts.onChange);
    if (devices.has(d.unitId)) throw new Error(`two profiles answer unit id ${d.unitId}`);
    devices.set(d.unitId, d);
  }
  const firstUnit = devices.keys().next().value as number;
  const device = (unitId = firstUnit): SimDevice => {
    const d = devices.get(unitId);
    if (d === undefined) throw new Error(`no simulated unit ${unitId}`);
    return d;
  };
  const faults = new FaultBook();
  const stats = {
    requests: 0,
    replies: 0,
    exceptions: 0,
    faults: 0,
    connections: 0,
    crcErrors: 0,
    outstanding: { now: 0, max: 0 },
  };
  const onReply = () => {
    stats.replies++;
  };
  const onProtocolError = opts.onProtocolError ?? (() => {});
  const transport = opts.transport ?? 'tcp';
  const unknownUnit = transport === 'tcp' ? 'gateway-exception' : 'silence';
  const handle = (unitId: number, pdu: Uint8Array) =>
    handleRequest(devices, faults, unitId, pdu, stats, unknownUnit);

  // behaviours
  const speed = opts.speed ?? 1;
  const started = Date.now();
  const tickMs = Math.min(...profiles.map((p) => p.tickMs ?? 1000));
  const tick = (t: number) => {
    for (const d of devices.values()) d.tick(t);
  };
  const timer =
    opts.animate === false
      ? undefined
      : setInterval(() => tick((Date.now() - started) * speed), tickMs / speed);
  timer?.unref();

  let url: string;
  let closeTransport: () => Promise<void>;
  const sockets = new Set<net.Socket>();

  if (transport === 'rtu') {
    if (opts.serial === undefined) throw new Error('transport rtu needs serial.path');
    const end = await openSerialEnd(opts.serial.path, opts.serial.baudRate ?? 9600);
    const rtu = serveRtu(end.stream, handle, {
      onProtocolError,
      onCrcError: () => stats.crcErrors++,
      onReply,
      outstanding: stats.outstanding,
      paceBaud: opts.paceBaud,
    });
    url = `rtu://${opts.serial.path}?baud=${opts.serial.baudRate ?? 9600}`;
    closeTransport = async () => {
      rtu.stop();
      await end.close();
    };
  } else {
    const server = net.createServer((socket) => {
      stats.connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      if (transport === 'tcp') serveMbap(socket, handle, onProtocolError, onReply);
      else {
        socket.on('error', () => {});
        serveRtu(socket, handle, {
          onProtocolError,
          onCrcError: () => stats.crcErrors++,
          onReply,
          outstanding: stats.outstanding,
          paceBaud: opts.paceBaud,
        });
      }
    });
    server.on('error', (err) => onProtocolError(`server error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as net.AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `${transport}://${host}:${addr.port}`;
    closeTransport = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
  }

  return {
    url,
    unitIds: [...devices.keys()],
    stats,
    set: (name, value, unitId) => device(unitId).set(name, value),
    get: (name, unitId) => device(unitId).get(name),
    expected: (name, unitId) => device(unitId).expected(name),
    changedAt: (name, unitId) => device(unitId).changedAt(name),
    tick,
    inject: (f) => faults.add(f),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      if (timer) clearInterval(timer);
      await closeTransport();
    },
  };
}
