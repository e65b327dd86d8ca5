import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config/errors.js';
import { loadAgentConfig, loadCloudConfig } from '../../../config/load.js';

/**
 * Golden cases (Telegraf testcases/ style): cases/<name>/config.yaml with expected.json (the resolved config and
 * its secret paths) or error.txt (the exact ConfigError message, file paths relative to the case folder).
 * Optional env.json is the environment (`{caseDir}` expands to the case folder). Cases named cloud-* use the cloud
 * schema, the rest the agent schema. UPDATE_GOLDEN=1 rewrites the expected files (review the diff!).
 */
const CASES = join(import.meta.dirname, 'cases');
const update = process.env['UPDATE_GOLDEN'] === '1';

describe('config golden cases', () => {
  const names = readdirSync(CASES)
    .filter((n) => statSync(join(CASES, n)).isDirectory())
    .sort();
  it('has both valid and invalid cases', () => {
    const valid = names.filter((n) => existsSync(join(CASES, n, 'expected.json')));
    expect(valid.length).toBeGreaterThanOrEqual(4);
    expect(names.length - valid.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of names) {
    it(name, async () => {
      const dir = join(CASES, name);
      const envFile = join(dir, 'env.json');
      const env: Record<string, string> = existsSync(envFile)
        ? JSON.parse(readFileSync(envFile, 'utf8').replaceAll('{caseDir}', dir))
        : {};
      const file = join(dir, 'config.yaml');
      const load = name.startsWith('cloud-') ? loadCloudConfig : loadAgentConfig;
      const expectedJson = join(dir, 'expected.json');
      const errorTxt = join(dir, 'error.txt');

      let outcome: { ok: true; json: string } | { ok: false; text: string };
      try {
        const loaded = await load(file, { env });
        outcome = {
          ok: true,
          json: `${JSON.stringify({ config: loaded.config, secrets: loaded.secrets }, null, 2)}\n`,
        };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        expect(err.code).toBe('CONFIG_INVALID');
        expect(err.message.split('\n')).toHaveLength(err.problems.length);
        outcome = { ok: false, text: `${err.message.replaceAll(`${dir}/`, '')}\n` };
      }

      if (update) {
        if (outcome.ok) writeFileSync(expectedJson, outcome.json);
        else writeFileSync(errorTxt, outcome.text);
      }
      if (existsSync(expectedJson)) {
        expect(outcome.ok ? outcome.json : outcome.text).toBe(readFileSync(expectedJson, 'utf8'));
      } else {
        expect(existsSync(errorTxt), `${name} needs expected.json or error.txt`).toBe(true);
        expect(outcome.ok ? outcome.json : outcome.text).toBe(readFileSync(errorTxt, 'utf8'));
      }
    });
  }
});
