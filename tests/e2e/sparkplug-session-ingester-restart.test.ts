/**
 * Ingester restart without data loss. `plantpulse cloud` consumes the real agent's Sparkplug session from Mosquitto
 * (persistent session, QoS 1) and is `kill -9`ed mid-stream; while it is down Mosquitto queues the agent's DDATA.
 * Those messages carry aliases only: the restarted host must decode them at once from the births it kept on disk
 * (its data dir), not drop them until a rebirth — and it still asks for a rebirth. Every value the observer saw in a
 * DDATA must end up in InfluxDB at its timestamp: no gap.
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
  pollInflux,
  type SimHandle,
  startSim,
  stopAll,
  uniqueIds,
  writeAgentYaml,
  writeCloudYaml,
} from './sparkplug-session-setup.js';

it('a kill -9 of the ingester mid-stream leaves no gap in InfluxDB: births restored from disk decode queued data', async () => {
  const { site, node } = uniqueIds('spb-restart');
  const dir = await mkdtemp(join(tmpdir(), 'pp-spb-restart-'));
  const obs = new SparkplugObserver(site, node);
  const agentUser = mosquittoUser('device');
  const ingestUser = mosquittoUser('writer');
  let sim: SimHandle | undefined;
  let agent: CliProcess | undefined;
  let cloud: CliProcess | undefined;
  try {
    sim = await startSim();
    const db = await freshDatabase('e2e_spb_restart');
    const cloudYaml = await writeCloudYaml({
      dir,
      db,
      mqttUrl: mosquitto().url,
      username: ingestUser.username,
    });
    const startCloud = async () => {
      const p = spawnCli(['cloud', '-c', cloudYaml], { env: { INGEST_MQTT_PASSWORD: ingestUser.password } });
      await p.waitFor(isIngesterUp, 120_000);
      return p;
    };
    cloud = await startCloud();
    await obs.connect(mosquitto().url, { ...mosquittoUser('reader'), protocolVersion: 4 });
    const agentYaml = await writeAgentYaml({
      dir,
      site,
      node,
      mqttUrl: mosquitto().url,
      username: agentUser.username,
      simUrl: sim.url,
    });
    agent = spawnCli(['agent', '-c', agentYaml], { env: { AGENT_MQTT_PASSWORD: agentUser.password } });
    obs.failOnExit(agent, 'agent');

    const ddata = (s: Seen) => s.type === 'DDATA' && s.topic.includes(`/${site}/`) && s.device === DEVICE;
    const waitData = async (after: number, n: number) => {
      let last = after;
      for (let i = 0; i < n; i++) last = (await obs.waitFor(ddata, last, 90_000, 'DDATA')).n;
      return last;
    };
    const telemetry = `SELECT * FROM telemetry WHERE site = '${site}' AND device = '${DEVICE}'`;

    // data flows into InfluxDB
    const dbirth = await obs.waitFor(
      (s) => s.type === 'DBIRTH' && s.topic.includes(`/${site}/`),
      -1,
      120_000,
      'DBIRTH',
    );
    await waitData(dbirth.n, 5);
    await pollInflux(db, telemetry, (rows) => rows.length >= 3, 120_000, 'telemetry before the crash');

    // kill -9 mid-stream; the agent keeps publishing, Mosquitto queues for the ingester's session
    await cloud.stop('SIGKILL');
    const atCrash = obs.last;
    await waitData(atCrash, 10);

    // restart on the same data dir: births come back from disk, the queued DDATA decode, a rebirth is still asked
    cloud = await startCloud();
    const c = cloud;
    await waitData(obs.last, 5);
    obs.expectExits();
    expect(await agent.stop('SIGTERM')).toBe(0);

    // every DDATA value the observer saw is in InfluxDB at its timestamp
    const expected = obs.seen.filter(ddata).flatMap((s) => s.data);
    const queued = obs.seen.filter((s) => ddata(s) && s.n > atCrash).length;
    expect(queued).toBeGreaterThanOrEqual(10);
    const missing = (rows: Record<string, unknown>[]) => {
      const byTime = new Map(rows.map((r) => [Number(r['time']), r]));
      return expected.filter((e) => {
        const v = byTime.get(e.timestamp)?.[e.metric];
        return v === undefined || v === null || Number(v) !== Number(e.value);
      });
    };
    const rows = await pollInflux(
      db,
      telemetry,
      (r) => missing(r).length === 0,
      120_000,
      'every DDATA value',
    );
    expect(missing(rows)).toEqual([]);
    expect(expected.length).toBeGreaterThan(20);

    // the births came from disk, and the restored node was still asked for a rebirth
    await c.waitFor((l) => l['msg'] === 'Sparkplug births restored', 1000);
    await c.waitFor((l) => l['msg'] === 'rebirth requested', 90_000);
    // nothing was dropped for want of a birth after the restart
    const problems = c.lines.filter(
      (l) => l['msg'] === 'message problem' && ['NOT_BORN', 'UNKNOWN_ALIAS'].includes(String(l['code'])),
    );
    expect(problems).toEqual([]);
    expect(obs.violations).toEqual([]);
  } finally {
    await obs.close();
    await stopAll(agent, cloud, sim?.proc);
    await rm(dir, { recursive: true, force: true });
  }
}, 600_000);
