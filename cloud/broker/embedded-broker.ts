import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../../config/logging.js';
import { verifySecret } from '../../config/password-hash.js';
import type { BrokerUser, EmbeddedBroker } from '../../config/schemas/broker.js';
import { filterCovers, stripShare, topicMatches } from './topic-acl.js';

export interface RunningBroker {
  /** mqtt://host:port (or mqtts://) as clients should dial it */
  url: string;
  port: number;
  stats(): { clients: number; rejectedAuth: number; rejectedPublish: number; rejectedSubscribe: number };
  close(): Promise<void>;
}

function checkPassword(user: BrokerUser, given: Buffer | undefined): boolean {
  if (given === undefined) return false;
  if (user.passwordHash !== undefined) return verifySecret(given.toString('utf8'), user.passwordHash);
  if (user.password !== undefined) {
    const want = Buffer.from(user.password, 'utf8');
    return want.length === given.length && timingSafeEqual(want, given);
  }
  return false;
}

function authError(): AuthenticateError {
  const err = new Error('bad username or password') as AuthenticateError;
  err.returnCode = 4;
  return err;
}

/**
 * The embedded aedes broker. Secure by default: every client must authenticate against the configured users,
 * each user may publish/subscribe only within its topic filters, `$SYS/` cannot be published to, and payloads
 * above `maxPayloadBytes` are refused (aedes has no limit of its own).
 */
export async function startEmbeddedBroker(cfg: EmbeddedBroker, log: Logger): Promise<RunningBroker> {
  const users = new Map(cfg.users.map((u) => [u.username, u]));
  const maxPayload = cfg.maxPayloadBytes;
  const counters = { rejectedAuth: 0, rejectedPublish: 0, rejectedSubscribe: 0 };
  const userOf = (client: Client | null): BrokerUser | undefined =>
    client === null
      ? undefined
      : users.get((client as Client & { plantpulseUser?: string }).plantpulseUser ?? '');

  const aedes = await Aedes.createBroker({
    maxTopicLevels: 10,
    drainTimeout: 30_000,
    connectTimeout: 10_000,
    authenticate(client, username, password, done) {
      const user = username === undefined ? undefined : users.get(username);
      if (!user || !checkPassword(user, password)) {
        counters.rejectedAuth++;
        log.warn({ clientId: client.id, username }, 'MQTT client refused: bad username or password');
        done(authError(), false);
        return;
      }
      (client as Client & { plantpulseUser?: string }).plantpulseUser = user.username;
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const user = userOf(client);
      const topic = packet.topic;
      let reason: string | undefined;
      if (topic.startsWith('$SYS')) reason = '$SYS is reserved';
      else if (!user) reason = 'no authenticated user';
      else if (!user.publish.some((f) => topicMatches(f, topic))) reason = 'topic not allowed';
      else if (packet.payload.length > maxPayload)
        reason = `payload ${packet.payload.length} B exceeds ${maxPayload} B`;
      if (reason !== undefined) {
        counters.rejectedPublish++;
        log.warn({ clientId: client?.id, topic, reason }, 'MQTT publish refused');
        done(new Error(reason));
        return;
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const user = userOf(client);
      const filter = stripShare(sub.topic);
      if (!user?.subscribe.some((f) => filterCovers(f, filter))) {
        counters.rejectedSubscribe++;
        log.warn({ clientId: client.id, filter: sub.topic }, 'MQTT subscription refused: topic not allowed');
        done(null, null);
        return;
      }
      done(null, sub);
    },
  });
  aedes.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'MQTT client error'),
  );
  aedes.on('connectionError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'MQTT connection error'),
  );

  const server: Server = cfg.tls
    ? createTlsServer(
        {
          cert: readFileSync(cfg.tls.cert),
          key: readFileSync(cfg.tls.key),
          ...(cfg.tls.ca ? { ca: readFileSync(cfg.tls.ca) } : {}),
        },
        aedes.handle,
      )
    : createNetServer(aedes.handle);
  const host = cfg.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'MQTT listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.port;
  const url = `${cfg.tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, users: cfg.users.length }, 'embedded MQTT broker listening (authentication required)');

  return {
    url,
    port,
    stats: () => ({ clients: aedes.connectedClients, ...counters }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closed;
    },
  };
}
