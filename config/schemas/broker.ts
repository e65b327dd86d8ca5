import { type StaticDecode, Type } from '@sinclair/typebox';
import { brokerChecks } from '../cloud-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { ByteSize, Port } from './common.js';

/**
 * What a user may do when the config gives no `publish`/`subscribe`/`clientIds` lists, by role. `{username}` and
 * `{clientid}` are replaced by the connecting client's (Mosquitto's `%u`/`%c` pattern ACLs): a gateway gets only its
 * own Sparkplug node (edge_node_id = its username) and JSON node, and the commands and host STATE addressed to it.
 */
export const DEFAULT_ACL = {
  gateway: {
    publish: [
      'spBv1.0/+/+/{username}',
      'spBv1.0/+/+/{username}/#',
      'plantpulse/v1/+/{username}',
      'plantpulse/v1/+/{username}/#',
    ],
    subscribe: ['spBv1.0/+/NCMD/{username}', 'spBv1.0/+/DCMD/{username}/#', 'spBv1.0/STATE/+'],
    clientIds: ['*'],
  },
  host: {
    publish: ['spBv1.0/STATE/+', 'spBv1.0/+/NCMD/+', 'spBv1.0/+/DCMD/+/+'],
    subscribe: ['spBv1.0/#', 'plantpulse/v1/#'],
    clientIds: ['*'],
  },
} as const;

export const BrokerUser = Section({
  username: required(Type.String({ minLength: 1 }), { description: 'MQTT username', example: 'line3-gw' }),
  passwordHash: optional(Type.String(), {
    description: 'scrypt hash `scrypt$N$r$p$salt$hash` (`plantpulse hash-password`); or give password',
  }),
  password: optional(Type.String(), {
    description:
      'plain password, only from a ${env:…}/${file:…}/${cred:…} reference (the ingester’s own login)',
  }),
  role: optional(Type.Union([Type.Literal('gateway'), Type.Literal('host')]), {
    description:
      'gateway (an edge node) or host (a Sparkplug host application: only a host may publish spBv1.0/STATE/…)',
    defaultText: 'host for the user the ingester logs in as (mqtt.username), gateway for every other',
  }),
  publish: optional(Type.Array(Type.String({ minLength: 1 })), {
    description:
      'topic patterns this user may publish to (MQTT filters; {username} and {clientid} are replaced)',
    defaultText:
      'gateway: spBv1.0/+/+/{username}, spBv1.0/+/+/{username}/#, plantpulse/v1/+/{username}[/#]; host: spBv1.0/STATE/+, NCMD and DCMD',
  }),
  subscribe: optional(Type.Array(Type.String({ minLength: 1 })), {
    description: 'topic patterns this user may subscribe to ({username} and {clientid} are replaced)',
    defaultText:
      'gateway: spBv1.0/+/NCMD/{username}, spBv1.0/+/DCMD/{username}/#, spBv1.0/STATE/+; host: spBv1.0/#, plantpulse/v1/#',
  }),
  clientIds: optional(Type.Array(Type.String({ minLength: 1 })), {
    description:
      'client ids this user may connect with (`*` matches any run of characters, {username} is replaced); an id in use by one user is never given to another',
    defaultText: '* (any id not already bound to another user)',
  }),
});
export type BrokerUser = StaticDecode<typeof BrokerUser>;

const BrokerTls = Section({
  cert: required(Type.String(), { description: 'server certificate (PEM path)' }),
  key: required(Type.String(), { description: 'server private key (PEM path)' }),
  ca: optional(Type.String(), { description: 'CA bundle (PEM path) that signs client certificates' }),
  requireClientCert: optional(Type.Boolean(), {
    description: 'mutual TLS: refuse a client without a certificate signed by ca',
    default: false,
  }),
  identityFromCert: optional(Type.Boolean(), {
    description:
      'the client certificate’s common name is the username (like Mosquitto’s use_identity_as_username); no password is checked',
    default: false,
  }),
  serverName: optional(Type.String({ minLength: 1 }), {
    description: 'the name on the certificate that clients (and the ingester) dial',
    defaultText: 'the certificate’s first DNS name or IP address, else its common name',
  }),
});

