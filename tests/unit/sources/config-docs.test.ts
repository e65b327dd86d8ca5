/**
 * docs/configuration.md and every source's sample.yaml are generated from the specs (`npm run docs:config`): the
 * committed files must be exactly what the generator writes, so a setting added to a spec without regenerating
 * (or a hand edit) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceComponents } from '../../../agent/sources/registry.js';
import { configDocs } from '../../../scripts/docs/config-docs.js';

const ROOT = join(import.meta.dirname, '../../..');
const files = configDocs();

describe('generated configuration docs', () => {
  it('cover the reference and one sample per source component', () => {
    expect(Object.keys(files).sort()).toEqual(
      ['docs/configuration.md', ...sourceComponents.map((c) => `${c.dir}/sample.yaml`)].sort(),
    );
  });

  for (const [file, content] of Object.entries(files)) {
    it(`${file} is what npm run docs:config writes`, () => {
      expect(readFileSync(join(ROOT, file), 'utf8'), `${file} is stale: run npm run docs:config`).toBe(
        content,
      );
    });
  }

  it('document every key with a description', () => {
    const undocumented = files['docs/configuration.md']
      ?.split('\n')
      .filter((l) => l.startsWith('| `') && l.trimEnd().endsWith('|  |'));
    expect(undocumented).toEqual([]);
  });
});
