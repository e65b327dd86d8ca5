import { type Static, Type } from '@sinclair/typebox';
import { AnalyticsConfig } from './analytics.js';
import { ByteSize, Duration, HealthHttp, Id, LogLevel, Port, Strict } from './common.js';

export const BrokerUser = Strict({
  username: Type.String({ minLength: 1 }),
  /** scrypt hash `scrypt$N$r$p$salt$hash` (see `plantpulse hash-password`), or a plain password from a secret reference */
  passwordHash: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  /** publish/subscribe topic filters this user may use; default: the Sparkplug namespace */
  publish: Type.Optional(Type.Array(Type.String())),
  subscribe: Type.Optional(Type.Array(Type.String())),
});
export type BrokerUser = Static<typeof BrokerUser>;

export const EmbeddedBroker = Strict({
  host: Type.Optional(Type.String()),
  port: Port,
  users: Type.Array(BrokerUser, { minItems: 1 }),
  tls: Type.Optional(Strict({ cert: Type.String(), key: Type.String(), ca: Type.Optional(Type.String()) })),
  maxPayloadBytes: Type.Optional(ByteSize),
});
export type EmbeddedBroker = Static<typeof EmbeddedBroker>;

export const IngesterMqtt = Strict({
  /** broker to consume from; omit to use the embedded broker */
  url: Type.Optional(Type.String({ pattern: '^(mqtt|mqtts|ws|wss)://' })),
  username: Type.String({ minLength: 1 }),
  password: Type.String(),
  ca: Type.Optional(Type.String()),
  /** fixed client id for a persistent session */
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** `$share/{group}/…` subscriptions so several ingesters split the data */
  sharedGroup: Type.Optional(Id),
  protocolVersion: Type.Optional(Type.Union([Type.Literal(4), Type.Literal(5)])),
  format: Type.Optional(Type.Union([Type.Literal('sparkplug'), Type.Literal('json')])),
  /** Sparkplug host application id (STATE topic) */
  hostId: Type.Optional(Id),
  maxInflight: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type IngesterMqtt = Static<typeof IngesterMqtt>;

export const InfluxTarget = Strict({
  url: Type.String({ pattern: '^https?://' }),
  /** v1 database (and v2 bucket when `bucket` is not given) */
  database: Type.String({ minLength: 1 }),
  retentionPolicy: Type.Optional(Type.String()),
  /** v2: org and bucket; token for either */
  org: Type.Optional(Type.String()),
  bucket: Type.Optional(Type.String()),
  token: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  /** auto: detect from /ping's X-Influxdb-Version */
  api: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('v1'), Type.Literal('v2')])),
  batchSize: Type.Optional(Type.Integer({ minimum: 1 })),
  flushInterval: Type.Optional(Duration),
  /** create the v1 database when it does not exist */
  createDatabase: Type.Optional(Type.Boolean()),
});
export type InfluxTarget = Static<typeof InfluxTarget>;

export const CloudConfig = Strict({
  broker: Type.Optional(EmbeddedBroker),
  mqtt: IngesterMqtt,
  influx: InfluxTarget,
  spool: Type.Optional(
    Strict({
      path: Type.String({ minLength: 1 }),
      maxBytes: Type.Optional(ByteSize),
      /** full (default): fsync before a message is acknowledged; normal: fsync about every second (docs/delivery.md) */
      sync: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('normal')])),
    }),
  ),
  api: Type.Optional(
    Strict({
      host: Type.Optional(Type.String()),
      port: Port,
      tokens: Type.Optional(
        Type.Array(
          Strict({
            name: Type.String({ minLength: 1 }),
            role: Type.Union([Type.Literal('viewer'), Type.Literal('admin')]),
            tokenHash: Type.String({ minLength: 1 }),
          }),
        ),
      ),
      cors: Type.Optional(Type.Array(Type.String())),
      /** without a token, treat a request as this role (a trusted control-room LAN); default: 401 */
      anonymous: Type.Optional(Type.Literal('viewer')),
      /** serve the plant dashboard at / (default true) */
      dashboard: Type.Optional(Type.Boolean()),
      /** most concurrent live (SSE) streams (default 100) */
      maxLiveClients: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    }),
  ),
  /** the ingester's own /healthz, /readyz and /metrics (docs/metrics.md), apart from the API */
  http: Type.Optional(HealthHttp),
  log: Type.Optional(Strict({ level: Type.Optional(LogLevel) })),
  /** analytics configuration (machines, shifts, meters, emission factors, alarms): see config/schemas/analytics.ts */
  analytics: Type.Optional(AnalyticsConfig),
});
export type CloudConfig = Static<typeof CloudConfig>;
