/**
 * One TCP listener that HJ 212 dataloggers connect to, shared by the devices (MNs) configured with the same
 * `listen`. Every packet is framed and checked (protocols/hj212), its MN looked up and its PW compared; a data
 * upload goes to its device, and when the datalogger asked for a reply (Flag bit A) and the device took the data,
 * the listener answers with a data response (CN 9014). Everything an outsider controls is bounded: connections,
 * bytes held per connection (one packet of the standard's maximum length), time to the first good packet, idle
 * time, refusals in a row. Every refused packet is counted by code and logged (a flood is logged in samples).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { FloodLimit } from '../../../protocols/flood-limit.js';
import {
  type DataSegment,
  dataResponse,
  encodePacket,
  HJ212_MAX_DATA_LENGTH,
  isUploadCommand,
  PacketReader,
  parseDataSegment,
  readUpload,
  type Upload,
  wantsReply,
} from '../../../protocols/hj212/index.js';
import { Hj212Error } from './hj212-errors.js';
import type { ListenAddress } from './listen-address.js';

/** What a device registers with the listener. */
export interface Hj212Endpoint {
  device: string;
  mn: string;
  password: string;
  idleTimeoutMs: number;
  utcOffsetMinutes: number;
  /** a data upload for this MN; true when the device took it (then it is acknowledged) */
  onUpload(upload: Upload, seg: DataSegment): boolean;
  /** the MN's first connection identified itself (true), or its last one closed (false) */
  onSession(up: boolean): void;
}

export interface ListenerLimits {
  /** connections at once, identified or not */
  maxConnections: number;
  /** a connection must deliver a packet from a configured MN with its password within this */
  firstPacketTimeoutMs: number;
  /** refused packets in a row after which a connection is closed */
  maxRefusalsInARow: number;
  maxDataLength: number;
}

export const DEFAULT_LIMITS: ListenerLimits = {
  maxConnections: 64,
  firstPacketTimeoutMs: 60_000,
  maxRefusalsInARow: 16,
  maxDataLength: HJ212_MAX_DATA_LENGTH,
};

export type RefusalCode =
  | 'HJ212_MALFORMED'
  | 'HJ212_BAD_CRC'
  | 'HJ212_TOO_LONG'
  | 'HJ212_UNKNOWN_MN'
  | 'HJ212_BAD_PASSWORD'
  | 'HJ212_NOT_READY';

export interface ListenerStats {
  connections: number;
  /** connections closed at once because maxConnections were open */
  connectionsRefused: number;
  packets: number;
  uploads: number;
  acknowledged: number;
  /** packets with a command other than a data upload (ignored) */
  otherCommands: number;
  refused: Record<RefusalCode, number>;
  /** connections closed for silence (before the first good packet or after idleTimeout) */
  idleClosed: number;
  /** connections closed after maxRefusalsInARow */
  closedForRefusals: number;
  /** connections closed at once: their first packets came from an unknown MN or with a wrong password */
  closedOutsiders: number;
  /** connections that closed in the middle of a packet (its bytes are dropped; the datalogger re-sends) */
  truncated: number;
}

