/**
 * YAML configs for the real `plantpulse agent` and `plantpulse cloud` processes the pipeline cases run
 * (docs/architecture.md#configuration; the same keys as tests/faults/rig.ts). Passwords are `${env:…}`
 * references, never written out.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AgentBenchConfig {
  site: string;
  mqttUrl: string;
  /** env var holding the agent's MQTT password */
  passwordEnv: string;
  outboxPath: string;
  /** one device per simulator URL, each polling registers r0…r(n-1) as uint16 */
  devices: {
    id: string;
    url: string;
    registers: number;
    everyMs: number;
    deadband?: number;
    derive?: boolean;
  }[];
}

export async function writeAgentConfig(path: string, c: AgentBenchConfig): Promise<string> {
  const lines = [
    `site: ${c.site}`,
    'node: gw-1',
    'mqtt:',
    `  url: ${c.mqttUrl}`,
    '  username: agent',
    `  password: \${env:${c.passwordEnv}}`,
    'outbox:',
    `  path: ${c.outboxPath}`,
    'http: { port: 0, host: 127.0.0.1 }',
    'log: { level: info }',
    'devices:',
  ];
  for (const d of c.devices) {
    lines.push(
      `  - id: ${d.id}`,
      `    modbus: { url: "${d.url}", unitId: 1, timeout: 5s }`,
      '    poll:',
      `      - every: ${d.everyMs}ms`,
      '        points:',
    );
    for (let r = 0; r < d.registers; r++) {
      const db = d.deadband === undefined ? '' : `, deadband: ${d.deadband}`;
      lines.push(`          - { name: r${r}, table: holding, address: ${r}, type: uint16${db} }`);
    }
    if (d.derive) {
      lines.push(
        '    derive:',
        '      state: { from: r0, off: 0.5, running: 6.0, hysteresis: 0.3, minDwell: 5s }',
        '      part_count: { from: r1, counter: true }',
        '      power_kw: { threePhase: { current: r2, voltage: 380, powerFactor: 0.85 } }',
      );
    }
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

export interface CloudBenchConfig {
  mqttUrl: string;
  username: string;
  passwordEnv: string;
  clientId: string;
  sharedGroup?: string;
  influxUrl: string;
  database: string;
  dir: string;
  flushInterval?: string;
  /** spool fsync: full (default, before each PUBACK) or normal (about every second) */
  sync?: 'full' | 'normal';
}

export async function writeCloudConfig(path: string, c: CloudBenchConfig): Promise<string> {
  const lines = [
    'mqtt:',
    `  url: ${c.mqttUrl}`,
    `  username: ${c.username}`,
    `  password: \${env:${c.passwordEnv}}`,
    `  clientId: ${c.clientId}`,
    ...(c.sharedGroup ? [`  sharedGroup: ${c.sharedGroup}`] : []),
    'influx:',
    `  url: ${c.influxUrl}`,
    `  database: ${c.database}`,
    '  api: v1',
    ...(c.flushInterval ? [`  flushInterval: ${c.flushInterval}`] : []),
    `spool: { path: ${join(c.dir, `spool-${c.clientId}`)}${c.sync ? `, sync: ${c.sync}` : ''} }`,
    'log: { level: info }',
  ];
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}
