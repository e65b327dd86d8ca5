/**
 * Config parity: what `plantpulse check` refuses, `plantpulse agent` refuses at start with exactly the same
 * messages, before any I/O; what check accepts, the agent starts with. The table is every golden case of every
 * source component and of derive (their `cases/` folders: `error.txt` = refused with those messages,
 * `expected.json` = accepted), plus each component's sample.yaml. Both CLIs run built, as child processes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceComponents } from '../../agent/sources/registry.js';
import { spawnCli } from '../helpers/cli-process.js';
import { CASE_FOLDERS, goldenCases } from '../helpers/golden-cases.js';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'pp-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
/** the samples' secrets come from references, as in real configs */
const env = { OPCUA_PASSWORD: 'parity-password' };

let runs = 0;
/** The config alone in a fresh folder, which is also the processes' working directory (the agent's state dir). */
function stage(file: string): string {
  const dir = join(work, `run-${runs++}`);
  mkdirSync(dir);
  copyFileSync(file, join(dir, 'config.yaml'));
  return dir;
}

async function check(dir: string): Promise<{ code: number | null; stderr: string }> {
  const p = spawnCli(['check', '-c', 'config.yaml'], { cwd: dir, env });
  const code = await p.exited;
  return { code, stderr: p.stderr() };
}

const refused = CASE_FOLDERS.flatMap((folder) =>
  goldenCases(join(ROOT, folder, 'cases'))
    .filter((c) => c.error !== undefined)
    .map((c) => ({ ...c, label: `${folder}/cases/${c.name}` })),
);
const accepted = [
  ...CASE_FOLDERS.flatMap((folder) =>
    goldenCases(join(ROOT, folder, 'cases'))
      .filter((c) => c.error === undefined)
      .map((c) => ({ label: `${folder}/cases/${c.name}`, file: join(c.dir, 'config.yaml') })),
  ),
  ...sourceComponents.map((c) => ({ label: `${c.dir}/sample.yaml`, file: join(ROOT, c.dir, 'sample.yaml') })),
];

describe('plantpulse check and plantpulse agent refuse the same configs with the same messages', () => {
  it('covers every source and derive, with the bit point and the 64-bit order among the accepted', () => {
    for (const folder of CASE_FOLDERS) expect(refused.some((c) => c.label.startsWith(folder))).toBe(true);
    expect(accepted.map((c) => c.label)).toEqual(
      expect.arrayContaining([
        'agent/sources/modbus/cases/bit-without-type',
        'agent/sources/modbus/cases/order-four-letters-any-width',
      ]),
    );
  });

  for (const c of refused) {
    it(`refuses ${c.label}`, async () => {
      const dir = stage(join(c.dir, 'config.yaml'));
      const agent = spawnCli(['agent', '-c', 'config.yaml'], { cwd: dir, env });
      const [checked, agentCode] = await Promise.all([check(dir), agent.exited]);
      const problems = (c.error ?? '').trimEnd().split('\n').length;
      expect(checked.code).toBe(2);
      expect(checked.stderr).toBe(
        `${c.error}${problems} problem${problems === 1 ? '' : 's'} in config.yaml\n`,
      );
      expect(agentCode).toBe(2);
      expect(agent.stderr()).toBe(c.error);
      // before any I/O: the agent wrote nothing (its state dir, the outbox, would be here) and logged nothing
      expect(readdirSync(dir)).toEqual(['config.yaml']);
      expect(agent.lines).toEqual([]);
    });
  }

  for (const c of accepted) {
    it(`accepts ${c.label}`, async () => {
      const dir = stage(c.file);
      const checked = await check(dir);
      expect(checked.stderr).toBe('');
      expect(checked.code).toBe(0);
      const agent = spawnCli(['agent', '-c', 'config.yaml', '--log-level', 'info'], { cwd: dir, env });
      try {
        // accepted = it started; how it stops is the lifecycle tests' business (tests/integration/agent/)
        await agent.waitFor((l) => l['msg'] === 'plantpulse agent running', 30_000);
      } finally {
        await agent.stop('SIGKILL');
      }
    });
  }
});
