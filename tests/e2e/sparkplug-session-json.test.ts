/**
 * JSON mode ("unified namespace", docs/architecture.md#json-mode) end to end through the real processes:
 * `plantpulse agent` with `mqtt.format: json` reading the press simulator, `plantpulse cloud` with
 * `mqtt.format: json` and its embedded broker, and a raw MQTT.js observer on `plantpulse/v1/#`. Checks the
 * topics and payloads (node status retained, device birth `online: true`, data with seq +1 mod 256, device
 * death `online: false` with a reason, the will on kill -9), and that every observed value, the device's
 * status and the stale marks reach InfluxDB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase } from '../helpers/services.js';
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

interface JsonMsg {
  n: number;
  topic: string;
  retain: boolean;
  body: {
    ts: number;
    seq?: number;
    online?: boolean;
    reason?: string;
    metrics?: { name: string; value: unknown; ts: number; q: string }[];
  };
}

const passwords = {
  AGENT_MQTT_PASSWORD: 'agent-secret-1',
  INGEST_MQTT_PASSWORD: 'ingest-secret-2',
  OBSERVER_MQTT_PASSWORD: 'observer-secret-3',
};

it('JSON mode: agent → embedded broker → cloud → InfluxDB, with device death and the node will', async () => {
  const { site, node } = uniqueIds('uns-e2e');
  const dir = await mkdtemp(join(tmpdir(), 'pp-uns-'));
  let sim: SimHandle | undefined;
  let agent: CliProcess | undefined;
  let cloud: CliProcess | undefined;
  let observer: mqtt.MqttClient | undefined;
  try {
    sim = await startSim();
    const db = await freshDatabase('e2e_uns');
    const cloudYaml = await writeCloudYaml({
      dir,
      db,
      username: 'ingest',
      format: 'json',
      brokerUsers: {
        [node]: 'AGENT_MQTT_PASSWORD',
        observer: { env: 'OBSERVER_MQTT_PASSWORD', role: 'host' },
      },
    });
    cloud = spawnCli(['cloud', '-c', cloudYaml], { env: passwords });
    const brokerUrl = String((await cloud.waitFor(isBrokerUp, 120_000))['url']);

    const seen: JsonMsg[] = [];
    const waiters: { match: (m: JsonMsg) => boolean; resolve: (m: JsonMsg) => void }[] = [];
    observer = await mqtt.connectAsync(brokerUrl, {
      username: 'observer',
      password: passwords.OBSERVER_MQTT_PASSWORD,
      reconnectPeriod: 0,
    });
    observer.on('message', (topic, payload, packet) => {
      const m: JsonMsg = {
        n: seen.length,
        topic,
        retain: packet.retain,
        body: JSON.parse(payload.toString('utf8')) as JsonMsg['body'],
      };
      seen.push(m);
      for (const w of waiters.filter((x) => x.match(m))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
    await observer.subscribeAsync(`plantpulse/v1/${site}/#`, { qos: 1 });
    const waitFor = (match: (m: JsonMsg) => boolean, after: number, what: string) => {
      const hit = seen.find((m) => m.n > after && match(m));
      if (hit) return Promise.resolve(hit);
      return new Promise<JsonMsg>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 120_000);
        waiters.push({
          match: (m) => m.n > after && match(m),
          resolve: (m) => {
            clearTimeout(t);
            resolve(m);
          },
        });
      });
    };
    const nodeTopic = `plantpulse/v1/${site}/${node}`;
    const deviceTopic = `${nodeTopic}/${DEVICE}`;

    const agentYaml = await writeAgentYaml({
      dir,
      site,
      node,
      mqttUrl: brokerUrl,
      username: node,
      format: 'json',
      simUrl: sim.url,
    });
    agent = spawnCli(['agent', '-c', agentYaml], { env: passwords });

    // node status online (retained), device birth, then data
    const online = await waitFor((m) => m.topic === nodeTopic && m.body.online === true, -1, 'node online');
    const birth = await waitFor(
      (m) => m.topic === deviceTopic && m.body.online === true,
      online.n,
      'device birth',
    );
    let last = birth.n;
    for (let i = 0; i < 5; i++) last = (await waitFor((m) => m.topic === deviceTopic, last, 'device data')).n;

    // the simulator dies → a device message online: false with the reason
    await sim.proc.stop('SIGKILL');
    const death = await waitFor(
      (m) => m.topic === deviceTopic && m.body.online === false,
      last,
      'device death',
    );
    expect(death.body.reason).toBeTruthy();

    // kill -9 of the agent → its will: node status online: false, retained
    await agent.stop('SIGKILL');
    const will = await waitFor((m) => m.topic === nodeTopic && m.body.online === false, death.n, 'node will');
    expect(will.body.seq).toBeUndefined();

    // seq +1 mod 256 over every device message; every metric has name, value, ts, q
    const deviceMsgs = seen.filter((m) => m.topic === deviceTopic);
    deviceMsgs.forEach((m, i) => {
      const prev = deviceMsgs[i - 1];
      if (prev) expect(m.body.seq, `message #${m.n}`).toBe(((prev.body.seq ?? -1) + 1) % 256);
      for (const x of m.body.metrics ?? []) {
        expect(Object.keys(PRESS_METRICS)).toContain(x.name);
        expect(x.ts).toBeTypeOf('number');
        expect(['good', 'uncertain', 'bad']).toContain(x.q);
      }
    });

    // InfluxDB: every value at its timestamp, the device's status changes, stale marks at the death
    const expected = deviceMsgs.flatMap((m) => (m.body.metrics ?? []).filter((x) => x.q !== 'bad'));
    expect(expected.length).toBeGreaterThan(5);
    const missing = (rows: Record<string, unknown>[]) => {
      const byTime = new Map(rows.map((r) => [Number(r['time']), r]));
      return expected.filter((e) => Number(byTime.get(e.ts)?.[e.name]) !== Number(e.value));
    };
    const rows = await pollInflux(
      db,
      `SELECT * FROM telemetry WHERE site = '${site}' AND device = '${DEVICE}'`,
      (r) => missing(r).length === 0,
      120_000,
      'every JSON value',
    );
    expect(missing(rows)).toEqual([]);
    const status = await pollInflux(
      db,
      `SELECT online, reason FROM device_status WHERE site = '${site}' AND device = '${DEVICE}'`,
      (r) => r.some((x) => x['online'] === false),
      90_000,
    );
    expect(status.map((r) => r['online'])).toEqual([true, false]);
    const nodeStatus = await pollInflux(
      db,
      `SELECT online FROM device_status WHERE site = '${site}' AND device = '_node'`,
      (r) => r.some((x) => x['online'] === false),
      90_000,
    );
    expect(nodeStatus.map((r) => r['online'])).toEqual([true, false]);
    const stale = await pollInflux(
      db,
      `SELECT quality, metric FROM quality WHERE site = '${site}' AND device = '${DEVICE}' AND code = 500`,
      (r) => r.length > 0,
      90_000,
    );
    for (const r of stale) expect(r['quality']).toBe('bad');
  } finally {
    await observer?.endAsync(true).catch(() => undefined);
    await stopAll(agent, cloud, sim?.proc);
    await rm(dir, { recursive: true, force: true });
  }
}, 600_000);
