/**
 * A DL/T 645 meter commissioned through the built CLI: `plantpulse sim dlt645` as the meter bus (a DTU over TCP),
 * `plantpulse agent --once` reading it through the registry, exactly as a user's CI would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAgentYaml } from '../helpers/agent-yaml.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';

let dir: string;
let sim: CliProcess;
let url = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-e2e-dlt645-'));
  sim = spawnCli(['sim', 'dlt645', '--meters', '000012345678,000012345679', '--power', '25', '--port', '0']);
  url = String((await sim.waitFor((l) => l.event === 'listening')).url);
});
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

const agentYaml = (devices: string[]) => writeAgentYaml(dir, 'agent.yaml', devices);

const meter = (id: string, address: string) => [
  `  - id: ${id}`,
  `    dlt645: { url: "${url}", address: "${address}", timeout: 1s }`,
  '    readings:',
  '      - every: 10s',
  '        points:',
  '          - { name: energy_kwh, di: "00010000" }',
  '          - { name: power_kw, di: "02030000" }',
  '          - { name: max_demand_kw, di: "01010000", timeName: max_demand_at }',
];

async function run(args: string[]) {
  const p = spawnCli(args);
  const code = await p.exited;
  return { code, lines: p.lines, err: p.stderr() };
}

describe('plantpulse agent --once reads DL/T 645 meters', () => {
  it('two meters on one bus: every point good, exit 0', async () => {
    const file = await agentYaml([
      ...meter('meter-press', '000012345678'),
      ...meter('meter-paint', '000012345679'),
    ]);
    const r = await run(['agent', '-c', file, '--once', '--format', 'json']);
    expect(r.err).toContain('read 2 device(s) once: 8 good, 0 uncertain, 0 bad');
    expect(r.code).toBe(0);
    const power = r.lines.filter((l) => l.metric === 'power_kw');
    expect(power).toEqual([
      expect.objectContaining({ device: 'meter-press', value: 25, unit: 'kW', quality: 'good' }),
      expect.objectContaining({ device: 'meter-paint', value: 25, unit: 'kW', quality: 'good' }),
    ]);
    expect(r.lines.find((l) => l.metric === 'energy_kwh')).toMatchObject({ unit: 'kWh', quality: 'good' });
    expect(r.lines.find((l) => l.metric === 'max_demand_at')?.value).toMatch(/^20\d\d-\d\d-\d\d \d\d:\d\d$/);
  });

  it('a meter address nobody answers: its points bad with DLT645_TIMEOUT, exit 1', async () => {
    const file = await agentYaml([
      ...meter('meter-press', '000012345678'),
      ...meter('meter-gone', '000099999999'),
    ]);
    const r = await run(['agent', '-c', file, '--once', '--format', 'json']);
    expect(r.code).toBe(1);
    const gone = r.lines.filter((l) => l.device === 'meter-gone');
    expect(gone.length).toBeGreaterThan(0);
    for (const l of gone) expect(l).toMatchObject({ quality: 'bad', value: null });
    expect(gone.map((l) => l.code)).toContain('DLT645_TIMEOUT');
    expect(r.lines.filter((l) => l.device === 'meter-press').every((l) => l.quality === 'good')).toBe(true);
  });
});
