/**
 * An FX5U through the whole pipeline (issue 18): `plantpulse sim mc` (the press profile: one point of every type and
 * of every device an FX5U has) → `plantpulse agent` (MC 3E binary over TCP, Sparkplug B over MQTT) → `plantpulse
 * cloud` (embedded broker, host, InfluxDB writer) → InfluxDB. Every metric arrives with its value and field type.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { PIPELINE_ENV, startPipelineCloud, writePipelineAgentYaml } from '../helpers/pipeline-processes.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { until } from '../helpers/until.js';

const NODE = 'press-gw';
const DEVICE = 'press-fx5u';

type Row = Record<string, unknown>;

describe('FX5U press: MC simulator → agent → MQTT → cloud → InfluxDB', () => {
  let dir: string;
  let db: string;
  let sim: CliProcess;
  let cloud: CliProcess;
  let agent: CliProcess;
  const query = (q: string) => queryInfluxQL(influxUrl(), { db, q });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-mc-'));
    db = await freshDatabase('e2e_mc');
    sim = spawnCli(['sim', 'mc', '--profile', 'press', '--series', 'iQ-F', '--port', '0']);
    const listening = await sim.waitFor((l) => l.event === 'listening');
    let brokerUrl: string;
    ({ cloud, brokerUrl } = await startPipelineCloud(dir, { node: NODE, db, clientId: 'e2e-mc-ingest' }));
    // the points the simulator printed, as a user pastes them (JSON is YAML)
    const agentYaml = await writePipelineAgentYaml(dir, {
      site: 'cq-stamping',
      node: NODE,
      brokerUrl,
      deviceLines: [
        `  - id: ${DEVICE}`,
        `    mc: { url: "${String(listening['url'])}", series: iQ-F, format: binary, timeout: 1s }`,
        '    mcPoll:',
        '      - every: 200ms',
        `        points: ${JSON.stringify(listening['points'])}`,
      ],
    });
    agent = spawnCli(['agent', '-c', agentYaml], { env: PIPELINE_ENV });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([agent?.stop(), cloud?.stop(), sim?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores every type with its value and field type', async () => {
    const want = [
      'state_code',
      'part_count',
      'power_kw',
      'running',
      'guard_closed',
      'die_id',
      'die_temp_c',
      'ram_offset_um',
      'energy_kwh',
      'lifetime_strokes',
      'stroke_time_ms',
      'strokes_since_lube',
      'recipe_no',
      'line_speed_spm',
      'scan_time_ms',
      'auto_mode',
      'lube_ok',
      'link_ok',
      'always_on',
    ];
    const last: Row = await until(
      'every MC metric in InfluxDB',
      async () => {
        if (agent.child.exitCode !== null) throw new Error(`the agent exited: ${agent.stderr()}`);
        const rows = await query(`SELECT LAST(*) FROM telemetry WHERE device = '${DEVICE}'`);
        const row = rows[0];
        return row !== undefined && want.every((k) => row[`last_${k}`] != null) ? row : undefined;
      },
      90_000,
      250,
    );
    const v = (k: string) => last[`last_${k}`];
    expect(v('guard_closed')).toBe(true);
    expect(v('auto_mode')).toBe(true);
    expect(v('always_on')).toBe(true);
    expect(v('die_id')).toBe('DIE-0042');
    expect(v('ram_offset_um')).toBe(-125);
    expect(v('lifetime_strokes')).toBe(3_000_000_000);
    expect(v('stroke_time_ms')).toBe(1850);
    expect(v('strokes_since_lube')).toBe(420);
    expect(v('recipe_no')).toBe(12);
    expect(v('line_speed_spm')).toBe(15);
    expect(v('scan_time_ms')).toBe(3);
    expect(Number(v('die_temp_c'))).toBeGreaterThanOrEqual(42);
    expect(Number(v('die_temp_c'))).toBeLessThanOrEqual(48);
    expect(Number(v('energy_kwh'))).toBeGreaterThanOrEqual(1520.25);
    expect([1, 2, 3]).toContain(v('state_code'));
    expect(Number(v('power_kw'))).toBeGreaterThan(0);

    const fields = await query('SHOW FIELD KEYS FROM telemetry');
    const typeOf = (k: string) => fields.find((f) => f['fieldKey'] === k)?.['fieldType'];
    expect(typeOf('running')).toBe('boolean');
    expect(typeOf('die_id')).toBe('string');
    expect(typeOf('part_count')).toBe('integer');
    expect(typeOf('lifetime_strokes')).toBe('integer');
    expect(typeOf('power_kw')).toBe('float');
    expect(typeOf('energy_kwh')).toBe('float');
    expect(typeOf('die_temp_c')).toBe('float');
  }, 180_000);
});
