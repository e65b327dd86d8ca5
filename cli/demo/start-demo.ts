/**
 * The demo composition (`plantpulse demo`): a private InfluxDB (scripts/services), the cloud (embedded authenticated
 * broker, ingester, API and dashboard), the simulated plant, the edge agent reading it. One process tree: InfluxDB
 * (and socat for the lathe's serial line) are our children, everything else runs in this process; `stop()` ends
 * them all, in the reverse order.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startAgent } from '../../agent/agent.js';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import { ensureClientCertificate, trustServerCertificateFile } from '../../agent/sources/opcua/pki.js';
import { startCloud } from '../../cloud/cloud.js';
import { loadCloudConfig } from '../../config/load.js';
import type { Logger } from '../../config/logging.js';
import { freePort, type InfluxdService, startInfluxd } from '../../scripts/services/index.js';
import { scenarioAnalytics } from '../../simulators/scenario/analytics-config.js';
import { bundledScenarioPath, loadScenario } from '../../simulators/scenario/load-scenario.js';
import { startScenario } from '../../simulators/scenario/scenario-runner.js';
import { type BackfillProgress, runBackfill } from './backfill.js';
import { DEMO_INGEST_USER, demoAgentYaml, demoCloudYaml } from './demo-configs.js';
import type { RunDir } from './run-dir.js';

export const DEMO_DATABASE = 'plantpulse';
export const DEMO_NODE = 'cq-gw1';
export const DEFAULT_DASHBOARD_PORT = 8080;

export interface DemoOptions {
  runDir: RunDir;
  log: Logger;
  /** dashboard/API port; 0 picks a free one */
  port: number;
  /** reports progress lines for the user */
  say: (line: string) => void;
  /** scenario file (default: the bundled Chongqing plant) */
  scenarioFile?: string;
  /** default: the scenario's seed */
  seed?: number;
  /** process durations shrink by this factor (default 1) */
  speed?: number;
  /** hours of history to backfill before going live (0: none; default 24) */
  hours?: number;
  onBackfillProgress?: (p: BackfillProgress) => void;
  /** aborting it while starting stops what has started and rejects */
  signal?: AbortSignal;
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
  scenario: string;
  seed: number;
  devices: string[];
  /** history covers [liveFrom − hours, liveFrom); the live simulators and agent start at liveFrom */
  backfill: { hours: number; messages: number; samples: number; liveFrom: number };
}

export interface RunningDemo {
  info: DemoInfo;
  stop(): Promise<void>;
}

type Stopper = { name: string; stop: () => Promise<void> };

/** `port` when nothing listens on it (loopback), else a free port, saying so. */
async function portOrFree(port: number, say: (line: string) => void): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
  if (free) return port;
  const other = await freePort();
  say(`port ${port} is in use: the dashboard goes to port ${other} instead (choose one with --port)`);
  return other;
}

