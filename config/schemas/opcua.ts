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
  /** subscription publishing interval; default: the smallest samplingInterval of the device's items */
  publishingInterval: Type.Optional(Duration),
  /**
   * rebuild the session when neither data nor keep-alive arrived for this many publishing intervals
   * (default 10; never less than two keep-alive periods)
   */
  watchdogIntervals: Type.Optional(Type.Integer({ minimum: 2 })),
});
export type OpcuaConnection = Static<typeof OpcuaConnection>;

/**
 * The value's type, when known up front: births then carry the right datatype before the first connect. Either a
 * metric kind (`double`, `int32`, …) or an OPC UA built-in type name (`Double`, `Int32`, …). Without it the kind is
 * learnt from the first value (see docs/opcua.md "Metric types").
 */
export const OpcuaValueType = Type.Union(
  [
    'boolean',
    'int8',
    'int16',
    'int32',
    'int64',
    'uint8',
    'uint16',
    'uint32',
    'uint64',
    'float',
    'double',
    'string',
    'datetime',
    'Boolean',
    'SByte',
    'Byte',
    'Int16',
    'UInt16',
    'Int32',
    'UInt32',
    'Int64',
    'UInt64',
    'Float',
    'Double',
    'String',
    'DateTime',
    'Guid',
    'ByteString',
    'XmlElement',
    'NodeId',
    'ExpandedNodeId',
    'QualifiedName',
    'LocalizedText',
    'StatusCode',
  ].map((t) => Type.Literal(t)),
);

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
  type: Type.Optional(OpcuaValueType),
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
      type: Type.Optional(OpcuaValueType),
      structure: Type.Optional(Type.Union([Type.Literal('flatten'), Type.Literal('json')])),
    }),
    { minItems: 1 },
  ),
});
export type OpcuaReadGroup = Static<typeof OpcuaReadGroup>;
