import { type Static, Type } from '@sinclair/typebox';
import { Duration, Id, Strict } from './common.js';

/** The agent's uplink. */
export const AgentMqtt = Strict({
  /** mqtt:// mqtts:// ws:// wss:// */
  url: Type.String({ pattern: '^(mqtt|mqtts|ws|wss)://' }),
  username: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  /** CA bundle (PEM path) to verify the broker; certificates are never trusted blindly */
  ca: Type.Optional(Type.String()),
  cert: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
  /** unique, stable per gateway; default `plantpulse-{site}-{node}` */
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  protocolVersion: Type.Optional(Type.Union([Type.Literal(4), Type.Literal(5)])),
  keepalive: Type.Optional(Duration),
  format: Type.Optional(Type.Union([Type.Literal('sparkplug'), Type.Literal('json')])),
  /** Sparkplug primary host id: wait for its STATE online before births */
  primaryHost: Type.Optional(Id),
  maxInflight: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
export type AgentMqtt = Static<typeof AgentMqtt>;
