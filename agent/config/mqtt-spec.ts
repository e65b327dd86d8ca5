import { type StaticDecode, type StaticEncode, Type } from '@sinclair/typebox';
import { ClientCertKeys, certPair } from '../../config/schemas/client-cert.js';
import { Duration, DurationAtLeast, Id } from '../../config/schemas/common.js';
import { optional, required, Section, withCheck } from '../../config/spec.js';

/** The agent's uplink (`mqtt:`). */
const AgentMqttSection = Section({
  url: required(Type.String({ pattern: '^(mqtt|mqtts|ws|wss)://' }), {
    description: 'the broker: mqtt://, mqtts://, ws:// or wss://',
    example: 'mqtt://127.0.0.1:1883',
  }),
  username: optional(Type.String(), { description: 'MQTT username', example: 'line3-gw' }),
  password: optional(Type.String(), {
    description: 'MQTT password (a reference)',
    example: '${env:MQTT_PASSWORD}',
  }),
  ca: optional(Type.String(), {
    description: 'CA bundle (PEM path) to verify the broker; certificates are never trusted blindly',
  }),
  ...ClientCertKeys,
  clientId: optional(Type.String({ minLength: 1, maxLength: 128 }), {
    description: 'unique and stable per gateway',
    defaultText: 'plantpulse-{site}-{node}',
  }),
  protocolVersion: optional(Type.Union([Type.Literal(4), Type.Literal(5)]), {
    description: 'MQTT 3.1.1 (4) or 5',
    default: 4,
  }),
  keepalive: optional(DurationAtLeast('1s'), { description: 'MQTT keep-alive interval', default: '30s' }),
  format: optional(Type.Union([Type.Literal('sparkplug'), Type.Literal('json')]), {
    description: 'Sparkplug B, or plain JSON on plantpulse/v1/… (the unified namespace)',
    default: 'sparkplug',
  }),
  primaryHost: optional(Id, {
    description: 'Sparkplug primary host id: wait for its STATE online before births',
  }),
  stateClockSkew: optional(Duration, {
    description:
      'a primary host STATE dated further ahead of this gateway’s clock is ignored and logged (a forged far-future retained STATE cannot halt the gateway)',
    default: '5m',
  }),
  maxInflight: optional(Type.Integer({ minimum: 1, maximum: 65535 }), {
    description: 'QoS 1 messages awaiting PUBACK at once',
    unit: 'messages',
    default: 32,
  }),
});
export type AgentMqtt = StaticDecode<typeof AgentMqttSection>;
/** The section as written in a file. */
export type AgentMqttInput = StaticEncode<typeof AgentMqttSection>;
export const AgentMqtt = withCheck(AgentMqttSection, certPair);