const EmbeddedBrokerSection = Section({
  host: optional(Type.String(), {
    description: 'address the embedded broker listens on',
    default: '127.0.0.1',
  }),
  port: required(Port, {
    description: 'port the embedded broker listens on (0: any free port)',
    example: 1883,
  }),
  users: required(Type.Array(BrokerUser, { minItems: 1 }), {
    description: 'who may connect; every client must authenticate',
  }),
  tls: optional(BrokerTls, {
    description: 'serve MQTT over TLS (mqtts://); without it passwords cross the network in clear',
  }),
  maxPayloadBytes: optional(ByteSize, {
    description: 'larger messages are refused (aedes has no limit of its own)',
    default: '256KiB',
  }),
  maxPacketBytes: optional(ByteSize, {
    description:
      'a packet declaring a larger length is cut off while it is read, before it is buffered (CONNECT included)',
    default: '272KiB',
  }),
  maxConnections: optional(Type.Integer({ minimum: 1 }), {
    description: 'connections at once; more are closed at once',
    unit: 'connections',
    default: 1000,
  }),
  maxConnectionsPerAddress: optional(Type.Integer({ minimum: 1 }), {
    description: 'connections at once from one IP address',
    unit: 'connections',
    default: 32,
  }),
  connectRatePerAddress: optional(Type.Integer({ minimum: 1 }), {
    description:
      'new connections per second from one IP address (bursts of twice that); more are closed at once',
    unit: 'connections/s',
    default: 20,
  }),
  maxInflightPerClient: optional(Type.Integer({ minimum: 1, maximum: 65535 }), {
    description:
      'incoming QoS 2 messages of one client awaiting PUBREL; beyond it the client is disconnected',
    unit: 'messages',
    default: 1000,
  }),
  maxQueuedPerClient: optional(Type.Integer({ minimum: 1 }), {
    description:
      'packets queued from one client while its login is checked; beyond it the client is disconnected',
    unit: 'packets',
    default: 42,
  }),
  maxSessionQueuedMessages: optional(Type.Integer({ minimum: 1 }), {
    description:
      'QoS 1/2 messages kept for one persistent session (clean: false), offline or not yet acknowledged; when full, newer messages for it are dropped and counted (Mosquitto’s max_queued_messages)',
    unit: 'messages',
    default: 1000,
  }),
  maxSessionQueuedBytes: optional(ByteSize, {
    description:
      'payload bytes kept for one persistent session; when full, newer messages for it are dropped and counted (Mosquitto’s max_queued_bytes)',
    default: '16MiB',
  }),
  maxHostSessionQueuedMessages: optional(Type.Integer({ minimum: 1 }), {
    description:
      'the same bound for the persistent session of a user of role host (the ingester, other Sparkplug host applications): larger, because that queue is the data path while InfluxDB is slow or the spool is full',
    unit: 'messages',
    default: 200_000,
  }),
  maxHostSessionQueuedBytes: optional(ByteSize, {
    description: 'payload bytes kept for the persistent session of a user of role host',
    default: '256MiB',
  }),
  loginConcurrency: optional(Type.Integer({ minimum: 1, maximum: 16 }), {
    description: 'password checks (scrypt, off the event loop) running at once',
    default: 2,
  }),
  maxPendingLogins: optional(Type.Integer({ minimum: 1 }), {
    description: 'logins waiting for a password check; more are refused as "server unavailable"',
    default: 64,
  }),
});
export type EmbeddedBroker = StaticDecode<typeof EmbeddedBrokerSection>;
export type BrokerTls = StaticDecode<typeof BrokerTls>;
export const EmbeddedBroker = withCheck(EmbeddedBrokerSection, brokerChecks);
