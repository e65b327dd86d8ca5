import { type StaticDecode, Type } from '@sinclair/typebox';
import { brokerChecks } from '../cloud-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { ByteSize, Port } from './common.js';

/** Topics a broker user may use when the config does not list them: the Sparkplug and unified-JSON namespaces. */
export const DEFAULT_TOPICS = ['spBv1.0/#', 'plantpulse/v1/#'];

export const BrokerUser = Section({
  username: required(Type.String({ minLength: 1 }), { description: 'MQTT username', example: 'line3-gw' }),
  passwordHash: optional(Type.String(), {
    description: 'scrypt hash `scrypt$N$r$p$salt$hash` (`plantpulse hash-password`); or give password',
  }),
  password: optional(Type.String(), {
    description:
      'plain password, only from a ${env:…}/${file:…}/${cred:…} reference (the ingester’s own login)',
  }),
  publish: optional(Type.Array(Type.String()), {
    description: 'topic filters this user may publish to',
    default: DEFAULT_TOPICS,
  }),
  subscribe: optional(Type.Array(Type.String()), {
    description: 'topic filters this user may subscribe to',
    default: DEFAULT_TOPICS,
  }),
});
export type BrokerUser = StaticDecode<typeof BrokerUser>;

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
  tls: optional(
    Section({
      cert: required(Type.String(), { description: 'server certificate (PEM path)' }),
      key: required(Type.String(), { description: 'server private key (PEM path)' }),
      ca: optional(Type.String(), { description: 'CA bundle (PEM path) for client certificates' }),
    }),
    { description: 'serve MQTT over TLS (mqtts://); without it passwords cross the network in clear' },
  ),
  maxPayloadBytes: optional(ByteSize, {
    description: 'larger messages are refused (aedes has no limit of its own)',
    default: '256KiB',
  }),
});
export type EmbeddedBroker = StaticDecode<typeof EmbeddedBrokerSection>;
export const EmbeddedBroker = withCheck(EmbeddedBrokerSection, brokerChecks);
