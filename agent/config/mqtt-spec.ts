import { type StaticDecode, type StaticEncode, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.js';
import { DurationAtLeast, Id } from '../../config/schemas/common.js';
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
  cert: optional(Type.String(), { description: 'client certificate (PEM path; goes with key)' }),
  key: optional(Type.String(), { description: 'client private key (PEM path; goes with cert)' }),
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

/** A client certificate goes with its key. */
function certPair(m: AgentMqtt): ConfigIssue[] {
  if (m.cert !== undefined && m.key === undefined) return [{ path: [], message: 'cert needs key' }];
  if (m.key !== undefined && m.cert === undefined) return [{ path: [], message: 'key needs cert' }];
  return [];
}
