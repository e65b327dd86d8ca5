/**
 * Config files that once crashed or hung the loader, found by the fuzzer (tests/fuzz/targets/config-yaml.ts):
 * each must now be a ConfigError with a position, quickly.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { ConfigError } from '../../../config/errors.js';
import { MAX_YAML_DEPTH, yamlNestingProblem } from '../../../config/yaml-depth.js';
import { parseYamlSource } from '../../../config/yaml-source.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plantpulse-hostile-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function problemsOf(text: string): Promise<string[]> {
  const file = join(dir, 'agent.yaml');
  await writeFile(file, text);
  const err = await loadAgentConfig(file, { env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message.split('\n').map((l) => l.replace(`${file}:`, ''));
}

describe('hostile config files', () => {
  it('a value nested 50,000 flow levels deep is refused before composing (it aborted the process)', async () => {
    const problems = await problemsOf(`devices: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(problems).toEqual([
      `1:${10 + MAX_YAML_DEPTH} YAML: nested more than ${MAX_YAML_DEPTH} levels deep`,
    ]);
  });

  it('block nesting 2,000 levels deep is refused with the line where it passes the limit', async () => {
    const text = `devices:\n${Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}- `).join('\n')}x\n`;
    const problems = await problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^6\d:\d+ YAML: nested more than 64 levels deep$/);
  });

  it('nesting up to the limit is still parsed (and then validated)', async () => {
    const ok = `site: ${'['.repeat(MAX_YAML_DEPTH - 1)}${']'.repeat(MAX_YAML_DEPTH - 1)}\n`;
    expect(yamlNestingProblem(ok)).toBeUndefined();
    expect(yamlNestingProblem(`site: ${'['.repeat(MAX_YAML_DEPTH + 1)}`)).toMatchObject({
      depth: MAX_YAML_DEPTH + 1,
    });
    const problems = await problemsOf(ok);
    expect(problems).toContain('1:7 site: must be a string, got a list');
  });

  it('${file:} of a file that never ends reads at most 1 MiB of it (it read until memory ran out)', async () => {
    const problems = await problemsOf('site: ${file:/dev/zero}\n');
    expect(problems).toContain('1:7 site: ${file:/dev/zero}: /dev/zero is larger than 1 MiB');
  });

  it('a reference inside flow nesting is not a flow collection of its own', () => {
    const text = `a: ${'['.repeat(MAX_YAML_DEPTH - 1)}\${env:X}${']'.repeat(MAX_YAML_DEPTH - 1)}`;
    expect(parseYamlSource(text, 'x.yaml').problems).toEqual([]);
  });
});
