/**
 * The HJ 212 datalogger through the whole pipeline: the simulated datalogger (a boiler stack and a wastewater
 * outlet) connects to `plantpulse agent` (HJ 212 listener, Sparkplug B over MQTT) → `plantpulse cloud` (embedded
 * broker, host, InfluxDB writer) → InfluxDB. What arrives is what the datalogger sent, at its DataTime; minute and
 * hourly aggregates land at their window's start. A datalogger dropped by the agent's restart-free reconnect path
 * (the connection killed) comes back and its data keeps arriving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type Hj212Datalogger, startHj212Datalogger } from '../../simulators/hj212/datalogger.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { PIPELINE_ENV, startPipelineCloud, writePipelineAgentYaml } from '../helpers/pipeline-processes.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { until } from '../helpers/until.js';

const NODE = 'env-gw';
type Row = Record<string, unknown>;

describe('HJ 212 datalogger → agent → MQTT → cloud → InfluxDB', () => {
  let dir: string;
  let db: string;
  let cloud: CliProcess;
  let agent: CliProcess;
  let logger: Hj212Datalogger;
  const query = (q: string) => queryInfluxQL(influxUrl(), { db, q }) as Promise<Row[]>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-hj212-'));
    db = await freshDatabase('e2e_hj212');
    let brokerUrl: string;
    ({ cloud, brokerUrl } = await startPipelineCloud(dir, { node: NODE, db, clientId: 'e2e-hj212-ingest' }));
    const agentYaml = await writePipelineAgentYaml(dir, {
      site: 'cq',
      node: NODE,
      brokerUrl,
      deviceLines: [
        '  - id: boiler-1-stack',
        '    tags: { outlet: DA001 }',
        '    hj212: { listen: "127.0.0.1:0", mn: "88888880000001", password: "123456" }',
        '    pollutants: [a21026, a21002, a34013, a19001, a00000, a01012]',
        '  - id: ww-outlet',
        '    tags: { outlet: DW001 }',
        '    hj212: { listen: "127.0.0.1:0", mn: "88888880000002", password: "123456" }',
        '    pollutants: [w01018, w21003, w01001, w00000]',
      ],
    });
    agent = spawnCli(['agent', '-c', agentYaml], { env: PIPELINE_ENV });
    const up = await agent.waitFor((l) => l['msg'] === 'HJ 212 listener up');
    logger = await startHj212Datalogger({
      port: Number(up['port']),
      outlets: [
        { mn: '88888880000001', password: '123456', profile: 'boiler-stack' },
        { mn: '88888880000002', password: '123456', profile: 'wastewater' },
      ],
      realtimeEveryMs: 0,
      minuteEveryMs: 0,
      hourEveryMs: 0,
      reconnectMs: 100,
    });
  }, 120_000);

  afterAll(async () => {
    await logger?.close();
    await Promise.all([agent?.stop(), cloud?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores real-time, minute and hourly values of both outlets at their DataTime', async () => {
    const now = Date.now();
    await logger.send('realtime', now);
    await logger.send('minute', now);
    await logger.send('hour', now);
    await logger.waitAcks(6, AbortSignal.timeout(60_000));
    const rows = await until(
      'the hourly NOx mass in InfluxDB',
      async () => {
        const r = await query(`SELECT * FROM telemetry WHERE device = 'boiler-1-stack'`);
        return r.some((x) => typeof x['a21002_hour_cou'] === 'number') &&
          r.some((x) => typeof x['a21026_rtd'] === 'number')
          ? r
          : undefined;
      },
      60_000,
      250,
    );
    const rt = rows.find((r) => typeof r['a21026_rtd'] === 'number');
    expect(Number(rt?.['time'])).toBe(Math.floor(now / 1000) * 1000);
    expect(rt?.['outlet']).toBe('DA001');
    const hour = rows.find((r) => typeof r['a21002_hour_avg'] === 'number');
    // the hour that ended last, Beijing time (whole hours in UTC too)
    expect(Number(hour?.['time'])).toBe(Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000);
    expect(Number(hour?.['a21002_hour_avg'])).toBeGreaterThan(40);
    const water = await until('the wastewater outlet in InfluxDB', async () => {
      const r = await query(`SELECT w01018_rtd, w00000_rtd FROM telemetry WHERE device = 'ww-outlet'`);
      return r.length > 0 ? r : undefined;
    });
    expect(Number(water[0]?.['w01018_rtd'])).toBeGreaterThan(20);
  });

  it('a datalogger whose connection drops reconnects; the device comes back and its data arrives', async () => {
    logger.disconnect();
    await logger.connected();
    const at = Date.now() + 1000;
    await logger.send('realtime', at);
    await until(
      'the reading after the reconnect',
      async () => {
        const r = await query(
          `SELECT a21026_rtd FROM telemetry WHERE device = 'boiler-1-stack' AND time = ${Math.floor(at / 1000) * 1000}ms`,
        );
        return r.length > 0 ? r : undefined;
      },
      60_000,
      250,
    );
    const status = await query(`SELECT online FROM device_status WHERE device = 'boiler-1-stack'`);
    expect(status.map((s) => s['online'])).toContain(false);
    expect(status.at(-1)?.['online']).toBe(true);
  });
});
