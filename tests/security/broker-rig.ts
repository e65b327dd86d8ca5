/**
 * The attack tests' broker: the real embedded aedes broker with gateway users `gw-a` (the victim) and `gw-b` (the
 * attacker), the ingester's user `ingest` (a host application, as `plantpulse cloud` starts it) and every security
 * event recorded; plus raw MQTT packets over a plain socket for what MQTT.js would refuse to send.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { StaticEncode } from '@sinclair/typebox';
import mqttPacket from 'mqtt-packet';
import { pino } from 'pino';
import {
  type BrokerSecurityEvent,
  type RunningBroker,
  startEmbeddedBroker,
} from '../../cloud/broker/embedded-broker.js';
import { hashSecret } from '../../config/password-hash.js';
import type { EmbeddedBroker } from '../../config/schemas/broker.js';
import { brokerConfig } from '../helpers/configs.js';

export const PW = { 'gw-a': 'pw-gateway-a-1', 'gw-b': 'pw-gateway-b-2', ingest: 'pw-ingest-3' } as const;
export const INGEST_CLIENT_ID = 'ingest-1';
/** cheap scrypt parameters so tests run fast; the broker costs an unknown user the same */
const FAST = { N: 1024, r: 8, p: 1 };

export interface BrokerRig {
  broker: RunningBroker;
  events: BrokerSecurityEvent[];
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startBrokerRig(
  extra: Partial<StaticEncode<typeof EmbeddedBroker>> = {},
): Promise<BrokerRig> {
  const events: BrokerSecurityEvent[] = [];
  const cfg = brokerConfig({
    port: 0,
    users: [
      { username: 'gw-a', passwordHash: hashSecret(PW['gw-a'], FAST) },
      { username: 'gw-b', passwordHash: hashSecret(PW['gw-b'], FAST) },
      { username: 'ingest', passwordHash: hashSecret(PW.ingest, FAST) },
    ],
    ...extra,
  });
  const broker = await startEmbeddedBroker(cfg, pino({ level: 'silent' }), {
    hostUsers: ['ingest'],
    reservedClientIds: { [INGEST_CLIENT_ID]: 'ingest' },
    onSecurityEvent: (e) => events.push(e),
  });
  return { broker, events, url: broker.url, port: broker.port, close: () => broker.close() };
}

/** A plain TCP socket to the broker, connected. */
export function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A CONNECT packet (MQTT 3.1.1). */
export function connectPacket(clientId: string, username?: string, password?: string): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    clientId,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password: Buffer.from(password) }),
  });
}

/** Resolves with the CONNACK return code of the socket's CONNECT, or 'closed' when the broker closed first. */
export function connackOf(s: Socket): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') resolve(p.returnCode ?? -1);
    });
    s.on('data', (d: Buffer) => parser.parse(d));
    s.once('close', () => resolve('closed'));
    s.on('error', () => undefined);
  });
}

/** Resolves when the socket is closed. */
export function closed(s: Socket): Promise<void> {
  return s.destroyed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));
}
