/**
 * Commissioning through the built CLI, as a user's CI would run it: `plantpulse sim` as the device,
 * `plantpulse agent --once` (exit 0 all good, 1 a dead device, 2 a config error printed like `plantpulse check`) and
 * `plantpulse probe` (JSON per start address and the config line), each a child process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAgentYaml } from '../helpers/agent-yaml.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { refusedUrl } from '../integration/commission/commission-fixture.js';

let dir: string;
let sim: CliProcess;
let url = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-e2e-commission-'));
  sim = spawnCli(['sim', '--profile', 'press', '--port', '0']);
  url = String((await sim.waitFor((l) => l.event === 'listening')).url);
});
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

const agentYaml = (name: string, devices: string[]) => writeAgentYaml(dir, name, devices);

const PRESS = (u: string) => [
  '  - id: press-07',
  `    modbus: { url: "${u}", unitId: 1, timeout: 1s }`,
  '    poll:',
  '      - every: 500ms',
  '        points:',
  '          - { name: state_code, table: holding, address: 100, type: uint16 }',
  '          - { name: part_count, table: holding, address: 102, type: uint32, order: CDAB }',
  '          - { name: power_kw, table: input, address: 0, type: float32, scale: 0.001, unit: kW }',
];

async function run(
  args: string[],
): Promise<{ code: number | null; lines: Record<string, unknown>[]; err: string }> {
  const p = spawnCli(args);
  const code = await p.exited;
  return { code, lines: p.lines, err: p.stderr() };
}

describe('plantpulse agent --once and probe, as child processes', () => {
  it('agent --once --format json: every point good, JSON lines only on stdout, exit 0', async () => {
    const file = await agentYaml('agent.yaml', PRESS(url));
    const r = await run(['agent', '-c', file, '--once', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    expect(r.lines.map((l) => l.metric)).toEqual(['state_code', 'part_count', 'power_kw']);
    for (const l of r.lines)
      expect(l, String(l.metric)).toMatchObject({ device: 'press-07', quality: 'good' });
    expect([1, 2, 3]).toContain(r.lines[0]?.value);
    expect(r.lines[2]).toMatchObject({ unit: 'kW', value: expect.any(Number) });
    expect(r.err).toContain('read 1 device(s) once: 3 good, 0 uncertain, 0 bad');
  });

  it('agent --once: a dead device exits 1 and is reported unreachable', async () => {
    const file = await agentYaml('dead.yaml', PRESS(await refusedUrl()));
    const r = await run(['agent', '-c', file, '--once']);
    expect(r.code).toBe(1);
    expect(String(r.lines[0]?.raw)).toMatch(
      /^press-07 · tcp:\/\/127\.0\.0\.1:\d+ unit 1 · UNREACHABLE MODBUS_CONNECT: /,
    );
    expect(r.err).toMatch(/unreachable: press-07$/m);
  });

  it('agent --once: a config error exits 2 with what plantpulse check prints', async () => {
    const file = await agentYaml(
      'typo.yaml',
      PRESS(url).map((l) => l.replace('uint32', 'unit32')),
    );
    const once = await run(['agent', '-c', file, '--once']);
    const check = await run(['check', '-c', file]);
    expect(once.code).toBe(2);
    expect(check.code).toBe(2);
    expect(once.err).toBe(check.err);
    expect(once.err).toContain('devices[0].poll[0].points[1].type: must be one of');
    expect(once.lines).toEqual([]);
  });

  it('probe --format json: one object per start address and the config line of --as', async () => {
    const r = await run(['probe', url, '40101', '--count', '4', '--format', 'json', '--as', 'uint32:CDAB']);
    expect(r.code, r.err).toBe(0);
    expect(r.lines.map((l) => l.address)).toEqual([100, 101, 102, 103, undefined]);
    expect(r.lines[0]).toMatchObject({ table: 'holding', number: 101, reference: '40101' });
    expect([1, 2, 3]).toContain((r.lines[0]?.uint16 as { ABCD: number } | undefined)?.ABCD);
    expect(r.lines[4]).toMatchObject({
      as: 'uint32:CDAB',
      config: '- { name: holding_100, table: holding, address: 100, type: uint32, order: CDAB }',
    });
  });
});
