/**
 * node-snap7 is optional (it builds from source): where it is missing, `plantpulse sim s7` says what it needs and
 * exits 1, and the scenario (what the demo runs) starts every other device, prints why the S7 press is absent and
 * writes an agent config without it. A preload makes the module unresolvable, as on a gateway without a compiler.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundledScenarioPath } from '../../simulators/scenario/load-scenario.js';
import { spawnCli } from '../helpers/cli-process.js';

const HIDE = fileURLToPath(new URL('../fixtures/s7/hide-node-snap7.cjs', import.meta.url));
const env = { NODE_OPTIONS: `--require ${HIDE}` };

describe('without node-snap7', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-no-snap7-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plantpulse sim s7 says it needs node-snap7 and exits 1', async () => {
    const sim = spawnCli(['sim', 's7', '--profile', 'cnc'], { env });
    expect(await sim.exited).toBe(1);
    expect(sim.stderr()).toContain('S7_SIM_NEEDS_SNAP7: the S7 simulator needs node-snap7');
  });

  it('the scenario runs without its S7 press, says why, and the agent config leaves it out', async () => {
    const file = join(dir, 'devices.yaml');
    const sim = spawnCli(['sim', '-s', bundledScenarioPath(), '--speed', '30', '--agent-config', file], {
      env,
    });
    try {
      const skipped = await sim.waitFor((l) => l.event === 'skipped');
      expect(skipped).toMatchObject({
        id: 'press-02',
        reason: expect.stringContaining('S7_SIM_NEEDS_SNAP7'),
      });
      await sim.waitFor((l) => l.event === 'agent-config');
      const ids = sim.lines.filter((l) => l.event === 'listening').map((l) => l['id']);
      expect(ids).toContain('press-01');
      expect(ids).not.toContain('press-02');
      const devices = parse(await readFile(file, 'utf8')) as { devices: { id: string }[] };
      expect(devices.devices.map((d) => d.id)).not.toContain('press-02');
      // every agent device of the bundled scenario (17, tests/e2e/sim-scenario.test.ts) but the S7 press
      expect(devices.devices).toHaveLength(16);
    } finally {
      await sim.stop();
    }
  });
});
