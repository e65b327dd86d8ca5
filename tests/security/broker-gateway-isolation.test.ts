/**
 * One gateway cannot silence another (README "Security / Broker"). A real agent (`gw-a`, waiting for the primary host
 * `plantpulse-cloud`) publishes through the real embedded broker to a host application (`ingest`); the attacker is
 * another authenticated gateway, `gw-b`, with the default patterns. Its forged NDEATH and NBIRTH for gw-a, its Rebirth
 * NCMD to gw-a and its retained far-future STATE offline are refused by the broker; the host sees none of them, and
 * gw-a keeps delivering without a gap in its seq, a death or a rebirth: nothing lost.
 */
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../agent/agent.js';
import { decodePayload, encodePayload } from '../../protocols/sparkplug/index.js';
import { pollUntil } from '../../scripts/services/poll-until.js';
import { startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { pressProfile } from '../../simulators/modbus/profiles/press.js';
import { agentConfig } from '../helpers/configs.js';
import { type BrokerRig, INGEST_CLIENT_ID, PW, startBrokerRig } from './broker-rig.js';

const SITE = 'plant1';
const HOST = 'plantpulse-cloud';

describe('a gateway user attacking another gateway', () => {
  const closers: (() => Promise<unknown>)[] = [];
  let rig: BrokerRig;
  let agent: RunningAgent;
  let host: mqtt.MqttClient;
  const seen: { topic: string; seq: number | undefined; online?: boolean }[] = [];

  beforeAll(async () => {
    rig = await startBrokerRig();
    closers.push(() => rig.close());
    const sim = await startModbusSimulator({ profile: pressProfile(), host: '127.0.0.1', port: 0 });
    closers.push(() => sim.close());
    host = await mqtt.connectAsync(rig.url, {
      username: 'ingest',
      password: PW.ingest,
      clientId: INGEST_CLIENT_ID,
      clean: false,
      reconnectPeriod: 0,
    });
    closers.push(() => host.endAsync());
    host.on('message', (topic, payload) => {
      if (topic.includes('/STATE/')) {
        seen.push({
          topic,
          seq: undefined,
          online: (JSON.parse(payload.toString()) as { online: boolean }).online,
        });
        return;
      }
      const seq = decodePayload(payload).seq;
      seen.push({ topic, seq: seq === undefined ? undefined : Number(seq) });
    });
    await host.subscribeAsync('spBv1.0/#', { qos: 1 });
    await host.publishAsync(
      `spBv1.0/STATE/${HOST}`,
      JSON.stringify({ online: true, timestamp: Date.now() }),
      {
        qos: 1,
        retain: true,
      },
    );
    agent = await startAgent(
      agentConfig({
        site: SITE,
        node: 'gw-a',
        mqtt: { url: rig.url, username: 'gw-a', password: PW['gw-a'], primaryHost: HOST },
        outbox: { path: ':memory:' },
        devices: [
          {
            id: 'press-07',
            modbus: { url: sim.url, unitId: 1, timeout: '2s' },
            poll: [
              { every: '200ms', points: [{ name: 'power_kw', table: 'input', address: 0, type: 'float32' }] },
            ],
          },
        ],
      }),
      pino({ level: 'silent' }),
    );
    closers.push(() => agent.stop());
    await pollUntil(async () => (seen.some((s) => s.topic.includes('/DDATA/gw-a/')) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'gw-a delivering DDATA',
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  });

  it('refuses forged NDEATH, NBIRTH, NCMD and STATE; the victim keeps delivering with nothing lost', async () => {
    const forged = [
      [`spBv1.0/${SITE}/NDEATH/gw-a`, encodePayload({ timestamp: Date.now(), metrics: [] })],
      [`spBv1.0/${SITE}/NBIRTH/gw-a`, encodePayload({ timestamp: Date.now(), seq: 0, metrics: [] })],
      [`spBv1.0/${SITE}/NCMD/gw-a`, encodePayload({ timestamp: Date.now(), metrics: [] })],
      [`spBv1.0/${SITE}/DCMD/gw-a/press-07`, encodePayload({ timestamp: Date.now(), metrics: [] })],
      [`spBv1.0/STATE/${HOST}`, Buffer.from(JSON.stringify({ online: false, timestamp: Date.now() + 1e12 }))],
    ] as const;
    const before = seen.filter((s) => s.topic.includes('/DDATA/gw-a/')).length;
    const attackStart = seen.length;
    for (const [topic, payload] of forged) {
      // the broker disconnects a client whose publish it refuses: one connection per attempt
      const attacker = await mqtt.connectAsync(rig.url, {
        username: 'gw-b',
        password: PW['gw-b'],
        reconnectPeriod: 0,
      });
      attacker.publish(topic, Buffer.from(payload), { qos: 1, retain: topic.includes('/STATE/') });
      await pollUntil(
        async () =>
          rig.events.some(
            (e) => e.type === 'broker.publish-refused' && e.topic === topic && e.username === 'gw-b',
          )
            ? true
            : undefined,
        { timeoutMs: 10_000, what: `refusal of ${topic}` },
      );
      await attacker.endAsync(true);
    }
    const refusedState = rig.events.find((e) => e.topic === `spBv1.0/STATE/${HOST}`);
    expect(refusedState?.reason).toBe('only a host application may publish STATE');

    // the victim goes on: 5 more DDATA (one a second), and the retained STATE is still the host's own
    await pollUntil(
      async () =>
        seen.filter((s) => s.topic.includes('/DDATA/gw-a/')).length >= before + 5 ? true : undefined,
      { timeoutMs: 30_000, what: 'gw-a still delivering after the attack' },
    );
    const forgedTopics = new Set<string>(forged.map(([t]) => t));
    expect(seen.slice(attackStart).filter((s) => forgedTopics.has(s.topic))).toEqual([]);
    const ours = seen.filter((s) => s.topic.includes('/gw-a'));
    expect(ours.filter((s) => s.topic.includes('/NBIRTH/')).length).toBe(1);
    expect(ours.some((s) => s.topic.includes('/NDEATH/'))).toBe(false);
    // Sparkplug seq: +1 mod 256 on every message of the session, so a gap means a lost message
    const seqs = ours.map((s) => s.seq ?? -1);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(((seqs[i - 1] ?? 0) + 1) % 256);
    expect(agent.snapshot().uplink).toMatchObject({ connected: true });
    expect(rig.broker.stats().events['broker.publish-refused']).toBe(forged.length);
  }, 90_000);
});
