/**
 * Row 8, a peer doing the same job: Node-RED with node-red-contrib-modbus (5.23.3; later versions pull a dependency
 * from outside the npm registry) and node-red-contrib-influxdb, installed by the bench into a temp dir (never a
 * project dependency), polling the same simulated devices into the same InfluxDB as `plantpulse agent` +
 * `plantpulse cloud` (through Mosquitto). CPU per 1,000 tags/s stored, and RSS, side by side.
 * Smoke mode uses Node-RED only when an earlier full run left it installed (the install alone takes about a minute).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NODE_OPTIONS } from '../../cli/service/node-options.js';
import { freePort, pollUntil } from '../../scripts/services/index.js';
import type { BenchCase, BenchRow } from '../bench-types.js';
import { BenchCaseError } from './bench-case-error.js';
import { type CliChild, spawnCliChild, trackChild } from './cli-child.js';
import { startHost } from './host-process.js';
import { nodeRedFlow, nodeRedSettings } from './node-red-flow.js';
import { writeAgentConfig, writeCloudConfig } from './pipeline-config.js';
import { UsageMeter, type UsageWindow } from './proc-usage.js';
import { type BenchServices, benchServices, countValues, freshBenchDatabase } from './services.js';

export const NODE_RED_DIR = join(tmpdir(), 'plantpulse-bench-node-red');
const RED_JS = join(NODE_RED_DIR, 'node_modules', 'node-red', 'red.js');
export const NODE_RED_PACKAGES = ['node-red', 'node-red-contrib-modbus@5.23.3', 'node-red-contrib-influxdb'];
const REGISTERS = 250;

/** npm install of Node-RED and the two node packages into NODE_RED_DIR (kept for later runs). */
export async function ensureNodeRed(progress: (m: string) => void): Promise<string> {
  if (existsSync(RED_JS)) return RED_JS;
  await mkdir(NODE_RED_DIR, { recursive: true });
  await writeFile(
    join(NODE_RED_DIR, 'package.json'),
    '{"name":"plantpulse-bench-node-red","private":true}\n',
  );
  progress(`npm install ${NODE_RED_PACKAGES.join(' ')} in ${NODE_RED_DIR}`);
  const child = spawn(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...NODE_RED_PACKAGES],
    { cwd: NODE_RED_DIR, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    err = (err + c).slice(-2000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  if (code !== 0 || !existsSync(RED_JS)) {
    throw new BenchCaseError('BENCH_PEER_UNAVAILABLE', `npm install of Node-RED failed (${code}): ${err}`);
  }
  return RED_JS;
}

interface JobResult {
  tagsPerSecond: number;
  usage: UsageWindow;
}

/** Counts values stored in `db` over the window while metering `pids`. */
async function measureJob(
  s: BenchServices,
  db: string,
  pids: number[],
  warmS: number,
  windowS: number,
): Promise<JobResult> {
  // data flowing first (births seen, first batches flushed), then the warm-up
  await pollUntil(async () => ((await countValues(s.influx.url, db)) > 0 ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 250,
    what: `first values in ${db}`,
  });
  await new Promise((r) => setTimeout(r, warmS * 1000));
  const meter = new UsageMeter(pids, true);
  const n0 = await countValues(s.influx.url, db);
  meter.start();
  await new Promise((r) => setTimeout(r, windowS * 1000));
  const usage = meter.stop();
  const n1 = await countValues(s.influx.url, db);
  return { tagsPerSecond: (n1 - n0) / usage.seconds, usage };
}

async function runNodeRed(
  s: BenchServices,
  redJs: string,
  urls: string[],
  warmS: number,
  windowS: number,
): Promise<JobResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pp-bench-nodered-'));
  const db = await freshBenchDatabase(s.influx.url, 'nodered');
  const influx = new URL(s.influx.url);
  const flowFile = join(dir, 'flows.json');
  const devices = urls.map((u, i) => {
    const url = new URL(u);
    return { id: `dev${i}`, host: url.hostname, port: Number(url.port) };
  });
  await writeFile(
    flowFile,
    JSON.stringify(
      nodeRedFlow({
        devices,
        registers: REGISTERS,
        everyS: 1,
        influx: { host: influx.hostname, port: Number(influx.port), database: db },
      }),
    ),
  );
  const settings = join(dir, 'settings.js');
  await writeFile(settings, nodeRedSettings({ port: await freePort(), userDir: dir, flowFile }));
  const child = spawn(process.execPath, [redJs, '--settings', settings, '--userDir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new BenchCaseError('BENCH_TIMEOUT', `Node-RED did not start its flows: ${out.slice(-1500)}`)),
      120_000,
    );
    const onData = (c: Buffer) => {
      out = (out + c.toString()).slice(-8000);
      if (out.includes('Started flows')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new BenchCaseError('BENCH_PEER_UNAVAILABLE', `Node-RED exited ${code}: ${out.slice(-1500)}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await started;
    const r = await measureJob(s, db, [child.pid ?? -1], warmS, windowS);
    if (r.tagsPerSecond <= 0) {
      throw new BenchCaseError('BENCH_PEER_UNAVAILABLE', `Node-RED stored nothing: ${out.slice(-1500)}`);
    }
    return r;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOurs(s: BenchServices, urls: string[], warmS: number, windowS: number): Promise<JobResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pp-bench-ours-'));
  const db = await freshBenchDatabase(s.influx.url, 'ours');
  const site = `peer${process.pid}`;
  const env = {
    BENCH_AGENT_PASSWORD: s.user('agent').password,
    BENCH_INGEST0_PASSWORD: s.user('ingest0').password,
  };
  const cloud = spawnCliChild(
    [
      'cloud',
      '-c',
      await writeCloudConfig(join(dir, 'cloud.yaml'), {
        mqttUrl: s.mosquitto.url,
        username: 'ingest0',
        passwordEnv: 'BENCH_INGEST0_PASSWORD',
        clientId: `${site}-cloud`,
        influxUrl: s.influx.url,
        database: db,
        dir,
      }),
    ],
    env,
  );
  let agent: CliChild | undefined;
  try {
    await cloud.waitFor((l) => l['msg'] === 'ingester connected to MQTT broker', 60_000);
    const cfg = await writeAgentConfig(join(dir, 'agent.yaml'), {
      site,
      mqttUrl: s.mosquitto.url,
      passwordEnv: 'BENCH_AGENT_PASSWORD',
      outboxPath: join(dir, 'outbox'),
      devices: urls.map((url, i) => ({ id: `dev${i}`, url, registers: REGISTERS, everyMs: 1000 })),
    });
    // as its service unit runs it (bounded V8 heap, cli/service/node-options.ts)
    agent = spawnCliChild(['agent', '-c', cfg], { ...env, NODE_OPTIONS: SERVICE_NODE_OPTIONS.agent ?? '' });
    await agent.waitFor((l) => l['msg'] === 'plantpulse agent running', 120_000);
    return await measureJob(s, db, [agent.pid, cloud.pid], warmS, windowS);
  } finally {
    await agent?.stop();
    await cloud.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const per1000 = (r: JobResult) =>
  r.tagsPerSecond > 0 ? r.usage.cpuPercent / (r.tagsPerSecond / 1000) : Number.POSITIVE_INFINITY;

export const nodeRedCase: BenchCase = {
  title: 'Peer: Node-RED (modbus + influxdb nodes) vs plantpulse agent + cloud, same devices, same InfluxDB',
  async run(ctx) {
    const s = await benchServices();
    const devices = ctx.smoke ? 4 : 40;
    const warmS = ctx.smoke ? 1 : 10;
    const windowS = ctx.smoke ? 3 : 30;
    let redJs: string | undefined;
    let why = '';
    if (ctx.smoke && !existsSync(RED_JS)) why = 'smoke run: Node-RED not installed by an earlier full run';
    else {
      try {
        redJs = await ensureNodeRed(ctx.progress);
      } catch (err) {
        why = err instanceof Error ? err.message : String(err);
      }
    }
    const sims = await startHost<{ urls: string[] }>(
      join(import.meta.dirname, '..', 'modbus', 'sim-host.js'),
      [String(devices), String(REGISTERS)],
    );
    let ours: JobResult;
    let peer: JobResult | undefined;
    try {
      ours = await runOurs(s, sims.info.urls, warmS, windowS);
      ctx.progress(
        `plantpulse: ${ours.tagsPerSecond.toFixed(0)} tags/s at ${ours.usage.cpuPercent.toFixed(1)} %`,
      );
      if (redJs) {
        try {
          peer = await runNodeRed(s, redJs, sims.info.urls, warmS, windowS);
          ctx.progress(
            `Node-RED: ${peer.tagsPerSecond.toFixed(0)} tags/s at ${peer.usage.cpuPercent.toFixed(1)} %`,
          );
        } catch (err) {
          why = err instanceof Error ? err.message.slice(0, 300) : String(err);
        }
      }
    } finally {
      await sims.stop();
    }
    const shape = `${devices} Modbus TCP devices × ${REGISTERS} regs @ 1 s into InfluxDB`;
    const ourCpu = per1000(ours);
    const peerCpu = peer ? per1000(peer) : undefined;
    const cpuRow: BenchRow = {
      id: 'peer.cpu_per_1000_tags_per_s',
      stage: 'peer',
      what: `CPU per 1,000 tags/s stored, ${shape} (agent + cloud)`,
      value: ourCpu,
      unit: '% core',
      note: `plantpulse ${ours.tagsPerSecond.toFixed(0)} tags/s at ${ours.usage.cpuPercent.toFixed(1)} % (agent + ingester; Mosquitto not counted)`,
    };
    if (peer && peerCpu !== undefined) {
      const ratio = peerCpu / ourCpu;
      cpuRow.baseline = { name: 'Node-RED', value: peerCpu, unit: '% core' };
      cpuRow.ratio = ratio;
      cpuRow.target = { text: '≥ 3 × less CPU per tag/s than Node-RED', met: ratio >= 3 };
      cpuRow.note += `; Node-RED ${peer.tagsPerSecond.toFixed(0)} tags/s at ${peer.usage.cpuPercent.toFixed(1)} %; ratio = Node-RED / plantpulse`;
    } else cpuRow.note += `; Node-RED not measured: ${why}`;
    const rssRow: BenchRow = {
      id: 'peer.rss_mib',
      stage: 'peer',
      what: `peak RSS, ${shape} (agent + cloud)`,
      value: ours.usage.peakRssMiB,
      unit: 'MiB',
      ...(peer
        ? {
            baseline: { name: 'Node-RED', value: peer.usage.peakRssMiB, unit: 'MiB' },
            ratio: ours.usage.peakRssMiB / peer.usage.peakRssMiB,
          }
        : { note: `Node-RED not measured: ${why}` }),
    };
    return [cpuRow, rssRow];
  },
};