interface Connection {
  socket: Socket;
  reader: PacketReader;
  peer: string;
  /** MNs this connection has delivered good packets for */
  mns: Set<string>;
  refusalsInARow: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class Hj212Listener {
  readonly stats: ListenerStats = {
    connections: 0,
    connectionsRefused: 0,
    packets: 0,
    uploads: 0,
    acknowledged: 0,
    otherCommands: 0,
    refused: {
      HJ212_MALFORMED: 0,
      HJ212_BAD_CRC: 0,
      HJ212_TOO_LONG: 0,
      HJ212_UNKNOWN_MN: 0,
      HJ212_BAD_PASSWORD: 0,
      HJ212_NOT_READY: 0,
    },
    idleClosed: 0,
    closedForRefusals: 0,
    closedOutsiders: 0,
    truncated: 0,
  };
  readonly #endpoints = new Map<string, Hj212Endpoint>();
  readonly #sessions = new Map<string, Set<Connection>>();
  readonly #connections = new Set<Connection>();
  readonly #logLimit = new FloodLimit({ max: 5, windowMs: 60_000 });
  readonly #limits: ListenerLimits;
  #server: Server | undefined;
  #starting: Promise<void> | undefined;
  #port: number | undefined;

  constructor(
    readonly address: ListenAddress,
    private readonly log: Logger,
    limits: Partial<ListenerLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Registers a device's MN (no I/O); returns the function that removes it. */
  declare(endpoint: Hj212Endpoint): () => void {
    const other = this.#endpoints.get(endpoint.mn);
    if (other !== undefined && other !== endpoint)
      throw new Hj212Error(
        'HJ212_DUPLICATE_MN',
        `devices ${other.device} and ${endpoint.device} both use MN ${endpoint.mn} on ${this.address.key}`,
      );
    this.#endpoints.set(endpoint.mn, endpoint);
    return () => {
      if (this.#endpoints.get(endpoint.mn) === endpoint) this.#endpoints.delete(endpoint.mn);
    };
  }

  /** the port it listens on (the chosen one for port 0), once started */
  get port(): number | undefined {
    return this.#port;
  }

  /** connections open now, identified or not */
  get openConnections(): number {
    return this.#connections.size;
  }

  hasSession(mn: string): boolean {
    return (this.#sessions.get(mn)?.size ?? 0) > 0;
  }

  /** Binds the port (once; later calls wait for the same bind). Throws HJ212_LISTEN, retryable. */
  start(): Promise<void> {
    this.#starting ??= this.#bind().catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  async #bind(): Promise<void> {
    const server = createServer({ noDelay: true }, (s) => this.#accept(s));
    server.maxConnections = this.#limits.maxConnections;
    server.on('drop', (d) => {
      this.stats.connectionsRefused++;
      this.#warn(
        `${d?.remoteAddress}`,
        'CONNECTIONS',
        { limit: this.#limits.maxConnections },
        'connection refused: too many connections',
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new Hj212Error('HJ212_LISTEN', `cannot listen on ${this.address.key}: ${err.message}`, {
            cause: err,
            retryable: true,
          }),
        ),
      );
      // port 0: the port chosen the first time, again after a stop (dataloggers keep dialling it)
      server.listen(this.#port ?? this.address.port, this.address.host, () => resolve());
    });
    server.on('error', (err) => this.log.error({ err }, 'listener error'));
    const a = server.address();
    this.#port = typeof a === 'object' && a !== null ? a.port : this.address.port;
    this.#server = server;
    this.log.info({ listen: this.address.key, port: this.#port }, 'HJ 212 listener up');
  }

  /** Closes the port and every connection. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#starting = undefined;
    for (const c of this.#connections) c.socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const conn: Connection = {
      socket,
      reader: new PacketReader({ maxDataLength: this.#limits.maxDataLength }),
      peer,
      mns: new Set(),
      refusalsInARow: 0,
    };
    this.stats.connections++;
    this.#connections.add(conn);
    socket.setTimeout(this.#limits.firstPacketTimeoutMs);
    socket.on('timeout', () => {
      this.stats.idleClosed++;
      this.log.info({ peer, mns: [...conn.mns] }, 'datalogger connection idle: closed');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('error', (err) => this.log.debug({ peer, err: err.message }, 'datalogger connection error'));
    socket.on('close', () => this.#onClose(conn));
  }

  #onData(conn: Connection, chunk: Buffer): void {
    for (const ev of conn.reader.push(chunk)) {
      if (conn.socket.destroyed) return;
      if (ev.kind === 'refused') this.#refuse(conn, ev.code, ev.message);
      else this.#onPacket(conn, ev.data);
    }
  }

  #onPacket(conn: Connection, data: string): void {
    this.stats.packets++;
    let seg: DataSegment;
    try {
      seg = parseDataSegment(data);
    } catch (err) {
      this.#refuse(conn, 'HJ212_MALFORMED', (err as Error).message);
      return;
    }
    const ep = this.#endpoints.get(seg.mn);
    if (ep === undefined) {
      this.#refuse(conn, 'HJ212_UNKNOWN_MN', `MN ${seg.mn} is not configured on ${this.address.key}`, true);
      return;
    }
    if (!timingSafeEqual(digest(seg.pw), digest(ep.password))) {
      this.#refuse(conn, 'HJ212_BAD_PASSWORD', `wrong PW for MN ${seg.mn} (device ${ep.device})`, true);
      return;
    }
    conn.refusalsInARow = 0;
    this.#identify(conn, ep);
    if (!isUploadCommand(seg.cn)) {
      this.stats.otherCommands++;
      this.log.debug({ device: ep.device, cn: seg.cn }, 'command ignored: the receiver takes data uploads');
      return;
    }
    const upload = readUpload(seg, ep.utcOffsetMinutes);
    if ('problem' in upload) {
      this.#refuse(conn, 'HJ212_MALFORMED', `${ep.device}: ${upload.problem}`);
      return;
    }
    this.stats.uploads++;
    if (upload.problems.length > 0)
      this.#warn(
        conn.peer,
        'ITEMS',
        { device: ep.device, problems: upload.problems },
        'upload items skipped',
      );
    if (!ep.onUpload(upload, seg)) {
      // not a fault of the datalogger's: counted, never closes the connection
      this.stats.refused.HJ212_NOT_READY++;
      this.#warn(
        conn.peer,
        'NOT_READY',
        { device: ep.device },
        'device reconnecting: data held, not acknowledged',
      );
      return;
    }
    if (wantsReply(seg)) {
      conn.socket.write(encodePacket(dataResponse(seg)));
      this.stats.acknowledged++;
    }
  }

  #identify(conn: Connection, ep: Hj212Endpoint): void {
    if (conn.mns.has(ep.mn)) return;
    conn.mns.add(ep.mn);
    const idle = Math.max(...[...conn.mns].map((mn) => this.#endpoints.get(mn)?.idleTimeoutMs ?? 0));
    conn.socket.setTimeout(idle);
    let set = this.#sessions.get(ep.mn);
    if (set === undefined) {
      set = new Set();
      this.#sessions.set(ep.mn, set);
    }
    set.add(conn);
    this.log.info({ device: ep.device, mn: ep.mn, peer: conn.peer }, 'datalogger connected');
    if (set.size === 1) ep.onSession(true);
  }

  #onClose(conn: Connection): void {
    this.#connections.delete(conn);
    if (conn.reader.pending > 0) {
      this.stats.truncated++;
      this.log.info(
        { peer: conn.peer, bytes: conn.reader.pending },
        'connection closed in the middle of a packet',
      );
    }
    for (const mn of conn.mns) {
      const set = this.#sessions.get(mn);
      set?.delete(conn);
      if (set !== undefined && set.size === 0) {
        this.#sessions.delete(mn);
        const ep = this.#endpoints.get(mn);
        this.log.info({ device: ep?.device, mn, peer: conn.peer }, 'datalogger disconnected');
        ep?.onSession(false);
      }
    }
  }

  /** Counts and logs a refused packet; `outsider` refusals close a connection that never identified itself. */
  #refuse(conn: Connection, code: RefusalCode, message: string, outsider = false): void {
    this.stats.refused[code]++;
    conn.refusalsInARow++;
    this.#warn(conn.peer, code, { code }, `packet refused: ${message}`);
    if (outsider && conn.mns.size === 0) {
      this.stats.closedOutsiders++;
      conn.socket.destroy();
      return;
    }
    if (conn.refusalsInARow >= this.#limits.maxRefusalsInARow) {
      this.stats.closedForRefusals++;
      this.#warn(
        conn.peer,
        'CLOSE',
        { refusals: conn.refusalsInARow },
        'connection closed: refused packets in a row',
      );
      conn.socket.destroy();
    }
  }

  #warn(peer: string, kind: string, fields: Record<string, unknown>, msg: string): void {
    const left = this.#logLimit.admit(`${peer.replace(/:\d+$/, '')}/${kind}`);
    if (left === undefined) return;
    this.log.warn({ peer, ...fields, ...(left > 0 ? { notLogged: left } : {}) }, msg);
  }
}
