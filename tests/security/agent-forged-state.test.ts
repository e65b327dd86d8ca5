/**
 * A forged retained STATE cannot halt a gateway (README "Security / Agent"). Whoever can publish the primary host's
 * STATE (a second host application's account, a broker without ACLs) might retain `{online: false}` dated ten years
 * ahead: an agent trusting it would publish NDEATH and ignore every genuine STATE until restarted, while its outbox
 * filled. The real agent refuses a STATE beyond its clock-skew window, logs it and goes on delivering; a later
 * genuine STATE offline/online is still honoured.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../agent/agent.js';
import { hashSecret } from '../../config/password-hash.js';
import { pollUntil } from '../../scripts/services/poll-until.js';
import { startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { pressProfile } from '../../simulators/modbus/profiles/press.js';
import { agentConfig } from '../helpers/configs.js';
import { captureLog } from '../helpers/log-capture.js';
import { type BrokerRig, PW, startBrokerRig } from './broker-rig.js';

const HOST = 'plantpulse-cloud';
const STATE = `spBv1.0/STATE/${HOST}`;
const FAST = { N: 1024, r: 8, p: 1 };

describe('a forged far-future retained STATE', () => {
  const closers: (() => Promise<unknown>)[] = [];
  let rig: BrokerRig;
  let host: mqtt.MqttClient;
  let agent: RunningAgent;
  const seen: string[] = [];
  const { log, lines } = captureLog();
  const count = (kind: string) => seen.filter((t) => t === `spBv1.0/plant1/${kind}/gw-a`).length;
  const countDdata = () => seen.filter((t) => t.startsWith('spBv1.0/plant1/DDATA/gw-a/')).length;
  const state = (online: boolean, timestamp: number) =>
    host.publishAsync(STATE, JSON.stringify({ online, timestamp }), { qos: 1, retain: true });

  beforeAll(async () => {
    rig = await startBrokerRig({
      users: [
        { username: 'gw-a', passwordHash: hashSecret(PW['gw-a'], FAST) },
        { username: 'ingest', passwordHash: hashSecret(PW.ingest, FAST) },
        { username: 'rogue', passwordHash: hashSecret('pw-rogue-4', FAST), role: 'host' },
      ],
    });
    closers.push(() => rig.close());
    const sim = await startModbusSimulator({ profile: pressProfile(), host: '127.0.0.1', port: 0 });
    closers.push(() => sim.close());
    host = await mqtt.connectAsync(rig.url, { username: 'ingest', password: PW.ingest, reconnectPeriod: 0 });
    closers.push(() => host.endAsync());
    host.on('message', (topic) => seen.push(topic));
    await host.subscribeAsync('spBv1.0/plant1/#', { qos: 1 });
    await state(true, Date.now());
    agent = await startAgent(
      agentConfig({
        site: 'plant1',
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
      log,
    );
    closers.push(() => agent.stop());
    await pollUntil(async () => (countDdata() > 0 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'first DDATA',
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  });

  it('is refused and logged; the gateway keeps delivering; a later genuine STATE is honoured', async () => {
    const rogue = await mqtt.connectAsync(rig.url, {
      username: 'rogue',
      password: 'pw-rogue-4',
      reconnectPeriod: 0,
    });
    await rogue.publishAsync(
      STATE,
      JSON.stringify({ online: false, timestamp: Date.now() + 10 * 365 * 86_400_000 }),
      {
        qos: 1,
        retain: true,
      },
    );
    await rogue.endAsync();
    const refused = await pollUntil(
      async () => lines.find((l) => String(l['msg']).startsWith('primary host STATE refused')),
      { timeoutMs: 10_000, what: 'the refusal in the log' },
    );
    expect(refused).toMatchObject({ level: 40, hostId: HOST, online: false });
    const before = countDdata();
    await pollUntil(async () => (countDdata() >= before + 3 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'DDATA after the forged STATE',
    });
    expect(count('NDEATH')).toBe(0);

    // the real host goes offline (now) → NDEATH; back online → births and data again
    await state(false, Date.now());
    await pollUntil(async () => (count('NDEATH') === 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'NDEATH on the genuine STATE offline',
    });
    const births = count('NBIRTH');
    await state(true, Date.now() + 1);
    await pollUntil(async () => (count('NBIRTH') > births ? true : undefined), {
      timeoutMs: 30_000,
      what: 'NBIRTH on the genuine STATE online',
    });
    const after = countDdata();
    await pollUntil(async () => (countDdata() > after ? true : undefined), {
      timeoutMs: 30_000,
      what: 'DDATA after the host came back',
    });
  }, 120_000);
});
