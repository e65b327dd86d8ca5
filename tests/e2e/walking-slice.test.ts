/**
 * The walking slice (issue 2): a simulated PLC → `plantpulse agent` (Modbus TCP poll, Sparkplug B over MQTT) →
 * `plantpulse cloud` (embedded authenticated aedes broker, Sparkplug host, InfluxDB writer) → InfluxDB.
 * Three real processes, started as a user would, and a real InfluxDB. It checks decoded and scaled values, tags and
 * timestamps against what the simulator reports it did, so a broken stage (a wrong scale, a wrong word order, a lost
 * tag) fails it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';

const POLL_MS = 500;
const SITE = 'cq-plant1';
const NODE = 'line3-gw';
const DEVICE = 'press-07';

interface Change {
  point: string;
  value: number;
  changedAt: number;
}

describe('walking slice: simulator → agent → MQTT → cloud → InfluxDB', () => {
  let dir: string;
  let db: string;
  let sim: CliProcess;
  let cloud: CliProcess;
  let agent: CliProcess;
  const env = { AGENT_MQTT_PASSWORD: 'agent-secret-1', INGEST_MQTT_PASSWORD: 'ingest-secret-2' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-e2e-'));
    db = await freshDatabase('e2e_slice');

    sim = spawnCli(['sim', '--profile', 'press', '--port', '0', '--changes']);
    const listening = await sim.waitFor((l) => l['event'] === 'listening');

    await writeFile(
      join(dir, 'cloud.yaml'),
      [
        'broker:',
        '  port: 0',
        '  users:',
        `    - { username: ${NODE}, password: "\${env:AGENT_MQTT_PASSWORD}" }`,
        '    - { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}" }',
        'mqtt:',
        '  username: ingest',
        '  password: ${env:INGEST_MQTT_PASSWORD}',
        '  clientId: e2e-ingest',
        'influx:',
        `  url: ${influxUrl()}`,
        `  database: ${db}`,
        `spool: { path: ${join(dir, 'cloud-data')} }`,
      ].join('\n'),
    );
    cloud = spawnCli(['cloud', '-c', join(dir, 'cloud.yaml')], { env });
    const brokerUp = await cloud.waitFor(
      (l) => typeof l['msg'] === 'string' && l['msg'].startsWith('embedded MQTT broker listening'),
    );

    await writeFile(
      join(dir, 'agent.yaml'),
      [
        `site: ${SITE}`,
        `node: ${NODE}`,
        'mqtt:',
        `  url: ${String(brokerUp['url'])}`,
        `  username: ${NODE}`,
        '  password: ${env:AGENT_MQTT_PASSWORD}',
        `outbox: { path: ${join(dir, 'agent-data')} }`,
        'devices:',
        `  - id: ${DEVICE}`,
        '    tags: { line: line3, kind: press }',
        '    modbus:',
        `      url: ${String(listening['url'])}`,
        '      unitId: 1',
        '      timeout: 1s',
        '    poll:',
        `      - every: ${POLL_MS}ms`,
        '        points:',
        '          - { name: state_code, table: holding, address: 100, type: uint16 }',
        '          - { name: part_count, table: holding, address: 102, type: uint32, order: CDAB }',
        '          - { name: power_kw, table: input, address: 0, type: float32, scale: 0.001, unit: kW }',
      ].join('\n'),
    );
    agent = spawnCli(['agent', '-c', join(dir, 'agent.yaml')], { env });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([agent?.stop(), cloud?.stop(), sim?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const query = (q: string) => queryInfluxQL(influxUrl(), { db, q });

  it('stores decoded, scaled values with their tags and timestamps', async () => {
    // Wait (poll with a deadline) until the series show several power changes and a part counted.
    const deadline = Date.now() + 90_000;
    let rows: Awaited<ReturnType<typeof query>> = [];
    for (;;) {
      rows = await query(`SELECT * FROM telemetry WHERE device = '${DEVICE}'`);
      const powers = new Set(rows.map((r) => r['power_kw']).filter((v) => v !== null && v !== undefined));
      const counts = new Set(rows.map((r) => r['part_count']).filter((v) => v !== null && v !== undefined));
      if (powers.size >= 4 && counts.size >= 2) break;
      if (Date.now() > deadline) {
        throw new Error(
          `InfluxDB did not receive the samples in time: ${rows.length} rows\nagent: ${agent.stderr()}${JSON.stringify(agent.lines.slice(-10))}\ncloud: ${JSON.stringify(cloud.lines.slice(-10))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    const changes: Change[] = sim.lines
      .filter((l) => l['event'] === 'change')
      .map((l) => ({
        point: String(l['point']),
        value: Number(l['value']),
        changedAt: Number(l['changedAt']),
      }));

    for (const r of rows) {
      expect(r['site']).toBe(SITE);
      expect(r['node']).toBe(NODE);
      expect(r['device']).toBe(DEVICE);
      // the agent's device tags (`tags: { line: line3, kind: press }`), carried by the DBIRTH (docs/sparkplug.md)
      expect(r['line']).toBe('line3');
      expect(r['kind']).toBe('press');
    }

    // Every stored value is a value the simulator had, and its timestamp is within one poll period of the change
    // that produced it (plus the time a read takes on a busy 2-core CI machine).
    const slackMs = 250;
    let checked = 0;
    for (const metric of ['state_code', 'part_count', 'power_kw']) {
      let first = true;
      for (const r of rows) {
        const v = r[metric];
        if (v === null || v === undefined) continue;
        // The first sample of a metric carries a value the device held before the agent started: it is stamped
        // with the first poll's time, not the change's. Its value is still checked below.
        const isFirst = first;
        first = false;
        const t = Number(r['time']);
        const candidates = changes.filter((c) => c.point === metric && Math.abs(c.value - Number(v)) < 1e-9);
        expect(
          candidates.length,
          `${metric}=${String(v)} at ${t} was never a simulator value`,
        ).toBeGreaterThan(0);
        // The change that produced this sample: the latest change to this value at or before the read (the read
        // takes a little time, hence the slack), which was still the current value when the read happened.
        const ofMetric = changes.filter((c) => c.point === metric);
        const producing = [...candidates].reverse().find((c) => {
          if (c.changedAt > t + slackMs) return false;
          const next = ofMetric.find((n) => n.changedAt > c.changedAt);
          return next === undefined || next.changedAt >= t - slackMs;
        });
        expect(
          producing,
          `${metric}=${String(v)} at ${t} was not the simulator's value at that time`,
        ).toBeDefined();
        if (!isFirst) {
          expect(
            t - (producing?.changedAt ?? 0),
            `${metric}=${String(v)} stored at ${t}`,
          ).toBeLessThanOrEqual(POLL_MS + slackMs);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);

    // Integer registers are integer fields, the scaled float a float field.
    const fields = await query('SHOW FIELD KEYS FROM telemetry');
    const typeOf = (k: string) => fields.find((f) => f['fieldKey'] === k)?.['fieldType'];
    expect(typeOf('state_code')).toBe('integer');
    expect(typeOf('part_count')).toBe('integer');
    expect(typeOf('power_kw')).toBe('float');

    // The device's birth was recorded as online.
    const status = await query(`SELECT online FROM device_status WHERE device = '${DEVICE}'`);
    expect(status.some((s) => s['online'] === true)).toBe(true);
  });

  it('stops every process cleanly on SIGTERM and SIGINT', async () => {
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(await cloud.stop('SIGINT')).toBe(0);
    expect(await sim.stop('SIGTERM')).toBe(0);
  });
});
