/**
 * Client ids are bound to users: another user connecting with the ingester's client id is refused (CONNACK 2,
 * identifier rejected), the ingester stays connected, and while it is away its persistent session keeps what arrives
 * for it and is still there when it comes back.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../scripts/services/poll-until.js';
import {
  type BrokerRig,
  connackOf,
  connectPacket,
  INGEST_CLIENT_ID,
  PW,
  rawSocket,
  startBrokerRig,
} from './broker-rig.js';

describe('client id takeover', () => {
  let rig: BrokerRig;
  beforeAll(async () => {
    rig = await startBrokerRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  const ingester = () =>
    mqtt.connectAsync(rig.url, {
      username: 'ingest',
      password: PW.ingest,
      clientId: INGEST_CLIENT_ID,
      clean: false,
      reconnectPeriod: 0,
    });

  it('refuses another user the ingester’s client id, connected or not; the session survives', async () => {
    const got: string[] = [];
    let ing = await ingester();
    ing.on('message', (_t, p) => got.push(p.toString()));
    await ing.subscribeAsync('spBv1.0/#', { qos: 1 });
    let kicked = false;
    ing.on('close', () => {
      kicked = true;
    });

    // while it is connected: a gateway with the right password but the ingester's id
    const s1 = await rawSocket(rig.port);
    const answer1 = connackOf(s1);
    s1.write(connectPacket(INGEST_CLIENT_ID, 'gw-b', PW['gw-b']));
    expect(await answer1).toBe(2);
    s1.destroy();
    const gw = await mqtt.connectAsync(rig.url, {
      username: 'gw-a',
      password: PW['gw-a'],
      reconnectPeriod: 0,
    });
    await gw.publishAsync('spBv1.0/plant1/NDATA/gw-a', 'while-connected', { qos: 1 });
    await pollUntil(async () => (got.includes('while-connected') ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the ingester still receiving',
    });
    expect(kicked).toBe(false);

    // while it is away: its persistent session queues, and nobody else can claim it
    await ing.endAsync();
    await gw.publishAsync('spBv1.0/plant1/NDATA/gw-a', 'while-away', { qos: 1 });
    const s2 = await rawSocket(rig.port);
    const answer2 = connackOf(s2);
    s2.write(connectPacket(INGEST_CLIENT_ID, 'gw-b', PW['gw-b']));
    expect(await answer2).toBe(2);
    s2.destroy();
    await gw.endAsync();

    ing = await ingester();
    ing.on('message', (_t, p) => got.push(p.toString()));
    await pollUntil(async () => (got.includes('while-away') ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the queued message after the ingester came back',
    });
    await ing.endAsync();
    const refused = rig.events.filter(
      (e) => e.type === 'broker.login-refused' && e.clientId === INGEST_CLIENT_ID,
    );
    expect(refused.map((e) => [e.username, e.reason])).toEqual([
      ['gw-b', 'client id is bound to another user'],
      ['gw-b', 'client id is bound to another user'],
    ]);
  }, 60_000);

  it('refuses a client id outside the user’s clientIds patterns', async () => {
    const r = await startBrokerRig({
      users: [{ username: 'gw-a', password: 'pw-a-123', clientIds: ['plantpulse-*-{username}'] }],
    });
    try {
      const ok = await rawSocket(r.port);
      const okAnswer = connackOf(ok);
      ok.write(connectPacket('plantpulse-plant1-gw-a', 'gw-a', 'pw-a-123'));
      expect(await okAnswer).toBe(0);
      ok.destroy();
      const bad = await rawSocket(r.port);
      const badAnswer = connackOf(bad);
      bad.write(connectPacket('plantpulse-plant1-gw-b', 'gw-a', 'pw-a-123'));
      expect(await badAnswer).toBe(2);
      bad.destroy();
    } finally {
      await r.close();
    }
  });
});