/** Starts everything; on a failure part-way, stops what did start before rethrowing. */
export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const { runDir, log, say } = opts;
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    // service processes are unref'd children: keep the loop alive until each has really exited
    const keepAlive = setInterval(() => {}, 1000);
    const errors: unknown[] = [];
    for (const s of stoppers.reverse()) {
      const started = Date.now();
      try {
        await s.stop();
        // how long each part took to stop: a slow shutdown says where it spent its time
        log.info({ part: s.name, ms: Date.now() - started }, 'stopped');
      } catch (err) {
        log.error({ err, part: s.name }, 'stopping failed');
        errors.push(err);
      }
    }
    stoppers.length = 0;
    clearInterval(keepAlive);
    if (errors.length > 0) throw new AggregateError(errors, 'some demo parts did not stop cleanly');
  };
  try {
    say('starting InfluxDB …');
    const influx: InfluxdService = await startInfluxd();
    stoppers.push({ name: 'influxd', stop: () => influx.stop() });

    const scenarioFile = opts.scenarioFile ?? bundledScenarioPath();
    const scenario = (await loadScenario(scenarioFile)).config;
    const seed = opts.seed ?? scenario.seed ?? 1;
    const speed = opts.speed ?? 1;
    const hours = opts.hours ?? 24;
    const sampleMs = scenario.sample ?? 10_000;
    // history and live share one plant: timelines and counters start where the backfill starts
    const now = Date.now();
    const liveFrom = now - (now % sampleMs);
    const epoch = liveFrom - Math.round(hours * 3_600_000);

    const agentPw = await runDir.secret('mqtt-agent-password');
    const ingestPw = await runDir.secret('mqtt-ingest-password');
    const apiPort = opts.port === 0 ? await freePort() : await portOrFree(opts.port, say);
    const analytics = {
      ...scenarioAnalytics(scenario, { speed }),
      // the backfilled day is late data: let every window it touches be computed
      lateDataHorizon: `${Math.ceil(hours) + 1}h`,
    };
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
        analytics,
      }),
    );
    const cloudCfg = await loadCloudConfig(cloudFile);
    opts.signal?.throwIfAborted();
    say('starting the cloud: embedded MQTT broker, ingester, analytics, API and dashboard …');
    const cloud = await startCloud(cloudCfg.config, log.child({ process: 'cloud' }));
    stoppers.push({ name: 'cloud', stop: () => cloud.stop() });
    const brokerUrl = cloud.brokerUrl;
    if (brokerUrl === undefined) throw new Error('the demo cloud config has an embedded broker');

    let backfilled = { messages: 0, samples: 0 };
    if (hours > 0) {
      say(`backfilling the last ${hours} h of ${scenario.name} through MQTT (historical data) …`);
      const done = await runBackfill({
        scenario,
        seed,
        speed,
        hours,
        end: liveFrom,
        sampleMs,
        node: DEMO_NODE,
        mqtt: { url: brokerUrl, username: DEMO_NODE, password: agentPw.value },
        log: log.child({ process: 'backfill' }),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onBackfillProgress ? { onProgress: opts.onBackfillProgress } : {}),
      });
      backfilled = { messages: done.messages, samples: done.samples };
    }

    opts.signal?.throwIfAborted();
    say('starting the simulated plant …');
    // OPC UA with encryption and a user: the agent's certificate is trusted by the simulated controllers, and the
    // agent trusts theirs (what `plantpulse opcua trust` does), nothing is accepted blindly
    const pkiDir = join(runDir.path, 'opcua-pki');
    const clientCert = await ensureClientCertificate(pkiDir);
    const opcuaPw = await runDir.secret('opcua-password');
    const plant = await startScenario({
      scenario,
      seed,
      speed,
      epoch,
      ptyDir: runDir.path,
      opcuaSecurity: {
        users: [{ username: 'plantpulse', password: opcuaPw.value }],
        trustedClientCertificates: [clientCert],
      },
    });
    stoppers.push({ name: 'simulators', stop: () => plant.close() });
    for (const s of plant.skipped)
      say(`${s.id} is not simulated here (${s.reason}): the demo runs without it`);
    if (plant.opcuaCertificateFile !== undefined)
      await trustServerCertificateFile(pkiDir, plant.opcuaCertificateFile);

    const agentFile = await runDir.write(
      'agent.yaml',
      demoAgentYaml({
        site: scenario.site,
        node: DEMO_NODE,
        brokerUrl,
        passwordFile: agentPw.file,
        outboxPath: join(runDir.path, 'agent-data'),
        devices: plant.agentDevices({
          every: '1s',
          opcua: {
            securityMode: 'SignAndEncrypt',
            securityPolicy: 'Basic256Sha256',
            user: { username: 'plantpulse', password: `\${file:${opcuaPw.file}}` },
            pki: pkiDir,
          },
        }),
      }),
    );
    const agentCfg = await loadAgentConfig(agentFile);
    opts.signal?.throwIfAborted();
    say('starting the edge agent …');
    const agent = await startAgent(agentCfg.config, log.child({ process: 'agent' }));
    stoppers.push({ name: 'agent', stop: () => agent.stop() });

    opts.signal?.throwIfAborted();
    return {
      info: {
        influxUrl: influx.url,
        influxDataDir: influx.dataDir,
        database: DEMO_DATABASE,
        brokerUrl,
        dashboardUrl: `http://127.0.0.1:${apiPort}/`,
        runDir: runDir.path,
        logFile: join(runDir.path, 'plantpulse.log'),
        site: scenario.site,
        scenario: scenarioFile,
        seed,
        devices: agentCfg.config.devices.map((d) => d.id),
        backfill: { hours, ...backfilled, liveFrom },
      },
      stop: stopAll,
    };
  } catch (err) {
    log.error({ err }, 'the demo did not start; stopping what did');
    say(`the demo did not start: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll().catch(() => undefined);
    throw err;
  }
}
