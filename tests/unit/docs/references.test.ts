/**
 * Every document the repository cites is in the repository: `*.md` paths in code comments, docs and READMEs,
 * relative Markdown links and their #anchors. Design notes kept outside the repository are never cited; their facts
 * live in docs/architecture.md with their public sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkReferences,
  FOREIGN_DOCS,
  formatProblems,
  githubSlug,
  headingAnchors,
  type Repo,
  type RepoFile,
} from './doc-references.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Not part of the repository's content: dependencies, build and tool output, git's own files. */
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'coverage', '.tmp', 'test-artifacts']);
const SKIP_PATHS = new Set([
  'bench/results',
  'package-lock.json',
  // the checker and this test name broken and foreign references on purpose, as fixtures
  'tests/unit/docs/doc-references.ts',
  'tests/unit/docs/references.test.ts',
]);
const TEXT = /\.(ts|js|mjs|cjs|md|ya?ml|json|proto|html|css|sh|txt)$/;

function walkRepo(): Repo {
  const paths = new Set<string>();
  const files: RepoFile[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      const rel = relative(ROOT, abs).split(sep).join('/');
      if (SKIP_DIRS.has(e.name) && e.isDirectory()) continue;
      if (e.isDirectory()) {
        if (SKIP_PATHS.has(rel)) continue;
        paths.add(rel);
        walk(abs);
      } else if (e.isFile()) {
        paths.add(rel);
        if (TEXT.test(e.name) && !SKIP_PATHS.has(rel))
          files.push({ path: rel, text: readFileSync(abs, 'utf8') });
      }
    }
  };
  walk(ROOT);
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  return { files, paths, markdown: (p) => byPath.get(p) };
}

/** An in-memory repository for the checker's own cases. */
function fixture(files: Record<string, string>, extraPaths: string[] = []): Repo {
  const list = Object.entries(files).map(([path, text]) => ({ path, text }));
  const paths = new Set<string>(extraPaths);
  for (const f of list) {
    paths.add(f.path);
    for (let d = f.path; d.includes('/'); ) {
      d = d.slice(0, d.lastIndexOf('/'));
      paths.add(d);
    }
  }
  return { files: list, paths, markdown: (p) => files[p] };
}

const ARCH = '# Architecture\n\n## Delivery contract\n\n## InfluxDB schema\n\n```sh\n# not a heading\n```\n';

describe('documents the repository cites', () => {
  it('all exist in the repository, with every #anchor a heading of its target', () => {
    const repo = walkRepo();
    expect(repo.files.length).toBeGreaterThan(100);
    expect(repo.paths.has('docs/architecture.md')).toBe(true);
    expect(formatProblems(checkReferences(repo))).toBe('');
  });

  it('the README links the architecture page', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = readme.includes('](docs/architecture.md)');
    expect(linked, 'README.md has no link to docs/architecture.md').toBe(true);
  });
});

describe('the reference checker', () => {
  it('accepts paths from the root or the citing folder, relative links, and anchors that exist', () => {
    const repo = fixture({
      'docs/architecture.md': ARCH,
      'docs/kpi.md':
        'See [delivery](architecture.md#delivery-contract) and `docs/architecture.md#influxdb-schema`.',
      'cloud/x.ts': '// the schema: docs/architecture.md#influxdb-schema (also docs/kpi.md)\n',
      'README.md': '[arch](docs/architecture.md) · [top](#readme) · [dir](cloud/)\n\n# Readme\n',
    });
    expect(checkReferences(repo)).toEqual([]);
  });

  it('reports a path to a Markdown file that is not in the repository, with its line', () => {
    const repo = fixture({
      'docs/architecture.md': ARCH,
      'cloud/x.ts': '/**\n * Details: docs/deliverys.md\n */\n',
    });
    expect(checkReferences(repo)).toEqual([
      {
        file: 'cloud/x.ts',
        line: 2,
        ref: 'docs/deliverys.md',
        message: 'names a file that is not in the repository',
      },
    ]);
  });

  it('reports a broken relative link in Markdown, resolved from the linking file', () => {
    const repo = fixture({
      'docs/architecture.md': ARCH,
      // from docs/, `docs/architecture.md` would be docs/docs/architecture.md
      'docs/kpi.md': 'intro\n\n[the design](docs/architecture.md) and [bench](../bench/)\n',
    });
    const problems = checkReferences(repo);
    expect(problems.map((p) => [p.line, p.ref])).toEqual([
      [3, 'docs/architecture.md'],
      [3, '../bench/'],
    ]);
  });

  it('reports an #anchor that is no heading of its target (code blocks are not headings)', () => {
    const repo = fixture({
      'docs/architecture.md': ARCH,
      'agent/a.ts': '// docs/architecture.md#delivery\n// docs/architecture.md#not-a-heading\n',
      'README.md': '[x](#missing)\n',
    });
    expect(checkReferences(repo).map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([
      'agent/a.ts:1 docs/architecture.md has no heading for #delivery',
      'agent/a.ts:2 docs/architecture.md has no heading for #not-a-heading',
      'README.md:1 README.md has no heading for #missing',
    ]);
  });

  it('reports every design note kept outside the repository, bare or with a folder', () => {
    const [design, conventions, reliability] = FOREIGN_DOCS;
    const repo = fixture({
      'cloud/x.ts': `// promised in ${design} §6\n// (${conventions} "small interfaces")\n`,
      'docs/d.md': `Sources in reference/${reliability} §1.5 and ../shared/reference/${reliability}.\n`,
      'tests/t.ts': '// contract suites (CONVENTIONS: one suite per interface), see DESIGN §7\n',
    });
    const problems = checkReferences(repo);
    expect(problems.map((p) => `${p.file}:${p.line} ${p.ref}`)).toEqual([
      `cloud/x.ts:1 ${design}`,
      `cloud/x.ts:2 ${conventions}`,
      `docs/d.md:1 reference/${reliability}`,
      `docs/d.md:1 ../shared/reference/${reliability}`,
      'docs/d.md:1 shared/reference',
      'tests/t.ts:1 CONVENTIONS:',
      'tests/t.ts:1 DESIGN §',
    ]);
  });

  it('allows a design note once the repository has it, and skips generated output', () => {
    const [design] = FOREIGN_DOCS;
    const repo = fixture({
      [design as string]: '# Design\n',
      'cloud/x.ts': `// ${design}; the report goes to test-artifacts/flakes/flakes.md\n`,
    });
    expect(checkReferences(repo)).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(githubSlug('Delivery: what happens when…')).toBe('delivery-what-happens-when');
    expect(githubSlug('Agent outbox (`agent/outbox/`)')).toBe('agent-outbox-agentoutbox');
    expect(githubSlug("The line's physical limit")).toBe('the-lines-physical-limit');
    expect(githubSlug('Small interfaces, one runner')).toBe('small-interfaces-one-runner');
    expect(githubSlug('工厂总览 Overview')).toBe('工厂总览-overview');
    expect([...headingAnchors('# A\n## B\n## B\n```\n# C\n```\n<a id="x"></a>\n')]).toEqual([
      'a',
      'b',
      'b-1',
      'x',
    ]);
  });
});
