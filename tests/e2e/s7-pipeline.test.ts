/**
 * An S7-1200 through the whole pipeline: `plantpulse sim s7` (node-snap7's server, PDU 240 like a real S7-1200) →
 * `plantpulse agent` (every S7 type from DB, M, I, Q, T and C; Sparkplug B over MQTT) → `plantpulse cloud` (embedded
 * broker, InfluxDB writer) → InfluxDB, checked by value and by field type.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import type { S7PointSpec } from '../../protocols/s7/point.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { PIPELINE_ENV, startPipelineCloud, writePipelineAgentYaml } from '../helpers/pipeline-processes.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';

const NODE = 'press-gw';
const DEVICE = 'press-12';
type Row = Record<string, unknown>;

describe('S7-1200 press: sim s7 → agent → MQTT → cloud → InfluxDB', () => {
  let dir: string;
  let db: string;
  let sim: CliProcess;
  let cloud: CliProcess;
  let agent: CliProcess;
  let points: S7PointSpec[] = [];
  const query = (q: string) => queryInfluxQL(influxUrl(), { db, q });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-s7-'));
    db = await freshDatabase('e2e_s7');
    sim = spawnCli(['sim', 's7', '--profile', 'press', '--pdu', '240', '--port', '0']);
    const listening = await sim.waitFor((l) => l.event === 'listening');
    points = listening['points'] as S7PointSpec[];
    let brokerUrl: string;
    ({ cloud, brokerUrl } = await startPipelineCloud(dir, { node: NODE, db, clientId: 'e2e-s7-ingest' }));
    const agentYaml = await writePipelineAgentYaml(dir, {
      site: 'cq-plant1',
      node: NODE,
      brokerUrl,
      deviceLines: [
        `  - id: ${DEVICE}`,
        '    tags: { line: press-line, kind: press }',
        `    s7: { host: ${String(listening['host'])}, port: ${Number(listening['port'])}, rack: 0, slot: 1 }`,
        '    variables:',
        '      - every: 200ms',
        '        points:',
        ...points.map((p) => `          - ${JSON.stringify(p)}`),
      ],
    });
    agent = spawnCli(['agent', '-c', agentYaml], { env: PIPELINE_ENV });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await cloud?.stop();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('every type arrives in InfluxDB with its value and field type', async () => {
    const names = points.map((p) => p.name);
    expect(names.length).toBe(17);
    const deadline = Date.now() + 90_000;
    let last: Row = {};
    for (;;) {
      const rows = await query(`SELECT * FROM telemetry WHERE device = '${DEVICE}'`);
      // the last value of each field
      last = {};
      for (const r of rows) for (const [k, v] of Object.entries(r)) if (v !== null) last[k] = v;
      if (names.every((n) => last[n] !== undefined)) break;
      if (Date.now() > deadline || agent.child.exitCode !== null || cloud.child.exitCode !== null) {
        throw new Error(
          `InfluxDB did not get every S7 metric: missing ${names.filter((n) => last[n] === undefined).join(', ')}\nagent: ${agent.stderr()}${JSON.stringify(agent.lines.slice(-8))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last).toMatchObject({
      die_name: 'DIE-4711',
      quality_grade: 'A',
      stroke_timer: 0x1234,
      die_changes: 7,
      line: 'press-line',
    });
    expect(Number(last['energy_kwh'])).toBeGreaterThan(1200);
    expect(Number(last['operating_seconds'])).toBeGreaterThan(86_400);
    // DATE_AND_TIME: epoch ms, an hour before the simulator started (BCD keeps 10 ms steps and whole ms)
    expect(Math.abs(Date.now() - 3_600_000 - Number(last['die_changed_at']))).toBeLessThan(120_000);
    const fields = await query('SHOW FIELD KEYS FROM telemetry');
    const typeOf = (k: string) => fields.find((f) => f['fieldKey'] === k)?.['fieldType'];
    expect(
      Object.fromEntries(
        [
          'running',
          'door_closed',
          'motor_on',
          'heartbeat',
          'state_code',
          'part_count',
          'operating_seconds',
        ].map((k) => [k, typeOf(k)]),
      ),
    ).toEqual({
      running: 'boolean',
      door_closed: 'boolean',
      motor_on: 'boolean',
      heartbeat: 'integer',
      state_code: 'integer',
      part_count: 'integer',
      operating_seconds: 'integer',
    });
    expect([typeOf('power_kw'), typeOf('energy_kwh'), typeOf('die_name'), typeOf('die_changed_at')]).toEqual([
      'float',
      'float',
      'string',
      'integer',
    ]);
  }, 150_000);
});
