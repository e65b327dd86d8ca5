/**
 * The OPC UA component's device keys — `opcua:` (the endpoint and its security), `subscribe:` (monitored items)
 * and `read:` (cyclic reads) — declared once: validator, resolved types, docs/configuration.md and sample.yaml
 * all come from here.
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { DurationAtLeast, MetricName, OneOf } from '../../../config/schemas/common.js';
import { optional, required, Section } from '../../../config/spec.js';
import { METRIC_KINDS } from '../../../protocols/metric.js';
import { BuiltinType } from '../../../protocols/opcua/data-types.js';
import { DEFAULT_SECURITY_MODE, DEFAULT_SECURITY_POLICY } from '../../../protocols/opcua/security.js';

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
  Section({
    username: required(Type.String({ minLength: 1 }), { description: 'user name', example: 'agent' }),
    password: required(Type.String(), {
      description: 'password (a reference)',
      example: '${file:/run/secrets/opcua}',
    }),
  }),
  Section({
    certificate: required(Type.String({ minLength: 1 }), {
      description: 'X.509 user certificate (PEM path)',
    }),
    privateKey: required(Type.String({ minLength: 1 }), { description: 'its private key (PEM path)' }),
  }),
]);

export const OpcuaConnection = Section({
  endpoint: required(Type.String({ pattern: '^opc\\.tcp://' }), {
    description: 'the server’s endpoint URL',
    example: 'opc.tcp://127.0.0.1:4840',
  }),
  securityMode: optional(SecurityMode, {
    description: 'message security; None needs allowInsecure',
    defaultText: `${DEFAULT_SECURITY_MODE} (None when securityPolicy is None)`,
  }),
  securityPolicy: optional(SecurityPolicy, {
    description: 'security policy; None goes with securityMode None only',
    defaultText: `${DEFAULT_SECURITY_POLICY} (None when securityMode is None)`,
  }),
  allowInsecure: optional(Type.Boolean(), {
    description: 'accept securityMode None for this endpoint (data and passwords in clear)',
    default: false,
  }),
  user: optional(OpcuaUser, {
    description: '{ username, password } or { certificate, privateKey }',
    defaultText: 'anonymous',
  }),
  pki: optional(Type.String(), {
    description: 'PKI folder: own certificate, trusted/ and rejected/ server certificates',
    defaultText: '<outbox.path>/pki',
  }),
  requestedSessionTimeout: optional(DurationAtLeast('1s'), {
    description: 'session timeout asked of the server (shorter causes BadSessionIdInvalid on some PLCs)',
    default: '60s',
  }),
  publishingInterval: optional(DurationAtLeast('1ms'), {
    description: 'subscription publishing interval (at least 50ms)',
    defaultText: 'the smallest samplingInterval of the device’s items',
  }),
  watchdogIntervals: optional(Type.Integer({ minimum: 2 }), {
    description: 'rebuild the session after this many publishing intervals without data or keep-alive',
    unit: 'intervals',
    default: 10,
  }),
});
export type OpcuaConnection = StaticDecode<typeof OpcuaConnection>;

/** OPC UA built-in type names a config may state (those with a scalar value). */
const BUILTIN_NAMES = Object.keys(BuiltinType).filter(
  (n) => !['Null', 'ExtensionObject', 'DataValue', 'Variant', 'DiagnosticInfo'].includes(n),
);

/**
 * The value's type, when known up front: births then carry the right datatype before the first connect. Either a
 * metric kind (`double`, `int32`, …) or an OPC UA built-in type name (`Double`, `Int32`, …).
 */
export const OpcuaValueType = OneOf([...METRIC_KINDS, ...BUILTIN_NAMES]);

const Structure = Type.Union([Type.Literal('flatten'), Type.Literal('json')]);

const itemKeys = {
  name: required(MetricName, { description: 'metric name', example: 'spindle_rpm' }),
  node: required(Type.String({ minLength: 1 }), {
    description: 'node id: ns=2;s=Name, i=85, nsu=uri;s=Name',
    example: 'ns=2;s=CNC01.Spindle.Speed',
  }),
  unit: optional(Type.String({ maxLength: 32 }), {
    description: 'engineering unit, carried in births',
    example: 'rpm',
  }),
  type: optional(OpcuaValueType, {
    description: 'the value’s type (a metric kind or an OPC UA name) for exact births before connect',
    defaultText: 'learnt from the first value (double until then)',
  }),
  structure: optional(Structure, {
    description: 'structures: one metric per field (flatten) or one JSON string (json)',
    default: 'flatten',
  }),
};

export const OpcuaSubscribeItem = Section({
  ...itemKeys,
  samplingInterval: optional(DurationAtLeast('0ms'), {
    description: 'how often the server samples',
    default: '1s',
  }),
  queueSize: optional(Type.Integer({ minimum: 1 }), {
    description: 'values the server keeps between publishes',
    defaultText: '⌈publishingInterval / samplingInterval⌉',
  }),
  discardOldest: optional(Type.Boolean(), {
    description: 'when the queue is full, drop the oldest',
    default: true,
  }),
  deadband: optional(
    Type.Union([
      Section({
        absolute: required(Type.Number({ minimum: 0 }), { description: 'in engineering units', example: 5 }),
      }),
      Section({
        percent: required(Type.Number({ minimum: 0, maximum: 100 }), {
          description: '% of the node’s EURange',
          example: 1,
        }),
      }),
    ]),
    { description: '{ absolute } or { percent }: report only larger changes (a DataChangeFilter)' },
  ),
});
export type OpcuaSubscribeItem = StaticDecode<typeof OpcuaSubscribeItem>;

export const OpcuaReadNode = Section(itemKeys);
export type OpcuaReadNode = StaticDecode<typeof OpcuaReadNode>;

export const OpcuaReadGroup = Section({
  every: required(DurationAtLeast('10ms'), { description: 'read interval', example: '10s' }),
  nodes: required(Type.Array(OpcuaReadNode, { minItems: 1 }), { description: 'nodes read together' }),
});
export type OpcuaReadGroup = StaticDecode<typeof OpcuaReadGroup>;

/** The device keys this component owns. */
export const opcuaSpec = {
  opcua: optional(OpcuaConnection, { description: 'an OPC UA server' }),
  subscribe: optional(Type.Array(OpcuaSubscribeItem), {
    description: 'monitored items (the server reports changes)',
  }),
  read: optional(Type.Array(OpcuaReadGroup), { description: 'cyclic reads (the agent reads on a timer)' }),
};
