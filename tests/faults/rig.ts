/**
 * The pipeline every fault scenario runs, as real processes (like tests/e2e):
 *
 *   sequence devices (in-process Modbus TCP) ← `plantpulse agent` → TCP proxy → Mosquitto → `plantpulse cloud` → InfluxDB
 *
 * Each device's `seq` grows by one per read, so a complete delivery is `seq` = 1…served() exactly once per device.
 * `finish()` stops the counters and waits (poll with a deadline) until InfluxDB holds every value the agent read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';
import { privateInflux, privateMosquitto, type Restartable } from './restartable.js';
import { type SequenceDevice, startSequenceDevice } from './sequence-device.js';

export interface RigOptions {
  /** scenario name: site id and database prefix */
  name: string;
  devices?: number;
  pollMs?: number;
  /** a private, restartable InfluxDB instead of the run's shared one */
  privateInflux?: boolean;
  outboxMaxBytes?: number;
  replayRate?: number;
  /** more ingesters sharing the data through `$share/` (default 1, no sharing) */
  ingesters?: number;
  keepaliveS?: number;
}

export interface Rig {
  readonly dir: string;
  readonly db: string;
  readonly influxUrl: string;
  readonly devices: SequenceDevice[];
  readonly deviceIds: string[];
  readonly broker: Awaited<ReturnType<typeof privateMosquitto>>;
  readonly influx: Restartable | undefined;
  /** between the agent and the broker */
  readonly uplink: TcpProxy;
  agent: CliProcess;
  clouds: CliProcess[];
  startAgent(): Promise<void>;
  startCloud(i?: number): Promise<void>;
  /** the agent's /metrics as name{labels} → value */
  agentMetrics(): Promise<Map<string, number>>;
  /** rows of `seq` per device so far */
  seqs(): Promise<Map<string, number[]>>;
  /** waits until every device has served at least `n` more values */
  produce(n: number): Promise<void>;
  /**
   * Freezes the counters, waits until the agent's outbox is empty, then until InfluxDB holds every value served but
   * the `allowed` ones per device (or all but `missingTotal` over all devices).
   */
  finish(opts?: {
    timeoutMs?: number;
    /** per device, values that may be missing (e.g. the one read in the instant of a kill) */
    allowed?: readonly ReadonlySet<number>[];
    missingTotal?: number;
  }): Promise<Map<string, number[]>>;
  /** freezes the counters and waits until the agent's outbox is empty (nothing in flight) */
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

export { until };

/**
 * Counts per value: a complete, duplicate-free delivery of 1…n has no missing, duplicated or unexpected value.
 * A transport duplicate cannot show here (same timestamp: InfluxDB overwrites); a repeat is a value stored at two
 * times, i.e. read twice. The one legitimate repeat is `n` itself: `finish()` freezes the counter at n, and a
 * rebirth the host asks for meanwhile makes the agent report current values again (report-by-exception reset).
 */
export function sequenceProblems(
  values: readonly number[],
  n: number,
  allowedMissing: ReadonlySet<number> = new Set(),
) {
  const seen = new Map<number, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  const missing: number[] = [];
  const duplicated: number[] = [];
  for (let v = 1; v <= n; v++) {
    const c = seen.get(v) ?? 0;
    if (c === 0 && !allowedMissing.has(v)) missing.push(v);
    if (c > 1 && v !== n) duplicated.push(v);
  }
  const unexpected = [...seen.keys()].filter((v) => v < 1 || v > n);
  return { missing, duplicated, unexpected };
}

export async function startRig(o: RigOptions): Promise<Rig> {
  const ndev = o.devices ?? 2;
  const pollMs = o.pollMs ?? 100;
  const ningest = o.ingesters ?? 1;
  const dir = await mkdtemp(join(tmpdir(), `pp-fault-${o.name}-`));
  const site = o.name.replace(/[^A-Za-z0-9_-]/g, '-');
  const broker = await privateMosquitto([
    'agent',
    ...Array.from({ length: ningest }, (_, i) => `ingest${i}`),
  ]);
  const influx = o.privateInflux ? await privateInflux() : undefined;
  const url = influx ? influx.url : influxUrl();
  let db: string;
  if (influx) {
    db = `fault_${site.replace(/-/g, '_')}`;
    const res = await fetch(`${url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }),
    });
    await res.text();
  } else db = await freshDatabase(`fault_${site}`);
  const devices = await Promise.all(Array.from({ length: ndev }, () => startSequenceDevice()));
  const deviceIds = devices.map((_, i) => `seq-${i + 1}`);
  const b = new URL(broker.url);
  const uplink = await startTcpProxy({ host: b.hostname, port: Number(b.port) });
  const agentUser = broker.user('agent');

  const env: NodeJS.ProcessEnv = { AGENT_MQTT_PASSWORD: agentUser.password };
  for (let i = 0; i < ningest; i++) env[`INGEST${i}_MQTT_PASSWORD`] = broker.user(`ingest${i}`).password;

  await writeFile(
    join(dir, 'agent.yaml'),
    [
      `site: ${site}`,
      'node: gw-1',
      'mqtt:',
      `  url: mqtt://127.0.0.1:${uplink.port}`,
      '  username: agent',
      '  password: ${env:AGENT_MQTT_PASSWORD}',
      `  keepalive: ${o.keepaliveS ?? 5}s`,
      'outbox:',
      `  path: ${join(dir, 'agent-data')}`,
      ...(o.outboxMaxBytes === undefined ? [] : [`  maxBytes: ${o.outboxMaxBytes}`]),
      ...(o.replayRate === undefined ? [] : [`  replayRate: ${o.replayRate}`]),
      'http: { port: 0 }',
      'devices:',
      ...devices.flatMap((d, i) => [
        `  - id: ${deviceIds[i]}`,
        `    modbus: { url: "${d.url}", unitId: 1, timeout: 5s }`,
        `    poll: [ { every: ${pollMs}ms, points: [ { name: seq, table: holding, address: 0, type: uint32 } ] } ]`,
      ]),
    ].join('\n'),
  );
  for (let i = 0; i < ningest; i++) {
    await writeFile(
      join(dir, `cloud${i}.yaml`),
      [
        'mqtt:',
        `  url: ${broker.url}`,
        `  username: ingest${i}`,
        `  password: \${env:INGEST${i}_MQTT_PASSWORD}`,
        `  clientId: ${site}-ingest-${i}`,
        ...(ningest > 1 ? [`  sharedGroup: ${site}`] : []),
        'influx:',
        `  url: ${url}`,
        `  database: ${db}`,
        '  api: v1',
        `spool: { path: ${join(dir, `cloud-data-${i}`)} }`,
      ].join('\n'),
    );
  }

  const rig: Rig = {
    dir,
    db,
    influxUrl: url,
    devices,
    deviceIds,
    broker,
    influx,
    uplink,
    agent: undefined as unknown as CliProcess,
    clouds: [],
    async startAgent() {
      rig.agent = spawnCli(['agent', '-c', join(dir, 'agent.yaml')], { env });
      await rig.agent.waitFor((l) => l['msg'] === 'plantpulse agent running', 60_000);
    },
    async startCloud(i = 0) {
      const c = spawnCli(['cloud', '-c', join(dir, `cloud${i}.yaml`)], { env });
      rig.clouds[i] = c;
      await c.waitFor((l) => l['msg'] === 'ingester connected to MQTT broker', 60_000);
    },
    async agentMetrics() {
      const line = await rig.agent.waitFor((l) => l['msg'] === 'health and metrics endpoint listening');
      const res = await fetch(`${String(line['url'])}/metrics`, { signal: AbortSignal.timeout(5000) });
      const out = new Map<string, number>();
      for (const l of (await res.text()).split('\n')) {
        if (!l || l.startsWith('#')) continue;
        const i = l.lastIndexOf(' ');
        out.set(l.slice(0, i), Number(l.slice(i + 1)));
      }
      return out;
    },
    async seqs() {
      const rows = await queryInfluxQL(url, { db, q: 'SELECT seq, device FROM telemetry' });
      const out = new Map<string, number[]>(deviceIds.map((d) => [d, []]));
      for (const r of rows) {
        if (r['seq'] === null || r['seq'] === undefined) continue;
        out.get(String(r['device']))?.push(Number(r['seq']));
      }
      return out;
    },
    async produce(n) {
      const start = devices.map((d) => d.served());
      // a deadline, not a pace: a busy CI machine polls slower than configured
      await until(
        `${n} more reads per device`,
        () => (devices.every((d, i) => d.served() >= (start[i] ?? 0) + n) ? true : undefined),
        n * pollMs * 4 + 30_000,
      );
    },
    async finish(opts = {}) {
      for (const d of devices) d.freeze();
      const target = devices.map((d) => d.served());
      let last = new Map<string, number[]>();
      try {
        // Nothing left to send: the agent's outbox is empty (every batch acknowledged by the broker) …
        await until(
          'the agent outbox to empty',
          async () => ((await rig.agentMetrics()).get('plantpulse_outbox_messages') === 0 ? true : undefined),
          opts.timeoutMs ?? 180_000,
          250,
        );
        // … and the ingester has written what the broker gave it.
        await until(
          'InfluxDB to hold every value served',
          async () => {
            last = await rig.seqs();
            const short = deviceIds.map(
              (id, i) =>
                sequenceProblems(last.get(id) ?? [], target[i] ?? 0, opts.allowed?.[i]).missing.length,
            );
            if (opts.missingTotal !== undefined) {
              return short.reduce((a, b) => a + b, 0) <= opts.missingTotal ? true : undefined;
            }
            return short.every((n) => n === 0) ? true : undefined;
          },
          opts.timeoutMs ?? 180_000,
          500,
        );
      } catch (err) {
        const summary = deviceIds.map(
          (id, i) => `${id}: served ${target[i]}, stored ${last.get(id)?.length ?? 0}`,
        );
        throw new Error(
          `${(err as Error).message}\n${summary.join('\n')}\nagent tail: ${JSON.stringify(rig.agent?.lines.slice(-8))}\ncloud tail: ${JSON.stringify(rig.clouds[0]?.lines.slice(-8))}`,
        );
      }
      return last;
    },
    async quiesce() {
      for (const d of devices) d.freeze();
      await until('the agent outbox to empty', async () =>
        (await rig.agentMetrics()).get('plantpulse_outbox_messages') === 0 ? true : undefined,
      );
    },
    async close() {
      await Promise.allSettled([rig.agent?.stop('SIGKILL'), ...rig.clouds.map((c) => c?.stop('SIGKILL'))]);
      await uplink.close();
      await Promise.allSettled(devices.map((d) => d.close()));
      await broker.dispose();
      await influx?.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return rig;
}
