/**
 * Every source component (agent/sources/registry.ts) and the derive section keep golden cases in their folder
 * (`cases/<name>/config.yaml` + `error.txt` or `expected.json`, tests/helpers/golden-cases.ts), loaded here with
 * the agent's loader: the same function `plantpulse check` and `plantpulse agent` run (tests/e2e/config-parity.test.ts
 * runs the refused ones through both CLIs). The component's sample.yaml must load too.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { sourceComponents } from '../../../agent/sources/registry.js';
import { CASE_FOLDERS, checkGoldenCase, goldenCases } from '../../helpers/golden-cases.js';

const ROOT = join(import.meta.dirname, '../../..');

describe.each(CASE_FOLDERS)('%s', (folder) => {
  const cases = goldenCases(join(ROOT, folder, 'cases'));

  it('has cases a config must pass and cases it must be refused for', () => {
    expect(cases.filter((c) => c.error === undefined).length).toBeGreaterThanOrEqual(1);
    expect(cases.filter((c) => c.error !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  for (const c of cases) it(`cases/${c.name}`, () => checkGoldenCase(c, loadAgentConfig));
});

describe.each(sourceComponents.map((c) => [c.name, c.dir] as const))('%s component folder', (_name, dir) => {
  it('has its README and a sample.yaml that loads', async () => {
    expect(existsSync(join(ROOT, dir, 'README.md'))).toBe(true);
    // samples take secrets from references, as real configs do
    const env = { OPCUA_PASSWORD: 'sample-password', MQTT_PASSWORD: 'sample-password' };
    const { config } = await loadAgentConfig(join(ROOT, dir, 'sample.yaml'), { env });
    expect(config.devices.length).toBeGreaterThan(0);
  });
});
