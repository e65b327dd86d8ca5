/**
 * Golden config cases (Telegraf testcases/ style): `<dir>/<name>/config.yaml` with `expected.json` (the resolved
 * config and its secret paths) or `error.txt` (the exact ConfigError message, file paths relative to the case
 * folder). Optional `env.json` is the environment (`{caseDir}` expands to the case folder). UPDATE_GOLDEN=1
 * rewrites the expected files (review the diff!).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sourceComponents } from '../../agent/sources/registry.js';
import { ConfigError } from '../../config/errors.js';
import type { LoadedConfig, LoadOptions } from '../../config/load.js';

/** Folders (relative to the repository) with component cases: each source component's, and derive's. */
export const CASE_FOLDERS = [...sourceComponents.map((c) => c.dir), 'agent/derive'];

export interface GoldenCase {
  name: string;
  dir: string;
  /** error.txt's content, when the case is a config that must be refused */
  error?: string;
}

export function goldenCases(root: string): GoldenCase[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => statSync(join(root, n)).isDirectory())
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const errorTxt = join(dir, 'error.txt');
      return existsSync(errorTxt) ? { name, dir, error: readFileSync(errorTxt, 'utf8') } : { name, dir };
    });
}

export function caseEnv(dir: string): Record<string, string> {
  const envFile = join(dir, 'env.json');
  return existsSync(envFile) ? JSON.parse(readFileSync(envFile, 'utf8').replaceAll('{caseDir}', dir)) : {};
}

/** Loads a case and compares the outcome with its expected.json or error.txt. */
export async function checkGoldenCase(
  c: GoldenCase,
  load: (file: string, opts: LoadOptions) => Promise<LoadedConfig<unknown>>,
): Promise<void> {
  const file = join(c.dir, 'config.yaml');
  const expectedJson = join(c.dir, 'expected.json');
  const errorTxt = join(c.dir, 'error.txt');
  let outcome: { ok: true; json: string } | { ok: false; text: string };
  try {
    const loaded = await load(file, { env: caseEnv(c.dir) });
    outcome = {
      ok: true,
      json: `${JSON.stringify({ config: loaded.config, secrets: loaded.secrets }, null, 2)}\n`,
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message.split('\n')).toHaveLength(err.problems.length);
    outcome = { ok: false, text: `${err.message.replaceAll(`${c.dir}/`, '')}\n` };
  }
  if (process.env['UPDATE_GOLDEN'] === '1') {
    if (outcome.ok) writeFileSync(expectedJson, outcome.json);
    else writeFileSync(errorTxt, outcome.text);
  }
  if (existsSync(expectedJson)) {
    expect(outcome.ok ? outcome.json : outcome.text).toBe(readFileSync(expectedJson, 'utf8'));
  } else {
    expect(existsSync(errorTxt), `${c.name} needs expected.json or error.txt`).toBe(true);
    expect(outcome.ok ? outcome.json : outcome.text).toBe(readFileSync(errorTxt, 'utf8'));
  }
}
