/**
 * The config loader (`loadAgentConfig` in agent/config/load-agent-config.ts, `loadCloudConfig` in config/load.ts) on random and mutated YAML: the
 * examples and golden cases mutated by bytes and by lines, YAML syntax spliced in (anchors, aliases, merge keys,
 * tags, flow and block collections, directives), alias bombs ("billion laughs"), 10,000-deep nesting, references
 * (`${env:…}`, `${file:…}`, `${cred:…}`, including files that never end). It may return a config or throw a
 * `ConfigError` whose every problem has a position; any other exception, or no answer in time, is a crash.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { ConfigError } from '../../../config/errors.js';
import { loadCloudConfig } from '../../../config/load.js';
import { mutate } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';
import { defineTarget, expectThat } from '../harness/target.js';

interface ConfigInput {
  kind: 'agent' | 'cloud';
  text: string;
}

const MINIMAL_AGENT = `site: cq-plant1
node: line3-gw
mqtt: { url: mqtt://127.0.0.1:1883, username: gw, password: "\${env:PW}" }
outbox: { path: ':memory:' }
devices:
  - id: press-07
    tags: { line: line3 }
    modbus: { url: tcp://127.0.0.1:1502, unitId: 1, timeout: 1s }
    poll:
      - every: 500ms
        points:
          - { name: state_code, table: holding, address: 100, type: uint16 }
          - { name: power_kw, table: input, address: 0, type: float32, scale: 0.001, unit: kW }
`;

const MINIMAL_CLOUD = `broker:
  port: 1883
  users:
    - { username: gw, password: "\${env:PW}" }
mqtt: { username: gw, password: "\${file:secret.txt}", clientId: ingest-1 }
influx: { url: http://127.0.0.1:8086, database: plantpulse }
spool: { path: /tmp/never-opened }
`;

/** The repository root: the first parent holding package.json (works from the sources and from dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return existsSync(join(dir, 'package.json')) ? dir : process.cwd();
}

function yamlFiles(dir: string, depth = 0): string[] {
  if (!existsSync(dir) || depth > 3) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p, depth + 1));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Seed documents: ours above, plus every example and golden case present (their folders may move). */
const CORPUS: readonly ConfigInput[] = (() => {
  const root = repoRoot();
  const files = [
    ...yamlFiles(join(root, 'config/examples')),
    ...yamlFiles(join(root, 'tests/unit/config/cases')),
  ];
  const docs: ConfigInput[] = [
    { kind: 'agent', text: MINIMAL_AGENT },
    { kind: 'cloud', text: MINIMAL_CLOUD },
  ];
  for (const f of files)
    docs.push({ kind: /cloud/.test(f) ? 'cloud' : 'agent', text: readFileSync(f, 'utf8') });
  return docs;
})();

const TOKENS = [
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!!str ',
  '!!int ',
  '!!map ',
  '!custom ',
  '? ',
  '- ',
  ': ',
  '{',
  '}',
  '[',
  ']',
  ', ',
  '|',
  '>-',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  '"',
  "'",
  '#',
  '\t',
  '\r\n',
  '\uFEFF',
  '\u0000',
  '\\',
  '${env:PW}',
  '${env:NOPE}',
  '${env:}',
  '${file:secret.txt}',
  '${file:/dev/zero}',
  '${file:/dev/urandom}',
  '${file:.}',
  '${cred:x}',
  '${',
  '$${',
  '}',
  '~',
  'null',
  '0x1F',
  '1e999',
  '-.inf',
  '.nan',
  '2026-12-06',
  '9007199254740993',
  '__proto__',
  'constructor',
  '😀',
];

