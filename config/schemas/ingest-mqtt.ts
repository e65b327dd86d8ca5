import { type StaticDecode, Type } from '@sinclair/typebox';
import { optional, required, Section, withCheck } from '../spec.js';
import { ClientCertKeys, certPair } from './client-cert.js';
import { Id } from './common.js';

/** The ingester's MQTT session (the cloud's `mqtt:` section). */
const IngesterMqttSection = Section({
  url: optional(Type.String({ pattern: '^(mqtt|mqtts|ws|wss)://' }), {
    description: 'broker to consume from (mqtt://, mqtts://, ws://, wss://)',
    defaultText: 'the embedded broker',
  }),
  username: required(Type.String({ minLength: 1 }), { description: 'MQTT username', example: 'ingest' }),
  password: required(Type.String(), {
    description: 'MQTT password (a reference)',
    example: '${env:MQTT_PASSWORD}',
  }),
  ca: optional(Type.String(), { description: 'CA bundle (PEM path) to verify the broker' }),
  ...ClientCertKeys,
  clientId: optional(Type.String({ minLength: 1, maxLength: 128 }), {
    description: 'fixed client id, so the persistent session survives restarts',
    defaultText: 'plantpulse-ingest-{hostId}',
  }),
  sharedGroup: optional(Id, {
    description: '`$share/{group}/…` subscriptions, so several ingesters split the data',
  }),
  protocolVersion: optional(Type.Union([Type.Literal(4), Type.Literal(5)]), {
    description: 'MQTT 3.1.1 (4) or 5',
    default: 4,
  }),
  format: optional(Type.Union([Type.Literal('sparkplug'), Type.Literal('json')]), {
    description: 'what the agents publish: Sparkplug B or plain JSON (plantpulse/v1/…)',
    default: 'sparkplug',
  }),
  hostId: optional(Id, {
    description: 'Sparkplug host application id (its STATE topic; agents may wait for it)',
    default: 'plantpulse-cloud',
  }),
  maxInflight: optional(Type.Integer({ minimum: 1, maximum: 65535 }), {
    description:
      'messages handled at once: those that arrive while the spool commits are committed together (group commit), each acknowledged after its commit; sent as MQTT 5 Receive Maximum',
    default: 64,
    unit: 'messages',
  }),
});
export type IngesterMqtt = StaticDecode<typeof IngesterMqttSection>;
export const IngesterMqtt = withCheck(IngesterMqttSection, certPair);
