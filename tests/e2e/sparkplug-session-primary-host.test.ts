/**
 * Sparkplug 3.0 primary host behaviour of the real agent, with the real `plantpulse cloud` process as the primary
 * host application (`mqtt.hostId`), all on the run's Mosquitto:
 * - the agent, configured with `mqtt.primaryHost`, publishes no birth until the host's STATE says online;
 * - a clean stop of the cloud publishes STATE offline → the agent publishes NDEATH (its session's bdSeq), disconnects
 *   and reconnects with a new bdSeq, and waits again;
 * - the host coming back (a newer STATE online) → births again, data again;
 * - `kill -9` of the cloud → Mosquitto publishes the host's will (STATE offline) → NDEATH again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, mosquitto, mosquittoUser } from '../helpers/services.js';
import { type Seen, SparkplugObserver } from './sparkplug-session-observer.js';
import {
  DEVICE,
  isIngesterUp,
  type SimHandle,
  startSim,
  stopAll,
  uniqueIds,
  writeAgentYaml,
  writeCloudYaml,
} from './sparkplug-session-setup.js';

it('births wait for the primary host, NDEATH and reconnect when it goes offline, births again when it returns', async () => {
  const { site, node, hostId } = uniqueIds('spb-primary');
  const dir = await mkdtemp(join(tmpdir(), 'pp-spb-primary-'));
  const obs = new SparkplugObserver(site, node);
  const agentUser = mosquittoUser('device');
  const ingestUser = mosquittoUser('writer');
  let sim: SimHandle | undefined;
  let agent: CliProcess | undefined;
  let cloud: CliProcess | undefined;
  try {
    sim = await startSim();
    await obs.connect(mosquitto().url, { ...mosquittoUser('reader'), protocolVersion: 4 });
    const db = await freshDatabase('e2e_spb_primary');
    const cloudYaml = await writeCloudYaml({
      dir,
      db,
      mqttUrl: mosquitto().url,
      username: ingestUser.username,
      hostId,
    });
    const startCloud = async () => {
      const p = spawnCli(['cloud', '-c', cloudYaml], { env: { INGEST_MQTT_PASSWORD: ingestUser.password } });
      await p.waitFor(isIngesterUp, 120_000);
      return p;
    };
    const agentYaml = await writeAgentYaml({
      dir,
      site,
      node,
      mqttUrl: mosquitto().url,
      username: agentUser.username,
      primaryHost: hostId,
      simUrl: sim.url,
    });
    agent = spawnCli(['agent', '-c', agentYaml], { env: { AGENT_MQTT_PASSWORD: agentUser.password } });
    const a = agent;
    obs.failOnExit(a, 'agent');

    const ours = (type: string, device?: string) => (s: Seen) =>
      s.type === type && s.topic.includes(`/${site}/`) && s.device === device;
    const state = (online: boolean) => (s: Seen) =>
      s.topic === `spBv1.0/STATE/${hostId}` && s.state?.online === online;

    // 1. no host yet: the agent connects and waits
    await a.waitFor((l) => l['msg'] === 'waiting-for-primary-host' && l['hostId'] === hostId, 120_000);
    await a.waitFor((l) => l['msg'] === 'device reachable', 120_000);

    // 2. the host comes online → births after its STATE online, then data
    cloud = await startCloud();
    const online1 = await obs.waitFor(state(true), -1, 90_000, 'STATE online');
    const nbirth1 = await obs.waitFor(ours('NBIRTH'), -1, 90_000, 'NBIRTH');
    expect(nbirth1.n).toBeGreaterThan(online1.n);
    const bd1 = obs.bdSeq;
    const dbirth1 = await obs.waitFor(ours('DBIRTH', DEVICE), nbirth1.n, 90_000, 'DBIRTH');
    await obs.waitFor(ours('DDATA', DEVICE), dbirth1.n, 90_000, 'DDATA');

    // 3. a clean stop of the host: STATE offline → NDEATH with this session's bdSeq, disconnect, reconnect, wait
    expect(await cloud.stop('SIGTERM')).toBe(0);
    const offline1 = await obs.waitFor(state(false), online1.n, 90_000, 'STATE offline (clean stop)');
    const ndeath1 = await obs.waitFor(ours('NDEATH'), offline1.n, 90_000, 'NDEATH after STATE offline');
    expect(ndeath1.payload?.metrics.map((m) => [m.name, m.value])).toEqual([['bdSeq', bd1]]);
    await a.waitFor(
      (l) => l['msg'] === 'restarting the MQTT session' && l['reason'] === 'primary host offline',
    );
    const reconnects = () => a.lines.filter((l) => l['msg'] === 'connected to MQTT broker').length;
    const deadline = Date.now() + 90_000;
    while (reconnects() < 2) {
      if (Date.now() > deadline)
        throw new Error('the agent did not reconnect after the primary host went offline');
      await new Promise((r) => setTimeout(r, 100));
    }

    // 4. the host returns → a newer STATE online → births with the new session's bdSeq
    cloud = await startCloud();
    const online2 = await obs.waitFor(state(true), offline1.n, 90_000, 'STATE online again');
    const nbirth2 = await obs.waitFor(ours('NBIRTH'), ndeath1.n, 90_000, 'NBIRTH after the host returned');
    expect(nbirth2.n).toBeGreaterThan(online2.n);
    const bd2 = obs.bdSeq;
    expect(bd2).toBe(((bd1 ?? 0n) + 1n) & 0xffn);
    const dbirth2 = await obs.waitFor(ours('DBIRTH', DEVICE), nbirth2.n, 90_000, 'DBIRTH');
    const data2 = await obs.waitFor(ours('DDATA', DEVICE), dbirth2.n, 90_000, 'DDATA');

    // 5. kill -9 of the host: the broker publishes its will (STATE offline) → NDEATH again
    await cloud.stop('SIGKILL');
    const offline2 = await obs.waitFor(state(false), online2.n, 90_000, 'STATE offline (will)');
    const ndeath2 = await obs.waitFor(
      ours('NDEATH'),
      Math.max(offline2.n, data2.n),
      90_000,
      'NDEATH after the will',
    );
    expect(ndeath2.payload?.metrics.map((m) => [m.name, m.value])).toEqual([['bdSeq', bd2]]);

    // STATE timestamps only grow; every birth came while the host was online
    const states = obs.seen.filter((s) => s.topic === `spBv1.0/STATE/${hostId}`);
    const stamps = states.map((s) => s.state?.timestamp ?? 0);
    expect([...stamps].sort((x, y) => x - y)).toEqual(stamps);
    for (const b of obs.seen.filter(ours('NBIRTH'))) {
      const lastState = states.filter((s) => s.n < b.n).at(-1);
      expect(lastState?.state?.online, `NBIRTH #${b.n} while the host was not online`).toBe(true);
    }
    // (other tests' hosts on the shared Mosquitto may ask for extra rebirths: those NBIRTHs are checked above too)
    expect(obs.violations).toEqual([]);
  } finally {
    await obs.close();
    await stopAll(agent, cloud, sim?.proc);
    await rm(dir, { recursive: true, force: true });
  }
}, 600_000);
