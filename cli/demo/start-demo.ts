/**
 * The demo composition (`plantpulse demo`): a private InfluxDB (scripts/services), the cloud (embedded authenticated
 * broker, ingester, API and dashboard), the simulated plant, the edge agent reading it. One process tree: InfluxDB
 * (and socat for the lathe's serial line) are our children, everything else runs in this process; `stop()` ends
 * them all, in the reverse order.
 */
import { join } from 'node:path';
import { startAgent } from '../../agent/agent.js';
import { startCloud } from '../../cloud/cloud.js';
import { loadAgentConfig, loadCloudConfig } from '../../config/load.js';
import type { Logger } from '../../config/logging.js';
import { freePort, type InfluxdService, startInfluxd } from '../../scripts/services/index.js';
import { startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { agentPoints } from '../../simulators/modbus/profile.js';
import { pressProfile } from '../../simulators/modbus/profiles/press.js';
import { DEMO_INGEST_USER, demoAgentYaml, demoCloudYaml } from './demo-configs.js';
import type { RunDir } from './run-dir.js';

export const DEMO_DATABASE = 'plantpulse';
export const DEMO_SITE = 'cq-plant1';
export const DEMO_NODE = 'cq-gw1';
export const DEFAULT_DASHBOARD_PORT = 8080;

export interface DemoOptions {
  runDir: RunDir;
  log: Logger;
  /** dashboard/API port; 0 picks a free one */
  port: number;
  /** reports progress lines for the user */
  say: (line: string) => void;
}

export interface DemoInfo {
  influxUrl: string;
  influxDataDir: string;
  database: string;
  brokerUrl: string;
  dashboardUrl: string;
  runDir: string;
  logFile: string;
  site: string;
  devices: string[];
}

export interface RunningDemo {
  info: DemoInfo;
  stop(): Promise<void>;
}

type Stopper = { name: string; stop: () => Promise<void> };

/** Starts everything; on a failure part-way, stops what did start before rethrowing. */
export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const { runDir, log, say } = opts;
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        log.error({ err, part: s.name }, 'stopping failed');
        errors.push(err);
      }
    }
    stoppers.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'some demo parts did not stop cleanly');
  };
  try {
    say('starting InfluxDB …');
    const influx: InfluxdService = await startInfluxd();
    stoppers.push({ name: 'influxd', stop: () => influx.stop() });

    const agentPw = await runDir.secret('mqtt-agent-password');
    const ingestPw = await runDir.secret('mqtt-ingest-password');
    const apiPort = opts.port === 0 ? await freePort() : opts.port;
    const cloudFile = await runDir.write(
      'cloud.yaml',
      demoCloudYaml({
        influxUrl: influx.url,
        database: DEMO_DATABASE,
        users: [
          { username: DEMO_NODE, passwordFile: agentPw.file },
          { username: DEMO_INGEST_USER, passwordFile: ingestPw.file },
        ],
        ingestPasswordFile: ingestPw.file,
        spoolPath: join(runDir.path, 'cloud-data'),
        apiPort,
      }),
    );
    const cloudCfg = await loadCloudConfig(cloudFile);
    say('starting the cloud: embedded MQTT broker, ingester, API and dashboard …');
    const cloud = await startCloud(cloudCfg.config, log.child({ process: 'cloud' }));
    stoppers.push({ name: 'cloud', stop: () => cloud.stop() });
    if (cloud.brokerUrl === undefined) throw new Error('the demo cloud config has an embedded broker');

    say('starting the simulated plant …');
    const press = pressProfile();
    const pressSim = await startModbusSimulator({ profile: press, port: 0 });
    stoppers.push({ name: 'press simulator', stop: () => pressSim.close() });

    const agentFile = await runDir.write(
      'agent.yaml',
      demoAgentYaml({
        site: DEMO_SITE,
        node: DEMO_NODE,
        brokerUrl: cloud.brokerUrl,
        passwordFile: agentPw.file,
        outboxPath: join(runDir.path, 'agent-data'),
        devices: [
          {
            id: 'press-01',
            tags: { line: 'stamping', kind: 'press' },
            modbus: { url: pressSim.url, unitId: 1, timeout: '1s' },
            poll: [{ every: '1s', points: agentPoints(press) }],
          },
        ],
      }),
    );
    const agentCfg = await loadAgentConfig(agentFile);
    say('starting the edge agent …');
    const agent = await startAgent(agentCfg.config, log.child({ process: 'agent' }));
    stoppers.push({ name: 'agent', stop: () => agent.stop() });

    return {
      info: {
        influxUrl: influx.url,
        influxDataDir: influx.dataDir,
        database: DEMO_DATABASE,
        brokerUrl: cloud.brokerUrl,
        dashboardUrl: `http://127.0.0.1:${apiPort}/`,
        runDir: runDir.path,
        logFile: join(runDir.path, 'plantpulse.log'),
        site: DEMO_SITE,
        devices: agentCfg.config.devices.map((d) => d.id),
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
