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

describe.each(sourceComponents.map((c) => [c.name, c] as const))(
  '%s component target',
  (_name, component) => {
    it("says where its sample device is reached, with a URL's credentials redacted", () => {
      const sample = component.sample as unknown as Record<string, unknown>;
      const target = component.target(sample as never);
      expect(target.trim().length).toBeGreaterThan(3);
      // the connection section's string values are what a target is made of; put credentials into its URLs
      const conn = { ...(sample[component.configKey] as Record<string, unknown>) };
      let hadUrl = false;
      for (const [k, v] of Object.entries(conn))
        if (typeof v === 'string' && /^[a-z.]+:\/\//.test(v)) {
          conn[k] = v.replace('://', '://operator:s3cret-pw@');
          hadUrl = true;
        }
      const withSecret = component.target({ ...sample, [component.configKey]: conn } as never);
      expect(withSecret).not.toContain('s3cret-pw');
      if (hadUrl) expect(withSecret).toContain('[redacted]');
    });
  },
);
