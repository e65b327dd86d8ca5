import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../../config/logging.js';
import type { BrokerTls, EmbeddedBroker } from '../../config/schemas/broker.js';
import { FloodLimit } from '../../protocols/flood-limit.js';
import { ConnectionGuard } from './connection-guard.js';
import { LoginChecker } from './login-checker.js';
import { type LimitedSocket, limitPackets } from './packet-limit.js';
import { type BrokerSecurityEvent, type SecurityEventCounts, SecurityEvents } from './security-events.js';
import { BoundedSessionQueues, type QueueDrop, type SessionQueueStats } from './session-queue.js';
import {
  clientIdAllowed,
  publishRefusal,
  resolveUserAcl,
  subscribeRefusal,
  type UserAcl,
} from './user-acl.js';

export type { BrokerSecurityEvent } from './security-events.js';

export interface BrokerOptions {
  /** every login, refusal and limit hit (for an audit log); also counted in `stats().events` */
  onSecurityEvent?: (e: BrokerSecurityEvent) => void;
  /** users whose role defaults to `host` (the ingester's own login) */
  hostUsers?: readonly string[];
  /** client ids bound to a user from the start (the ingester's), so no other user can take the session */
  reservedClientIds?: Readonly<Record<string, string>>;
}

export interface BrokerStats {
  clients: number;
  rejectedAuth: number;
  rejectedPublish: number;
  rejectedSubscribe: number;
  /** connections closed by a limit (per address, rate, total, packet size, pending logins) */
  limited: number;
  /** scrypt runs for logins (one per checked CONNECT, known user or not) */
  kdfRuns: number;
  events: SecurityEventCounts;
  /** QoS 1/2 messages queued for persistent sessions (maxSessionQueuedMessages/Bytes), and those dropped */
  queue: SessionQueueStats;
}

export interface RunningBroker {
  /** mqtt://host:port (or mqtts://name:port, the certificate's name) as clients should dial it */
  url: string;
  /**
   * How a client in this process (the ingester) dials it: the listen address itself, so the certificate's name
   * needs no DNS entry on this machine, and with TLS that name (`servername`) is what the certificate is checked for.
   */
  local: { url: string; servername?: string };
  port: number;
  stats(): BrokerStats;
  close(): Promise<void>;
}

type PlantClient = Client & { plantpulseUser?: UserAcl; conn: LimitedSocket<Socket | TLSSocket> };

function refusal(returnCode: number, message: string): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  err.returnCode = returnCode;
  return err;
}