function billionLaughs(rng: Rng): string {
  const width = rng.pick([2, 5, 9, 10]);
  const levels = rng.pick([4, 6, 9, 12]);
  const lines = ['a0: &a0 ["lol"]'];
  for (let i = 1; i < levels; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`);
  }
  const key = rng.pick(['site', 'devices', 'mqtt', 'node', 'broker']);
  lines.push(`${key}: *a${levels - 1}`);
  return `${lines.join('\n')}\n`;
}

function deep(rng: Rng): string {
  const n = rng.pick([100, 1000, 10_000, 50_000]);
  switch (rng.int(4)) {
    case 0:
      return `devices: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    case 1:
      return `mqtt: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`;
    case 2:
      return Array.from({ length: Math.min(n, 2000) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    default:
      return `devices:\n${Array.from({ length: Math.min(n, 2000) }, (_, i) => `${'  '.repeat(i)}- `).join('\n')}x\n`;
  }
}

function lineMutation(rng: Rng, text: string): string {
  const lines = text.split('\n');
  const n = rng.range(1, 4);
  for (let k = 0; k < n; k++) {
    const i = rng.int(lines.length);
    const line = lines[i] ?? '';
    switch (rng.int(6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, line);
        break;
      case 2:
        lines[i] = `${' '.repeat(rng.int(6))}${line.trimStart()}`;
        break;
      case 3: {
        const at = rng.int(line.length + 1);
        lines[i] = `${line.slice(0, at)}${rng.pick(TOKENS)}${line.slice(at)}`;
        break;
      }
      case 4:
        lines[i] = line.replace(/:\s*(.*)$/, `: ${rng.pick(TOKENS)}`);
        break;
      default: {
        const j = rng.int(lines.length);
        lines[i] = lines[j] ?? '';
        lines[j] = line;
      }
    }
  }
  return lines.join('\n');
}

function generate(rng: Rng): ConfigInput {
  const base = rng.pick(CORPUS);
  const kind = rng.chance(0.9) ? base.kind : rng.pick(['agent', 'cloud'] as const);
  const text = rng.weighted<() => string>([
    [4, () => lineMutation(rng, base.text)],
    [2, () => new TextDecoder().decode(mutate(rng, new TextEncoder().encode(base.text), 8))],
    [1, () => `${base.text}\n${billionLaughs(rng)}`],
    [1, () => billionLaughs(rng)],
    [1, () => deep(rng)],
    [1, () => Array.from({ length: rng.size(40) }, () => rng.pick(TOKENS)).join(rng.pick(['', ' ', '\n']))],
    [1, () => new TextDecoder().decode(rng.bytes(rng.size(300)))],
  ])();
  return { kind, text };
}

let workDir = '';
let n = 0;
const seen = { valid: 0, invalid: 0 };
const ENV = { PW: 'change-me', EMPTY: '', CREDENTIALS_DIRECTORY: '' };

export const configYaml = defineTarget<ConfigInput>({
  name: 'config-yaml',
  summary: 'config loader (agent and cloud) on mutated YAML, alias bombs, deep nesting and odd references',
  shortCases: 1500,
  caseTimeoutMs: 5000,
  memoryBoundBytes: 48 * 1024 * 1024,
  async start(env) {
    workDir = env.workDir;
    await writeFile(join(workDir, 'secret.txt'), 's3cret\n');
  },
  generate,
  async run(input) {
    const file = join(workDir, `config-${n++ % 4}.yaml`);
    await writeFile(file, input.text);
    const load = input.kind === 'agent' ? loadAgentConfig : loadCloudConfig;
    try {
      await load(file, { env: ENV });
      seen.valid++;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      seen.invalid++;
      expectThat(err.problems.length > 0, 'config-error', () => 'a ConfigError without problems');
      for (const p of err.problems) {
        expectThat(
          Number.isInteger(p.line) && p.line >= 1 && Number.isInteger(p.column) && p.column >= 1,
          'config-position',
          () => `problem without a position: ${p.line}:${p.column} ${p.path}: ${p.message}`,
        );
        expectThat(p.message.length > 0, 'config-error', () => `problem without a message at ${p.path}`);
      }
    }
  },
  save: (x) => x,
  load: (s) => s as ConfigInput,
  *shrink(x) {
    const lines = x.text.split('\n');
    for (let chunk = Math.max(1, lines.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let i = 0; i + chunk <= lines.length; i += chunk) {
        yield { ...x, text: [...lines.slice(0, i), ...lines.slice(i + chunk)].join('\n') };
      }
    }
    for (let chunk = Math.max(1, x.text.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let i = 0; i + chunk <= x.text.length; i += chunk) {
        yield { ...x, text: x.text.slice(0, i) + x.text.slice(i + chunk) };
      }
    }
  },
  size: (x) => x.text.length,
  coverage: () => ({ ...seen }),
});
