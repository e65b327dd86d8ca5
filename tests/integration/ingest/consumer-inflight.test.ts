/**
 * The ingester's MQTT consumer has several messages in flight (group commit, docs/delivery.md), yet never
 * acknowledges a message before its handler resolved (its data is durable), acknowledges in arrival order, and at
 * `mqtt.maxInflight` stops taking messages until one is done. Against a real aedes broker, watching its PUBACKs.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttConsumer } from '../../../cloud/ingest/mqtt-consumer.js';
import { resolveConfig } from '../../../config/load.js';
import { createRootLogger } from '../../../config/logging.js';
import { IngesterMqtt } from '../../../config/schemas/ingest-mqtt.js';
import { until } from '../../helpers/until.js';

const log = createRootLogger('test', 'silent');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  url: string;
  /** message ids the consumer acknowledged, in order */
  acked: string[];
  /** resolves once the consumer's subscription is in place */
  subscribed: Promise<void>;
}

async function broker(): Promise<Rig> {
  const aedes = await Aedes.createBroker();
  const acked: string[] = [];
  aedes.on('ack', (packet, client) => {
    if (client?.id === 'ingest-under-test' && packet && 'payload' in packet)
      acked.push(Buffer.from(packet.payload).toString());
  });
  const subscribed = new Promise<void>((resolve) =>
    aedes.on('subscribe', (_subs, client) => {
      if (client?.id === 'ingest-under-test') resolve();
    }),
  );
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  cleanups.push(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `mqtt://127.0.0.1:${address.port}`, acked, subscribed };
}

async function consumer(b: Rig, maxInflight: number, handled: { topic: string; done: () => void }[]) {
  const closing = { done: false };
  const msg = { topic: 'spBv1.0/STATE/h', payload: new Uint8Array(), qos: 1 as const, retain: false };
  const c = new MqttConsumer(
    {
      ...resolveConfig(IngesterMqtt, { username: 'u', password: 'p', maxInflight }),
      url: b.url,
      clientId: 'ingest-under-test',
    },
    {
      will: () => msg,
      online: () => msg,
      subscriptions: () => ['data/#'],
      handle: (_topic, payload) =>
        closing.done
          ? Promise.resolve()
          : new Promise<void>((resolve) => handled.push({ topic: payload.toString(), done: resolve })),
    },
    log,
  );
  c.start();
  await c.connected;
  cleanups.push(() => c.stop());
  // (cleanups run in reverse: whatever a test left pending is released before the consumer stops)
  cleanups.push(async () => {
    closing.done = true;
    for (const h of handled) h.done();
  });
  await b.subscribed;
  const pub = await mqtt.connectAsync(b.url, { clientId: 'publisher' });
  cleanups.push(() => pub.endAsync());
  return { c, pub };
}

const wait = (what: string, f: () => boolean) => until(what, () => (f() ? true : undefined), 10_000, 10);

describe('MQTT consumer: messages in flight', () => {
  it('hands several messages to the handler at once and acknowledges each only after its handler resolved, in order', async () => {
    const b = await broker();
    const handled: { topic: string; done: () => void }[] = [];
    const { pub } = await consumer(b, 16, handled);
    for (let i = 1; i <= 6; i++) await pub.publishAsync('data/x', `m${i}`, { qos: 1 });
    // all six are being handled together: the old design had one in flight
    await wait('six messages in the handler', () => handled.length === 6);
    expect(b.acked).toEqual([]);
    handled[2]?.done(); // the third is stored first: its PUBACK waits for the first two
    handled[0]?.done();
    await wait('the first PUBACK', () => b.acked.length >= 1);
    handled[1]?.done();
    await wait('three PUBACKs', () => b.acked.length >= 3);
    expect(b.acked).toEqual(['m1', 'm2', 'm3']);
    for (const h of handled) h.done();
    await wait('all PUBACKs', () => b.acked.length === 6);
    expect(b.acked).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('at maxInflight takes no further message until one is done (back-pressure), then takes the rest', async () => {
    const b = await broker();
    const handled: { topic: string; done: () => void }[] = [];
    const { pub } = await consumer(b, 3, handled);
    for (let i = 1; i <= 5; i++) await pub.publishAsync('data/x', `m${i}`, { qos: 1 });
    await wait('three messages in the handler', () => handled.length === 3);
    // a round trip through the broker: the held message still holds the rest back
    await pub.publishAsync('other', 'probe', { qos: 1 });
    expect(handled.map((h) => h.topic)).toEqual(['m1', 'm2', 'm3']);
    for (const h of handled.slice(0, 3)) h.done();
    await wait('the other two', () => handled.length === 5);
    for (const h of handled) h.done();
    await wait('all PUBACKs', () => b.acked.length === 5);
    expect(b.acked).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });
});
