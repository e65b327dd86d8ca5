/**
 * A simulated Siemens S7 PLC: node-snap7's S7Server (snap7, an independent S7 implementation) holding a profile's
 * variables in DB, M, I, Q, T and C areas, updated on a timer, behind a relay that listens on port 0 and injects
 * faults (simulators/s7/fault-proxy.ts). node-snap7 is an optional dependency that builds from source: without it
 * `startS7Simulator` rejects with S7_SIM_NEEDS_SNAP7 and says so.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { PlantpulseError } from '../../protocols/errors.js';
import type { S7Area } from '../../protocols/s7/address.js';
import { encodeS7Raw, type S7Value } from '../../protocols/s7/codec.js';
import { type ResolvedS7Point, resolveS7Point } from '../../protocols/s7/point.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import type { S7Profile, S7SimVariable } from './s7-profile.js';

/** node-snap7's S7Server, the part we use. */
interface Snap7Server {
  readonly LocalPort: number;
  readonly PDURequest: number;
  readonly srvAreaPE: number;
  readonly srvAreaPA: number;
  readonly srvAreaMK: number;
  readonly srvAreaCT: number;
  readonly srvAreaTM: number;
  readonly srvAreaDB: number;
  SetParam(param: number, value: number): boolean;
  StartTo(ip: string): boolean;
  Stop(): boolean;
  RegisterArea(area: number, index: number, buffer: Buffer): boolean;
  RegisterArea(area: number, buffer: Buffer): boolean;
  UnregisterArea(area: number, index?: number): boolean;
  SetArea(area: number, index: number, buffer: Buffer): void;
  SetArea(area: number, buffer: Buffer): void;
  LastError(): number;
  ErrorText(code: number): string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export class S7SimulatorUnavailable extends PlantpulseError {}

const require = createRequire(import.meta.url);

/** node-snap7's module, or the reason it cannot load. */
export function loadSnap7(): { S7Server: new () => Snap7Server } {
  try {
    return require('node-snap7') as { S7Server: new () => Snap7Server };
  } catch (err) {
    throw new S7SimulatorUnavailable(
      'S7_SIM_NEEDS_SNAP7',
      'the S7 simulator needs node-snap7, an optional dependency that builds from source with a C++ compiler (npm install node-snap7); it is not installed here',
      { cause: err },
    );
  }
}

export function snap7Available(): boolean {
  try {
    loadSnap7();
    return true;
  } catch {
    return false;
  }
}

export interface S7SimulatorOptions {
  profile: S7Profile;
  host?: string;
  /** 0 (default): any free port */
  port?: number;
  /** the largest PDU the server accepts (snap7's default is 480; a real S7-1200 says 240) */
  pduSize?: number;
}

export interface S7Simulator {
  readonly host: string;
  readonly port: number;
  /** `host:port`, what the agent's `s7.host`/`s7.port` take */
  readonly address: string;
  readonly values: ReadonlyMap<string, S7Value>;
  /** sets a variable now (tests) */
  set(name: string, value: S7Value): void;
  faults: {
    /** requests get no answer while on */
    noAnswer(on: boolean): void;
    /** reset every connection */
    resetConnections(): void;
    /** the PLC is gone (port closed) until up() */
    down(): Promise<void>;
    up(): Promise<void>;
    /** answer reads with an S7 header error (0x8104: what an S7-1200/1500 with PUT/GET off answers); undefined: stop */
    refuseReads(errorCode: number | undefined): void;
    /** remove a DB: reads of it answer 0x0A (object does not exist) */
    removeDb(db: number): void;
  };
  /** connections open now */
  readonly connections: number;
  close(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface AreaImage {
  area: S7Area;
  db?: number;
  buffer: Buffer;
  dirty: boolean;
}

function areaKey(area: S7Area, db: number | undefined): string {
  return `${area}${db ?? ''}`;
}

/**
 * node-snap7 1.0.9 keeps its event handles in process-wide statics: a second S7Server in one process re-initialises
 * them, and two servers collected by the GC close them twice (a libuv assertion kills the process). So a process
 * holds one server for its lifetime, never collected, and simulates one PLC at a time on it.
 */
let shared: { server: Snap7Server; busy: boolean } | undefined;

function acquireServer(): Snap7Server {
  const { S7Server } = loadSnap7();
  shared ??= { server: new S7Server(), busy: false };
  if (shared.busy) {
    throw new PlantpulseError(
      'S7_SIM_BUSY',
      'this process already simulates an S7 PLC: node-snap7 allows one server per process (start another process for a second PLC)',
    );
  }
  shared.busy = true;
  return shared.server;
}

function releaseServer(): void {
  if (shared) shared.busy = false;
}

export async function startS7Simulator(opts: S7SimulatorOptions): Promise<S7Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const vars: SimVar[] = [];
  const images = new Map<string, AreaImage>();
  for (const v of opts.profile.variables) {
    const res = resolveS7Point(v);
    if (!res.ok)
      throw new RangeError(
        `S7 profile ${opts.profile.name}: ${res.problems.map((p) => p.message).join('; ')}`,
      );
    const r = res.resolved;
    const key = areaKey(r.address.area, r.address.db);
    const unit = r.address.area === 'T' || r.address.area === 'C' ? 2 : 1;
    const need = (r.address.start + r.width) * unit;
    const old = images.get(key);
    const image: AreaImage = old ?? { area: r.address.area, buffer: Buffer.alloc(0), dirty: true };
    if (r.address.db !== undefined) image.db = r.address.db;
    if (image.buffer.length < need)
      image.buffer = Buffer.concat([image.buffer, Buffer.alloc(need - image.buffer.length)]);
    images.set(key, image);
    vars.push({ v, r, image });
  }
  const values = new Map<string, S7Value>(opts.profile.variables.map((v) => [v.name, v.initial]));
  const write = (x: SimVar, value: S7Value) => {
    const unit = x.r.address.area === 'T' || x.r.address.area === 'C' ? 2 : 1;
    encodeS7Raw(x.r, value, x.image.buffer, x.r.address.start * unit);
    x.image.dirty = true;
  };
  for (const x of vars) write(x, x.v.initial);

  const server = acquireServer();
  try {
    return await serve(server, opts, host, vars, images, values, write);
  } catch (err) {
    server.Stop();
    unregisterAll(server, images.values());
    releaseServer();
    throw err;
  }
}

function areaCodes(server: Snap7Server): Record<S7Area, number> {
  return {
    DB: server.srvAreaDB,
    M: server.srvAreaMK,
    I: server.srvAreaPE,
    Q: server.srvAreaPA,
    T: server.srvAreaTM,
    C: server.srvAreaCT,
  };
}

function unregisterAll(server: Snap7Server, images: Iterable<AreaImage>): void {
  const code = areaCodes(server);
  for (const img of images) {
    if (img.db === undefined) server.UnregisterArea(code[img.area]);
    else server.UnregisterArea(code[img.area], img.db);
  }
}

type SimVar = { v: S7SimVariable; r: ResolvedS7Point; image: AreaImage };

async function serve(
  server: Snap7Server,
  opts: S7SimulatorOptions,
  host: string,
  vars: SimVar[],
  images: Map<string, AreaImage>,
  values: Map<string, S7Value>,
  write: (x: SimVar, value: S7Value) => void,
): Promise<S7Simulator> {
  const areaCode = areaCodes(server);
  for (const img of images.values()) {
    const ok =
      img.db === undefined
        ? server.RegisterArea(areaCode[img.area], img.buffer)
        : server.RegisterArea(areaCode[img.area], img.db, img.buffer);
    if (!ok) throw new Error(`snap7 refused area ${areaKey(img.area, img.db)}`);
  }
  if (opts.pduSize !== undefined) server.SetParam(server.PDURequest, opts.pduSize);
  let upstreamPort = 0;
  for (let attempt = 0; ; attempt++) {
    upstreamPort = await freePort('127.0.0.1');
    server.SetParam(server.LocalPort, upstreamPort);
    if (server.StartTo('127.0.0.1')) break;
    if (attempt >= 4) throw new Error(`snap7 could not listen: ${server.ErrorText(server.LastError())}`);
  }
  const flush = () => {
    for (const img of images.values()) {
      if (!img.dirty) continue;
      img.dirty = false;
      if (img.db === undefined) server.SetArea(areaCode[img.area], img.buffer);
      else server.SetArea(areaCode[img.area], img.db, img.buffer);
    }
  };
  flush();
  const proxy: FaultProxy = await startFaultProxy({ host, port: opts.port ?? 0, upstreamPort });
  const started = Date.now();
  const tick = setInterval(() => {
    const t = Date.now() - started;
    for (const x of vars) {
      const b = x.v.behaviour;
      if (b === undefined) continue;
      const next = b({ t, value: values.get(x.v.name) ?? x.v.initial, get: (n) => values.get(n) ?? 0 });
      values.set(x.v.name, next);
      write(x, next);
    }
    flush();
  }, opts.profile.tickMs ?? 1000);
  tick.unref();
  const removed = new Set<number>();
  return {
    host,
    port: proxy.port,
    address: `${host}:${proxy.port}`,
    values,
    set(name, value) {
      const x = vars.find((y) => y.v.name === name);
      if (x === undefined) throw new RangeError(`no variable ${name} in profile ${opts.profile.name}`);
      values.set(name, value);
      write(x, value);
      flush();
    },
    faults: {
      noAnswer: (on) => proxy.setNoAnswer(on),
      resetConnections: () => proxy.resetConnections(),
      refuseReads: (code) => proxy.refuseReads(code),
      down: () => proxy.down(),
      up: () => proxy.up(),
      removeDb(db) {
        if (removed.has(db)) return;
        removed.add(db);
        server.UnregisterArea(server.srvAreaDB, db);
        images.delete(areaKey('DB', db));
      },
    },
    get connections() {
      return proxy.connections;
    },
    async close() {
      clearInterval(tick);
      await proxy.close();
      server.Stop();
      unregisterAll(server, images.values());
      releaseServer();
    },
  };
}
