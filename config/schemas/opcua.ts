import { type Static, Type } from '@sinclair/typebox';
import { Duration, MetricName, Strict } from './common.js';

export const SecurityMode = Type.Union([
  Type.Literal('None'),
  Type.Literal('Sign'),
  Type.Literal('SignAndEncrypt'),
]);
export const SecurityPolicy = Type.Union([
  Type.Literal('None'),
  Type.Literal('Basic256Sha256'),
  Type.Literal('Aes128_Sha256_RsaOaep'),
  Type.Literal('Aes256_Sha256_RsaPss'),
]);

export const OpcuaUser = Type.Union([
  Strict({ username: Type.String({ minLength: 1 }), password: Type.String() }),
  Strict({ certificate: Type.String({ minLength: 1 }), privateKey: Type.String({ minLength: 1 }) }),
]);

export const OpcuaConnection = Strict({
  endpoint: Type.String({ pattern: '^opc\\.tcp://' }),
  securityMode: Type.Optional(SecurityMode),
  securityPolicy: Type.Optional(SecurityPolicy),
  /** securityMode None is refused unless this is true for the endpoint */
  allowInsecure: Type.Optional(Type.Boolean()),
  user: Type.Optional(OpcuaUser),
  /** PKI folder: own certificate, trusted/ and rejected/ server certificates */
  pki: Type.Optional(Type.String()),
  requestedSessionTimeout: Type.Optional(Duration),
  publishingInterval: Type.Optional(Duration),
});
export type OpcuaConnection = Static<typeof OpcuaConnection>;

export const OpcuaSubscribeItem = Strict({
  name: MetricName,
  node: Type.String({ minLength: 1 }),
  samplingInterval: Type.Optional(Duration),
  queueSize: Type.Optional(Type.Integer({ minimum: 1 })),
  discardOldest: Type.Optional(Type.Boolean()),
  deadband: Type.Optional(
    Type.Union([
      Strict({ absolute: Type.Number({ minimum: 0 }) }),
      Strict({ percent: Type.Number({ minimum: 0, maximum: 100 }) }),
    ]),
  ),
  unit: Type.Optional(Type.String({ maxLength: 32 })),
  /** structures: flatten into fields or keep as one JSON string */
  structure: Type.Optional(Type.Union([Type.Literal('flatten'), Type.Literal('json')])),
});
export type OpcuaSubscribeItem = Static<typeof OpcuaSubscribeItem>;

export const OpcuaReadGroup = Strict({
  every: Duration,
  nodes: Type.Array(
    Strict({
      name: MetricName,
      node: Type.String({ minLength: 1 }),
      unit: Type.Optional(Type.String({ maxLength: 32 })),
      structure: Type.Optional(Type.Union([Type.Literal('flatten'), Type.Literal('json')])),
    }),
    { minItems: 1 },
  ),
});
export type OpcuaReadGroup = Static<typeof OpcuaReadGroup>;
