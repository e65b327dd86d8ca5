/**
 * Issue 5 "Done when": a whole Sparkplug B session of the real `plantpulse agent` process, reading a simulated press
 * (`plantpulse sim --profile press`), followed by an independent observer (raw MQTT.js + our codec + Eclipse Tahu's
 * decoder) against a real broker: connect, NBIRTH (bdSeq), DBIRTH (name, alias, datatype, value, properties), DDATA
 * (aliases only, seq +1 mod 256 on every message), a Rebirth NCMD → full rebirth, a DCMD write refused with a logged
 * reason, device death (simulator killed → DDEATH) and rebirth (restarted on the same port → DBIRTH), node death
 * through the will when the agent is `kill -9`ed (NDEATH with the NBIRTH's bdSeq). The observer checks every message's
 * topic, seq, bdSeq and aliases.
 *
 * Brokers: the run's Mosquitto over MQTT 3.1.1 and 5, and the embedded aedes broker of `plantpulse cloud` over 3.1.1
 * (aedes 1.x has no MQTT 5). In the aedes case the cloud is also the Sparkplug host writing to InfluxDB, and the test
 * checks what the deaths and births did there: `device_status` online/offline and the stale `quality` marks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, mosquitto, mosquittoUser } from '../helpers/services.js';
import { type Seen, SparkplugObserver, tahu } from './sparkplug-session-observer.js';
import {
  DEVICE,
  isBrokerUp,
  PRESS_METRICS,
  pollInflux,
  type SimHandle,
  startSim,
  stopAll,
  uniqueIds,
  writeAgentYaml,
  writeCloudYaml,
} from './sparkplug-session-setup.js';

interface Case {
  name: string;
  broker: 'mosquitto' | 'aedes';
  protocolVersion: 4 | 5;
}

const cases: Case[] = [
  { name: 'Mosquitto, MQTT 3.1.1', broker: 'mosquitto', protocolVersion: 4 },
  { name: 'Mosquitto, MQTT 5', broker: 'mosquitto', protocolVersion: 5 },
  { name: 'embedded aedes broker of plantpulse cloud, MQTT 3.1.1', broker: 'aedes', protocolVersion: 4 },
];

const passwords = {
  AGENT_MQTT_PASSWORD: 'agent-secret-1',
  INGEST_MQTT_PASSWORD: 'ingest-secret-2',
  OBSERVER_MQTT_PASSWORD: 'observer-secret-3',
};

describe.each(cases)('a whole Sparkplug B session of plantpulse agent ($name)', (c) => {
  it('connect, births, data, rebirth, refused DCMD, device death and rebirth, node death by will', async () => {
    const { site, node } = uniqueIds('spb-e2e');
    const dir = await mkdtemp(join(tmpdir(), 'pp-spb-session-'));
    const obs = new SparkplugObserver(site, node);
    let sim: SimHandle | undefined;
    let agent: CliProcess | undefined;
    let cloud: CliProcess | undefined;
    let db = '';
    try {
      sim = await startSim();

      let brokerUrl: string;
      let agentUser: { username: string; password: string };
      let observerUser: { username: string; password: string };
      if (c.broker === 'mosquitto') {
        brokerUrl = mosquitto().url;
        agentUser = mosquittoUser('device');
        observerUser = mosquittoUser('reader');
      } else {
        db = await freshDatabase('e2e_spb_session');
        const cloudYaml = await writeCloudYaml({
          dir,
          db,
          username: 'ingest',
          brokerUsers: {
            [node]: 'AGENT_MQTT_PASSWORD',
            observer: { env: 'OBSERVER_MQTT_PASSWORD', role: 'host' },
          },
        });
        cloud = spawnCli(['cloud', '-c', cloudYaml], { env: passwords });
        brokerUrl = String((await cloud.waitFor(isBrokerUp, 120_000))['url']);
        agentUser = { username: node, password: passwords.AGENT_MQTT_PASSWORD };
        observerUser = { username: 'observer', password: passwords.OBSERVER_MQTT_PASSWORD };
      }
      await obs.connect(brokerUrl, { ...observerUser, protocolVersion: c.protocolVersion });

      const agentYaml = await writeAgentYaml({
        dir,
        site,
        node,
        mqttUrl: brokerUrl,
        username: agentUser.username,
        protocolVersion: c.protocolVersion,
        simUrl: sim.url,
      });
      agent = spawnCli(['agent', '-c', agentYaml], { env: { AGENT_MQTT_PASSWORD: agentUser.password } });
      const a = agent;
      obs.failOnExit(a, 'agent');

      const is = (type: string, device?: string) => (s: Seen) =>
        s.type === type && s.topic.includes(`/${site}/`) && s.device === device;
      const waitData = async (after: number, n: number) => {
        let last = after;
        for (let i = 0; i < n; i++) last = (await obs.waitFor(is('DDATA', DEVICE), last, 90_000, 'DDATA')).n;
        return last;
      };

      // 1. births: NBIRTH (seq 0, bdSeq, Rebirth=false), then a DBIRTH with every metric
      const nbirth = await obs.waitFor(is('NBIRTH'), -1, 120_000, 'NBIRTH');
      expect(nbirth.topic).toBe(`spBv1.0/${site}/NBIRTH/${node}`);
      expect(nbirth.payload?.seq).toBe(0);
      const bdSeq = obs.bdSeq;
      expect(typeof bdSeq).toBe('bigint');
      const dbirth = await obs.waitFor(is('DBIRTH', DEVICE), nbirth.n, 90_000, 'DBIRTH');
      expect(dbirth.topic).toBe(`spBv1.0/${site}/DBIRTH/${node}/${DEVICE}`);
      expect(dbirth.payload?.seq).toBe(1);
      const birthMetrics = dbirth.payload?.metrics ?? [];
      expect(Object.fromEntries(birthMetrics.map((m) => [m.name, m.datatype]))).toEqual({
        state_code: 6,
        part_count: 7,
        power_kw: 10,
        // the device's configured tags travel as String properties metrics (never in DDATA)
        'Properties/line': 12,
        'Properties/kind': 12,
      });
      expect(birthMetrics.find((m) => m.name === 'Properties/line')?.value).toBe('line3');
      expect(birthMetrics.find((m) => m.name === 'Properties/kind')?.value).toBe('press');
      // Eclipse Tahu reads the engineering unit too (the observer cross-checked names, aliases and datatypes)
      const tahuPower = tahu.decodePayload(dbirth.bytes).metrics?.find((m) => m.name === 'power_kw');
      expect(tahuPower?.properties?.['engUnit']).toMatchObject({ type: 'String', value: 'kW' });
      const power = birthMetrics.find((m) => m.name === 'power_kw');
      expect(power?.properties).toContainEqual({ key: 'engUnit', type: 12, value: 'kW' });
      for (const m of birthMetrics) {
        expect(m.alias, `${m.name} alias`).toBeTypeOf('bigint');
        expect(m.value !== null || m.isNull === true, `${m.name} value or is_null`).toBe(true);
        if (!m.name?.startsWith('Properties/')) expect(PRESS_METRICS[m.name ?? '']).toBeDefined();
      }
      const aliases = new Map(birthMetrics.map((m) => [String(m.alias), m.name]));
      const firstData = await waitData(dbirth.n, 3);

      // 2. a Rebirth NCMD (encoded by Eclipse Tahu) → NBIRTH with the same bdSeq and seq 0, then the DBIRTH
      const beforeRebirth = obs.last;
      const ourNcmd = Buffer.from(
        tahu.encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
        }),
      );
      await obs.publish(`spBv1.0/${site}/NCMD/${node}`, ourNcmd);
      const nbirth2 = await obs.waitFor(is('NBIRTH'), Math.max(beforeRebirth, firstData), 90_000, 'rebirth');
      expect(nbirth2.payload?.seq).toBe(0);
      expect(obs.bdSeq).toBe(bdSeq);
      const dbirth2 = await obs.waitFor(is('DBIRTH', DEVICE), nbirth2.n, 90_000, 'DBIRTH after rebirth');
      expect(dbirth2.payload?.seq).toBe(1);
      expect(new Map(dbirth2.payload?.metrics.map((m) => [String(m.alias), m.name]))).toEqual(aliases);
      await waitData(dbirth2.n, 2);

      // 3. a DCMD write is refused, with the reason in the agent's log
      await obs.publish(
        `spBv1.0/${site}/DCMD/${node}/${DEVICE}`,
        tahu.encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: 'state_code', type: 'UInt16', value: 3 }],
        }),
      );
      const refused = await a.waitFor(
        (l) => l['msg'] === 'command refused' && l['device'] === DEVICE,
        90_000,
      );
      expect(refused['topic']).toBe(`spBv1.0/${site}/DCMD/${node}/${DEVICE}`);
      expect(String(refused['reason'])).toMatch(/read-only/);

      // 4. device death: the simulator dies → DDEATH; it comes back on the same port → DBIRTH, data again
      const port = sim.port;
      const beforeKill = obs.last;
      await sim.proc.stop('SIGKILL');
      const ddeath = await obs.waitFor(is('DDEATH', DEVICE), beforeKill, 120_000, 'DDEATH');
      expect(ddeath.topic).toBe(`spBv1.0/${site}/DDEATH/${node}/${DEVICE}`);
      sim = await startSim(port);
      const dbirth3 = await obs.waitFor(
        is('DBIRTH', DEVICE),
        ddeath.n,
        120_000,
        'DBIRTH after the device returned',
      );
      expect(new Map(dbirth3.payload?.metrics.map((m) => [String(m.alias), m.name]))).toEqual(aliases);
      const lastData = await waitData(dbirth3.n, 2);

      // 5. node death through the will: kill -9 the agent → the broker publishes NDEATH with this session's bdSeq
      obs.expectExits();
      await a.stop('SIGKILL');
      const ndeath = await obs.waitFor(is('NDEATH'), lastData, 120_000, 'NDEATH (will)');
      expect(ndeath.topic).toBe(`spBv1.0/${site}/NDEATH/${node}`);
      expect(ndeath.payload?.seq).toBeUndefined();
      expect(ndeath.payload?.metrics.map((m) => [m.name, m.value])).toEqual([['bdSeq', bdSeq]]);

      // every message of the session obeyed the rules (topic, seq +1 mod 256, bdSeq, aliases, birth contents)
      expect(obs.violations).toEqual([]);
      const ours = obs.seen.filter((s) => s.topic.includes(`/${site}/`) && s.type !== 'DDATA');
      const label = (s: Seen) => `${s.type}${s.device ? `:${s.device}` : ''}`;
      // Other tests' hosts share the run's Mosquitto and may ask this node for a rebirth when they see it mid-session
      // (correct host behaviour): their NCMDs and the births answering them may appear too. Our script must appear
      // in order, and every NBIRTH after the first must answer an NCMD.
      const script = ours.map((s) =>
        s.type === 'NCMD' && !s.bytes.equals(ourNcmd) ? 'NCMD(other host)' : label(s),
      );
      const expected = [
        'NBIRTH',
        `DBIRTH:${DEVICE}`,
        'NCMD',
        'NBIRTH',
        `DBIRTH:${DEVICE}`,
        `DCMD:${DEVICE}`,
        `DDEATH:${DEVICE}`,
        `DBIRTH:${DEVICE}`,
        'NDEATH',
      ];
      let at = 0;
      for (const x of script) if (x === expected[at]) at++;
      expect(at, `${expected.join(' ')} in order within ${script.join(' ')}`).toBe(expected.length);
      const births = ours.filter((s) => s.type === 'NBIRTH');
      for (const b of births.slice(1)) {
        const prev = ours.filter((s) => s.n < b.n && s.type !== 'DDATA').at(-1);
        expect(prev?.type, `NBIRTH #${b.n} not answering an NCMD: ${script.join(' ')}`).toBe('NCMD');
      }
      const foreign = script.filter((x) => x === 'NCMD(other host)').length;
      expect(births).toHaveLength(2 + foreign);
      if (c.broker === 'aedes') expect(foreign).toBe(0); // our cloud is the only host there

      if (c.broker === 'aedes') await checkHostWrites(db, site, node);
    } catch (err) {
      // the processes' last words make a failure readable
      const tail = (p: CliProcess | undefined) =>
        `${(p?.lines ?? [])
          .slice(-12)
          .map((l) => JSON.stringify(l))
          .join('\n')}\n${p?.stderr().slice(-1500) ?? ''}`;
      throw new Error(
        `${(err as Error).message}\n--- agent ---\n${tail(agent)}\n--- cloud ---\n${tail(cloud)}`,
        {
          cause: err,
        },
      );
    } finally {
      await obs.close();
      await stopAll(agent, cloud, sim?.proc);
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

/**
 * What the cloud host wrote for the deaths and births: `device_status` online (DBIRTH) / offline (DDEATH, NDEATH)
 * and, at each death, a stale `quality` mark (bad, code 500) for every metric of the device.
 */
