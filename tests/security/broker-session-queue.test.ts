/**
 * A persistent session (clean: false) that goes away cannot grow the embedded broker without bound: its queue keeps
 * at most `maxSessionQueuedMessages` messages and `maxSessionQueuedBytes` payload bytes, the newest message beyond
 * either is dropped (as Mosquitto does), every drop counted and reported; the client that comes back gets the
 * oldest messages, in order, and then live traffic. A session under the bound loses nothing, QoS 1 or 2; a
 * connected client that never acknowledges keeps getting messages live while its queue stays at the bound.
 * The subscriber here is the host user (`ingest`), whose bounds are `maxHostSessionQueued*`; a gateway's session
 * (the decommissioned gateway that never comes back) has the smaller `maxSessionQueued*` ones.
 */
import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerRig, connackOf, PW, rawSocket, startBrokerRig } from './broker-rig.js';

const TOPIC = 'spBv1.0/plant1/NDATA/gw-a';
const SUBSCRIBER = 'historian-2';

let rig: BrokerRig | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await rig?.close();
  rig = undefined;
});

/** The host user's persistent session, subscribed to the gateway's data, then gone. */
async function subscribeAndLeave(r: BrokerRig, qos: 1 | 2): Promise<void> {
  const sub = await mqtt.connectAsync(r.url, {
    username: 'ingest',
    password: PW.ingest,
    clientId: SUBSCRIBER,
    clean: false,
    reconnectPeriod: 0,
  });
  await sub.subscribeAsync('spBv1.0/#', { qos });
  await sub.endAsync();
}

async function publisher(r: BrokerRig): Promise<MqttClient> {
  const pub = await mqtt.connectAsync(r.url, { username: 'gw-a', password: PW['gw-a'], reconnectPeriod: 0 });
  clients.push(pub);
  return pub;
}

/** Comes back to the session; resolves with the payloads it received once `until` says it has them all. */
async function comeBack(r: BrokerRig, until: (got: string[]) => boolean): Promise<string[]> {
  const got: string[] = [];
  const sub = mqtt.connect(r.url, {
    username: 'ingest',
    password: PW.ingest,
    clientId: SUBSCRIBER,
    clean: false,
    reconnectPeriod: 0,
  });
  clients.push(sub);
  await new Promise<void>((resolve, reject) => {
    sub.on('message', (_topic, payload) => {
      got.push(payload.toString());
      if (until(got)) resolve();
    });
    sub.once('error', reject);
  });
  return got;
}

