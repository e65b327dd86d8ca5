/**
 * Shared set-up of the Sparkplug session e2e tests: config files for the real `plantpulse agent` / `plantpulse cloud`
 * processes, the press simulator (restartable on the same port), and small InfluxDB polling helpers.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { influxUrl } from '../helpers/services.js';

export const DEVICE = 'press-07';
export const POLL_MS = 200;
/** metric → Sparkplug datatype name the DBIRTH must announce (press profile, agent config below) */
export const PRESS_METRICS: Record<string, string> = {
  state_code: 'UInt16',
  part_count: 'UInt32',
  power_kw: 'Double', // a scaled register is a double
};

/** unique Sparkplug ids per test, so tests sharing the run's Mosquitto never see each other's sessions */
export function uniqueIds(prefix: string): { site: string; node: string; hostId: string } {
  const r = randomBytes(4).toString('hex');
  return { site: `${prefix}-${r}`, node: 'line3-gw', hostId: `pp-host-${r}` };
}

export interface SimHandle {
  proc: CliProcess;
  url: string;
  port: number;
}

/** `plantpulse sim --profile press`, on a free port (0) or the given one (a restart on the same address) */
export async function startSim(port = 0): Promise<SimHandle> {
  const proc = spawnCli(['sim', '--profile', 'press', '--port', String(port)]);
  const l = await proc.waitFor((x) => x['event'] === 'listening', 90_000);
  const url = String(l['url']);
  return { proc, url, port: Number(new URL(url.replace(/^tcp:/, 'http:')).port) };
}

export interface AgentYaml {
  dir: string;
  site: string;
  node: string;
  mqttUrl: string;
  username: string;
  protocolVersion?: 4 | 5;
  format?: 'sparkplug' | 'json';
  primaryHost?: string;
  simUrl: string;
}

/** agent.yaml for one press; the MQTT password comes from ${env:AGENT_MQTT_PASSWORD} */
export async function writeAgentYaml(a: AgentYaml): Promise<string> {
  const file = join(a.dir, 'agent.yaml');
  await writeFile(
    file,
    [
      `site: ${a.site}`,
      `node: ${a.node}`,
      'mqtt:',
      `  url: ${a.mqttUrl}`,
      `  username: ${a.username}`,
      '  password: ${env:AGENT_MQTT_PASSWORD}',
      `  clientId: agent-${a.site}`,
      a.protocolVersion === undefined ? '' : `  protocolVersion: ${a.protocolVersion}`,
      a.format === undefined ? '' : `  format: ${a.format}`,
      a.primaryHost === undefined ? '' : `  primaryHost: ${a.primaryHost}`,
      `outbox: { path: ${join(a.dir, 'agent-data')} }`,
      'devices:',
      `  - id: ${DEVICE}`,
      '    tags: { line: line3, kind: press }',
      '    modbus:',
      `      url: ${a.simUrl}`,
      '      unitId: 1',
      '      timeout: 500ms',
      '    poll:',
      `      - every: ${POLL_MS}ms`,
      '        points:',
      '          - { name: state_code, table: holding, address: 100, type: uint16 }',
      '          - { name: part_count, table: holding, address: 102, type: uint32, order: CDAB }',
      '          - { name: power_kw, table: input, address: 0, type: float32, scale: 0.001, unit: kW }',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  return file;
}

export interface CloudYaml {
  dir: string;
  db: string;
  /** external broker (Mosquitto); omit for the embedded aedes broker with the users below */
  mqttUrl?: string;
  username: string;
  /**
   * embedded broker users besides the ingester: name → env var holding the password (a gateway: its own node only),
   * or with `role: host` for an observer acting as a second host application (reads everything, sends NCMDs)
   */
  brokerUsers?: Record<string, string | { env: string; role: 'host' }>;
  hostId?: string;
  protocolVersion?: 4 | 5;
  format?: 'sparkplug' | 'json';
}

/** cloud.yaml; the ingester's password comes from ${env:INGEST_MQTT_PASSWORD} */
export async function writeCloudYaml(c: CloudYaml): Promise<string> {
  const file = join(c.dir, 'cloud.yaml');
  const broker =
    c.mqttUrl === undefined
      ? [
          'broker:',
          '  port: 0',
          '  users:',
          `    - { username: ${c.username}, password: "\${env:INGEST_MQTT_PASSWORD}" }`,
          ...Object.entries(c.brokerUsers ?? {}).map(([u, v]) =>
            typeof v === 'string'
              ? `    - { username: ${u}, password: "\${env:${v}}" }`
              : `    - { username: ${u}, password: "\${env:${v.env}}", role: ${v.role} }`,
          ),
        ]
      : [];
  await writeFile(
    file,
    [
      ...broker,
      'mqtt:',
      c.mqttUrl === undefined ? '' : `  url: ${c.mqttUrl}`,
      `  username: ${c.username}`,
      '  password: ${env:INGEST_MQTT_PASSWORD}',
      `  clientId: ingest-${c.db}`,
      c.hostId === undefined ? '' : `  hostId: ${c.hostId}`,
      c.protocolVersion === undefined ? '' : `  protocolVersion: ${c.protocolVersion}`,
      c.format === undefined ? '' : `  format: ${c.format}`,
      'influx:',
      `  url: ${influxUrl()}`,
      `  database: ${c.db}`,
      '  flushInterval: 100ms',
      `spool: { path: ${join(c.dir, 'cloud-data')} }`,
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  return file;
}

export const isBrokerUp = (l: Record<string, unknown>): boolean =>
  typeof l['msg'] === 'string' && l['msg'].startsWith('embedded MQTT broker listening');
export const isIngesterUp = (l: Record<string, unknown>): boolean =>
  l['msg'] === 'ingester connected to MQTT broker';

export type Row = Record<string, unknown>;

/** polls an InfluxQL query until `done(rows)` or the deadline; returns the last rows */
export async function pollInflux(
  db: string,
  q: string,
  done: (rows: Row[]) => boolean,
  timeoutMs = 120_000,
  what = q,
): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await queryInfluxQL(influxUrl(), { db, q })) as Row[];
    if (done(rows)) return rows;
    if (Date.now() > deadline)
      throw new Error(`InfluxDB never showed ${what}; last rows: ${JSON.stringify(rows.slice(-10))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** stops every given process that is still running (SIGTERM, then SIGKILL after the helper's timeout) */
export async function stopAll(...procs: (CliProcess | undefined)[]): Promise<void> {
  await Promise.all(procs.map((p) => p?.stop()));
}