async function checkHostWrites(db: string, site: string, node: string): Promise<void> {
  const status = await pollInflux(
    db,
    `SELECT online, reason FROM device_status WHERE site = '${site}' AND node = '${node}' AND device = '${DEVICE}'`,
    (rows) => rows.some((r) => String(r['reason']).startsWith('NDEATH')),
    120_000,
    'the device going offline with the node',
  );
  const seq = status.map((r) => `${String(r['online'])}:${String(r['reason'])}`);
  expect(seq).toEqual([
    'true:DBIRTH',
    'true:DBIRTH',
    'false:DDEATH',
    'true:DBIRTH',
    'false:NDEATH (edge node offline)',
  ]);
  const nodeStatus = await pollInflux(
    db,
    `SELECT online, reason FROM device_status WHERE site = '${site}' AND node = '${node}' AND device = '_node'`,
    (rows) => rows.some((r) => r['online'] === false),
    90_000,
  );
  expect(nodeStatus.at(-1)).toMatchObject({ online: false, reason: 'NDEATH' });

  const deaths = status.filter((r) => r['online'] === false).map((r) => Number(r['time']));
  const quality = await pollInflux(
    db,
    `SELECT quality, code, reason, metric FROM quality WHERE site = '${site}' AND device = '${DEVICE}' AND code = 500`,
    (rows) => rows.length >= deaths.length * Object.keys(PRESS_METRICS).length,
    90_000,
    'stale quality marks',
  );
  for (const t of deaths) {
    const at = quality.filter((r) => Number(r['time']) === t);
    expect(at.map((r) => r['metric']).sort(), `stale marks at ${t}`).toEqual(
      Object.keys(PRESS_METRICS).sort(),
    );
    for (const r of at) {
      expect(r['quality']).toBe('bad');
      expect(String(r['reason'])).toMatch(/^stale: (DDEATH|NDEATH)/);
    }
  }
  // after the DBIRTH that followed the DDEATH, the metrics were good again
  const good = await pollInflux(
    db,
    `SELECT quality, metric FROM quality WHERE site = '${site}' AND device = '${DEVICE}' AND quality = 'good' AND time > ${deaths[0] ?? 0}ms`,
    (rows) => rows.length >= Object.keys(PRESS_METRICS).length,
    90_000,
    'good quality after the device rebirth',
  );
  expect(new Set(good.map((r) => r['metric']))).toEqual(new Set(Object.keys(PRESS_METRICS)));
}