/** Waits, with a deadline, until the broker holds nothing for the session (PUBACK/PUBCOMP processed). */
async function drained(r: BrokerRig): Promise<void> {
  for (let i = 0; i < 500 && r.broker.stats().queue.messages > 0; i++)
    await new Promise((res) => setImmediate(res));
  for (let i = 0; i < 200 && r.broker.stats().queue.messages > 0; i++)
    await new Promise((res) => setTimeout(res, 10));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

describe('persistent session queue bound', () => {
  it("bounds a gone gateway's session by maxSessionQueued*, the host's by its own larger bound", async () => {
    rig = await startBrokerRig({ maxSessionQueuedMessages: 5, maxHostSessionQueuedMessages: 40 });
    // gw-b subscribes to its commands with a persistent session and is never seen again
    const gone = await mqtt.connectAsync(rig.url, {
      username: 'gw-b',
      password: PW['gw-b'],
      clientId: 'gw-b-decommissioned',
      clean: false,
      reconnectPeriod: 0,
    });
    await gone.subscribeAsync('spBv1.0/+/NCMD/gw-b', { qos: 1 });
    await gone.endAsync();
    await subscribeAndLeave(rig, 1);
    const host = await mqtt.connectAsync(rig.url, {
      username: 'ingest',
      password: PW.ingest,
      clientId: 'host-commands',
      reconnectPeriod: 0,
    });
    clients.push(host);
    for (let i = 0; i < 20; i++) await host.publishAsync('spBv1.0/plant1/NCMD/gw-b', String(i), { qos: 1 });
    const pub = await publisher(rig);
    for (let i = 0; i < 60; i++) await pub.publishAsync(TOPIC, String(i), { qos: 1 });
    // the host session (SUBSCRIBER, on spBv1.0/#) also got the 20 commands: 40 kept of 80; the gateway's 5 of 20
    expect(rig.broker.stats().queue).toMatchObject({ sessions: 2, messages: 45, dropped: { messages: 55 } });
    const reasons = rig.events.filter((e) => e.type === 'broker.queue-full');
    expect(reasons).toContainEqual(
      expect.objectContaining({
        clientId: 'gw-b-decommissioned',
        reason: expect.stringContaining('5 messages (maxSessionQueuedMessages)'),
      }),
    );
    expect(reasons).toContainEqual(
      expect.objectContaining({
        clientId: SUBSCRIBER,
        reason: expect.stringContaining('40 messages (maxHostSessionQueuedMessages)'),
      }),
    );
  });

  it('keeps the first maxHostSessionQueuedMessages of an offline host session, drops and counts the newer ones', async () => {
    rig = await startBrokerRig({ maxHostSessionQueuedMessages: 50 });
    await subscribeAndLeave(rig, 1);
    const pub = await publisher(rig);
    // each PUBACK comes after the broker queued (or dropped) the message for the session
    for (let i = 0; i < 200; i++) await pub.publishAsync(TOPIC, String(i), { qos: 1 });

    const s = rig.broker.stats();
    expect(s.queue).toEqual({ sessions: 1, messages: 50, bytes: 90, dropped: { messages: 150, bytes: 0 } });
    // reported with the client id, but not once per message: the log and the audit log stay small
    const reports = rig.events.filter((e) => e.type === 'broker.queue-full');
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeLessThan(10);
    expect(reports[0]).toMatchObject({
      clientId: SUBSCRIBER,
      username: 'ingest',
      topic: TOPIC,
      reason: expect.stringContaining('50 messages (maxHostSessionQueuedMessages)'),
    });
    expect(s.events['broker.queue-full']).toBe(reports.length);

    // back again: the 50 oldest, in order; the next message it sees is live traffic, nothing of the dropped ones
    const got = await comeBack(rig, (g) => g.length === 50);
    expect(got).toEqual(range(0, 50));
    const live = new Promise<string>((resolve) =>
      clients[1]?.once('message', (_t, p: Buffer) => resolve(p.toString())),
    );
    await pub.publishAsync(TOPIC, 'live', { qos: 1 });
    expect(await live).toBe('live');
    await drained(rig);
    expect(rig.broker.stats().queue).toMatchObject({ messages: 0, bytes: 0, sessions: 0 });
  });

  it('bounds the queued payload bytes (maxHostSessionQueuedBytes for a host)', async () => {
    rig = await startBrokerRig({ maxHostSessionQueuedBytes: 1000 });
    await subscribeAndLeave(rig, 1);
    const pub = await publisher(rig);
    const payload = (i: number) => `${String(i).padStart(3, '0')}${'x'.repeat(97)}`; // 100 B each
    for (let i = 0; i < 30; i++) await pub.publishAsync(TOPIC, payload(i), { qos: 1 });

    expect(rig.broker.stats().queue).toEqual({
      sessions: 1,
      messages: 10,
      bytes: 1000,
      dropped: { messages: 0, bytes: 20 },
    });
    expect(rig.events).toContainEqual(
      expect.objectContaining({
        type: 'broker.queue-full',
        clientId: SUBSCRIBER,
        reason: expect.stringContaining('1000 B (maxHostSessionQueuedBytes)'),
      }),
    );
    const got = await comeBack(rig, (g) => g.length === 10);
    expect(got).toEqual(range(0, 10).map((i) => payload(Number(i))));
  });

  it.each([1, 2] as const)('a session under the bound loses nothing (QoS %i)', async (qos) => {
    rig = await startBrokerRig();
    await subscribeAndLeave(rig, qos);
    const pub = await publisher(rig);
    for (let i = 0; i < 150; i++) await pub.publishAsync(TOPIC, String(i), { qos });
    expect(rig.broker.stats().queue).toMatchObject({ messages: 150, dropped: { messages: 0, bytes: 0 } });

    const got = await comeBack(rig, (g) => g.length === 150);
    expect(got).toEqual(range(0, 150));
    // acknowledged (QoS 2: the PUBREL took the PUBLISH's place, then PUBCOMP cleared it): nothing left behind
    await drained(rig);
    expect(rig.broker.stats().queue).toEqual({
      sessions: 0,
      messages: 0,
      bytes: 0,
      dropped: { messages: 0, bytes: 0 },
    });
    expect(rig.events.filter((e) => e.type === 'broker.queue-full')).toEqual([]);
  });

  it('a connected subscriber that never acknowledges still gets every message live, its queue stays bounded', async () => {
    rig = await startBrokerRig({ maxHostSessionQueuedMessages: 20 });
    const sock: Socket = await rawSocket(rig.port);
    const received: string[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let subacked: () => void = () => undefined;
    const suback = new Promise<void>((r) => {
      subacked = r;
    });
    let onPublish: () => void = () => undefined;
    parser.on('packet', (p) => {
      if (p.cmd === 'suback') subacked();
      if (p.cmd === 'publish') {
        received.push(String(p.payload)); // and never a PUBACK
        onPublish();
      }
    });
    const connack = connackOf(sock);
    sock.on('data', (d: Buffer) => parser.parse(d));
    sock.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: false,
        keepalive: 60,
        clientId: SUBSCRIBER,
        username: 'ingest',
        password: Buffer.from(PW.ingest),
      }),
    );
    expect(await connack).toBe(0);
    sock.write(
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 1 }] }),
    );
    await suback;

    const all = new Promise<void>((resolve) => {
      onPublish = () => {
        if (received.length === 60) resolve();
      };
    });
    const pub = await publisher(rig);
    for (let i = 0; i < 60; i++) await pub.publishAsync(TOPIC, String(i), { qos: 1 });
    await all;
    expect(received).toEqual(range(0, 60));
    expect(sock.destroyed).toBe(false);
    expect(rig.broker.stats().queue).toMatchObject({
      messages: 20,
      dropped: { messages: 40, bytes: 0 },
    });
    sock.destroy();

    // the unacknowledged ones it had room for are delivered again on return
    const got = await comeBack(rig, (g) => g.length === 20);
    expect(got).toEqual(range(0, 20));
  });
});