/** The name clients dial to reach a TLS broker: configured, else the certificate's first DNS name or IP, else CN. */
export function tlsServerName(tls: BrokerTls, certPem: Buffer): string {
  if (tls.serverName !== undefined) return tls.serverName;
  const cert = new X509Certificate(certPem);
  for (const entry of (cert.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.+)$/.exec(entry);
    if (m?.[2] && !m[2].includes('*')) return m[2];
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  if (cn === undefined) throw new Error(`${tls.cert} names no host: set broker.tls.serverName`);
  return cn;
}

/**
 * The embedded aedes broker, deny by default (README "Security / Broker"): every client authenticates (scrypt off
 * the event loop, equal cost for unknown users) or presents a client certificate; each user publishes and
 * subscribes only within its patterns, connects only with its client ids, and only a host publishes STATE; packets
 * above `maxPacketBytes` are cut off while they are read; connections are limited per address, in rate and in total;
 * the queue of each persistent session is bounded (`maxSessionQueuedMessages`/`Bytes`, session-queue.ts).
 */
export async function startEmbeddedBroker(
  cfg: EmbeddedBroker,
  log: Logger,
  opts: BrokerOptions = {},
): Promise<RunningBroker> {
  const acls = new Map(cfg.users.map((u) => [u.username, resolveUserAcl(u, opts.hostUsers ?? [])]));
  const events = new SecurityEvents(log, opts.onSecurityEvent);
  const logins = new LoginChecker(cfg.users, {
    concurrency: cfg.loginConcurrency,
    maxPending: cfg.maxPendingLogins,
  });
  const guard = new ConnectionGuard({
    maxConnections: cfg.maxConnections,
    maxPerAddress: cfg.maxConnectionsPerAddress,
    ratePerSecond: cfg.connectRatePerAddress,
  });
  /** client id → the user it is bound to: while connected, and for as long as a persistent session may exist */
  const owners = new Map<string, string>(Object.entries(opts.reservedClientIds ?? {}));
  const identityFromCert = cfg.tls?.identityFromCert === true;
  const addressOf = (c: Client | null) => (c as PlantClient | null)?.conn.remoteAddress;
  // a full session queue drops every further message (each one counted in stats().queue.dropped); the security
  // event — log line and audit record — comes at most once per client id per minute, with how many it stands for
  const dropReports = new FloodLimit({ max: 1, windowMs: 60_000 });
  // a host application's session (the ingester's) is the data path itself: larger bounds, so a slow InfluxDB or a
  // full spool holds messages here for longer before any is dropped; every other session gets Mosquitto's defaults
  const gatewayBound = { maxMessages: cfg.maxSessionQueuedMessages, maxBytes: cfg.maxSessionQueuedBytes };
  const hostBound = {
    maxMessages: cfg.maxHostSessionQueuedMessages,
    maxBytes: cfg.maxHostSessionQueuedBytes,
  };
  const boundOf = (clientId: string) => {
    const owner = owners.get(clientId);
    return owner !== undefined && acls.get(owner)?.role === 'host' ? hostBound : gatewayBound;
  };
  const queues = new BoundedSessionQueues(boundOf, (d: QueueDrop) => {
    const suppressed = dropReports.admit(d.clientId);
    if (suppressed === undefined) return;
    const username = owners.get(d.clientId);
    const host = boundOf(d.clientId) === hostBound;
    const key = `max${host ? 'Host' : ''}SessionQueued${d.limit === 'messages' ? 'Messages' : 'Bytes'}`;
    const b = host ? hostBound : gatewayBound;
    const bound = d.limit === 'messages' ? `${b.maxMessages} messages (${key})` : `${b.maxBytes} B (${key})`;
    events.emit({
      type: 'broker.queue-full',
      reason:
        `session queue full at ${bound}: newest message dropped` +
        (suppressed > 0 ? ` (${suppressed} more dropped for this client since the last report)` : ''),
      clientId: d.clientId,
      topic: d.topic,
      ...(username === undefined ? {} : { username }),
    });
  });

  async function login(client: PlantClient, username: string | undefined, password: Buffer | undefined) {
    const base = { clientId: client.id, address: client.conn.remoteAddress ?? '' };
    const refuse = (
      code: number,
      reason: string,
      type: BrokerSecurityEvent['type'] = 'broker.login-refused',
    ) => {
      events.emit({ type, reason, ...base, ...(username === undefined ? {} : { username }) });
      return refusal(code, reason);
    };
    let name = username;
    if (identityFromCert) {
      const sock = client.conn.socket as TLSSocket;
      const cn = sock.getPeerCertificate?.()?.subject?.CN;
      if (typeof cn !== 'string' || !sock.authorized) return refuse(5, 'no verified client certificate');
      if (username !== undefined && username !== cn)
        return refuse(5, 'username differs from the certificate');
      name = cn;
      if (!acls.has(cn)) return refuse(5, 'certificate names no configured user');
    } else {
      const verdict = await logins.check(username, password);
      if (verdict === 'busy')
        return refuse(3, 'too many logins waiting for a password check', 'broker.limit');
      if (verdict === 'bad') return refuse(4, 'bad username or password');
    }
    const acl = name === undefined ? undefined : acls.get(name);
    if (acl === undefined) return refuse(4, 'bad username or password');
    if (!clientIdAllowed(acl, client.id)) return refuse(2, 'client id not allowed for this user');
    const owner = owners.get(client.id);
    if (owner !== undefined && owner !== acl.username) return refuse(2, 'client id is bound to another user');
    owners.set(client.id, acl.username);
    client.plantpulseUser = acl;
    events.emit({
      type: 'broker.login',
      reason: identityFromCert ? 'certificate' : 'password',
      ...base,
      username: acl.username,
    });
    return null;
  }

  const aedes = await Aedes.createBroker({
    maxTopicLevels: 10,
    drainTimeout: 30_000,
    connectTimeout: 10_000,
    maxInflightInbound: cfg.maxInflightPerClient,
    queueLimit: cfg.maxQueuedPerClient,
    persistence: queues,
    authenticate(client, username, password, done) {
      login(client as PlantClient, username, password).then(
        (err) => done(err, err === null),
        (err: unknown) => {
          log.error({ err }, 'MQTT login check failed');
          done(refusal(3, 'login check failed'), false);
        },
      );
    },
    authorizePublish(client, packet, done) {
      const acl = (client as PlantClient | null)?.plantpulseUser;
      const topic = packet.topic;
      let reason = acl
        ? publishRefusal(acl, { username: acl.username, clientId: client?.id ?? '' }, topic)
        : 'no authenticated user';
      if (reason === undefined && packet.payload.length > cfg.maxPayloadBytes)
        reason = `payload ${packet.payload.length} B exceeds ${cfg.maxPayloadBytes} B`;
      if (reason !== undefined) {
        events.emit({
          type: 'broker.publish-refused',
          reason,
          topic,
          ...(client ? { clientId: client.id, address: addressOf(client) ?? '' } : {}),
          ...(acl ? { username: acl.username } : {}),
        });
        done(new Error(reason));
        return;
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const acl = (client as PlantClient).plantpulseUser;
      const reason = acl
        ? subscribeRefusal(acl, { username: acl.username, clientId: client.id }, sub.topic)
        : 'no authenticated user';
      if (reason !== undefined) {
        events.emit({
          type: 'broker.subscribe-refused',
          reason,
          topic: sub.topic,
          clientId: client.id,
          address: addressOf(client) ?? '',
          ...(acl ? { username: acl.username } : {}),
        });
        done(null, null);
        return;
      }
      done(null, sub);
    },
  });
  aedes.on('clientDisconnect', (client) => {
    // a clean session ends with its connection: its id is free again (unless reserved)
    const c = client as PlantClient & { clean?: boolean };
    if (c.clean === true && opts.reservedClientIds?.[c.id] === undefined && c.plantpulseUser) {
      if (owners.get(c.id) === c.plantpulseUser.username) owners.delete(c.id);
    }
  });
  aedes.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'MQTT client error'),
  );
  aedes.on('connectionError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'MQTT connection error'),
  );

  const serve = (sock: Socket | TLSSocket) => {
    sock.setNoDelay(true);
    return aedes.handle(
      limitPackets(sock, cfg.maxPacketBytes, (reason) =>
        events.emit({ type: 'broker.limit', reason, address: sock.remoteAddress ?? '' }),
      ),
    );
  };
  const admit = (raw: Socket): boolean => {
    const address = raw.remoteAddress ?? '';
    const reason = guard.admit(address);
    if (reason !== undefined) {
      events.emit({ type: 'broker.limit', reason, address });
      raw.destroy();
      return false;
    }
    raw.once('close', () => guard.release(address));
    return true;
  };
  let server: Server;
  const listenHost = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host === '::' ? '::1' : cfg.host;
  let dialHost = listenHost;
  if (cfg.tls) {
    const cert = readFileSync(cfg.tls.cert);
    dialHost = tlsServerName(cfg.tls, cert);
    const mutual = cfg.tls.requireClientCert || cfg.tls.identityFromCert;
    server = createTlsServer(
      {
        cert,
        key: readFileSync(cfg.tls.key),
        ...(cfg.tls.ca ? { ca: readFileSync(cfg.tls.ca) } : {}),
        requestCert: mutual,
        rejectUnauthorized: mutual,
      },
      serve,
    );
    server.on('connection', admit);
    server.on('tlsClientError', (err, sock) =>
      log.debug({ err: err.message, address: sock.remoteAddress }, 'TLS handshake failed'),
    );
  } else {
    server = createNetServer((sock) => {
      if (admit(sock)) serve(sock);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'MQTT listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.port;
  const hostPart = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const scheme = cfg.tls ? 'mqtts' : 'mqtt';
  const url = `${scheme}://${hostPart(dialHost)}:${port}`;
  log.info(
    { url, listen: cfg.host, users: cfg.users.length, mutualTls: cfg.tls?.requireClientCert ?? false },
    'embedded MQTT broker listening (authentication required, deny by default)',
  );

  return {
    url,
    local: {
      url: `${scheme}://${hostPart(listenHost)}:${port}`,
      ...(cfg.tls ? { servername: dialHost } : {}),
    },
    port,
    stats: () => ({
      clients: aedes.connectedClients,
      rejectedAuth: events.counts['broker.login-refused'],
      rejectedPublish: events.counts['broker.publish-refused'],
      rejectedSubscribe: events.counts['broker.subscribe-refused'],
      limited: events.counts['broker.limit'],
      kdfRuns: logins.kdfRuns,
      events: { ...events.counts },
      queue: queues.stats(),
    }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closed;
    },
  };
}
