import { open } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ConfigIssue } from './errors.js';
import { isRecord, type KeyPath } from './key-path.js';

/**
 * Secret and environment references inside string values (docs/architecture.md#configuration):
 *
 * - `${env:NAME}`   the environment variable NAME (must be set; an empty value is allowed)
 * - `${file:path}`  a file's content, path relative to the config file's directory, trailing newlines trimmed
 * - `${cred:NAME}`  a systemd credential: `$CREDENTIALS_DIRECTORY/NAME` (LoadCredential=), trimmed like a file
 * - `$${`           a literal `${`
 *
 * A reference may be the whole value or embedded (`http://${env:HOST}:8086`). Keys are never substituted.
 */
export interface ResolvedRefs {
  /** the tree with every reference replaced (a failed reference leaves its string untouched) */
  data: unknown;
  issues: ConfigIssue[];
  /** every value that contains a reference, with whether the reference was the whole value */
  sites: RefSite[];
}

export interface RefSite {
  path: KeyPath;
  whole: boolean;
  ok: boolean;
}

export interface RefOptions {
  env: NodeJS.ProcessEnv;
  /** directory `${file:…}` paths are relative to */
  baseDir: string;
}

type Token = { lit: string } | { kind: 'env' | 'file' | 'cred'; arg: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CRED_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const MAX_FILE_BYTES = 1024 * 1024;

/** Parses one string into literal pieces and references, or explains why it cannot. */
export function parseRefs(s: string): Token[] | string {
  const tokens: Token[] = [];
  let lit = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      lit += '${';
      i += 3;
      continue;
    }
    if (!s.startsWith('${', i)) {
      lit += s[i];
      i++;
      continue;
    }
    const end = s.indexOf('}', i + 2);
    if (end < 0)
      return `unterminated reference: \`\${\` without \`}\` (write \`$\${\` for a literal \`\${\`)`;
    const body = s.slice(i + 2, end);
    const colon = body.indexOf(':');
    const kind = colon < 0 ? body : body.slice(0, colon);
    const arg = colon < 0 ? '' : body.slice(colon + 1);
    if (kind !== 'env' && kind !== 'file' && kind !== 'cred') {
      return `unknown reference \`\${${kind}…}\`: use \${env:NAME}, \${file:path} or \${cred:NAME} (write $\${ for a literal \${)`;
    }
    if (kind === 'env' && !ENV_NAME.test(arg))
      return `\${env:…} needs a variable name, got ${JSON.stringify(arg)}`;
    if (kind === 'cred' && !CRED_NAME.test(arg))
      return `\${cred:…} needs a credential name, got ${JSON.stringify(arg)}`;
    if (kind === 'file' && arg === '') return `\${file:…} needs a path`;
    if (lit !== '') tokens.push({ lit });
    lit = '';
    tokens.push({ kind, arg });
    i = end + 1;
  }
  if (lit !== '' || tokens.length === 0) tokens.push({ lit });
  return tokens;
}

/** Replaces every reference in the tree. Problems come back as values with their key paths; nothing throws. */
export async function resolveRefs(data: unknown, opts: RefOptions): Promise<ResolvedRefs> {
  const issues: ConfigIssue[] = [];
  const sites: RefSite[] = [];
  const files = new Map<string, Promise<string | { error: string }>>();
  const readOnce = (abs: string) => {
    let p = files.get(abs);
    if (!p) {
      p = readSecretFile(abs);
      files.set(abs, p);
    }
    return p;
  };

  const resolveString = async (s: string, path: KeyPath): Promise<string> => {
    if (!s.includes('${')) return s;
    const tokens = parseRefs(s);
    if (typeof tokens === 'string') {
      issues.push({ path, message: tokens });
      sites.push({ path, whole: false, ok: false });
      return s;
    }
    const refs = tokens.filter((t) => 'kind' in t);
    if (refs.length === 0) return tokens.map((t) => ('lit' in t ? t.lit : '')).join('');
    let ok = true;
    const parts: string[] = [];
    for (const t of tokens) {
      if ('lit' in t) {
        parts.push(t.lit);
        continue;
      }
      const value = await resolveOne(t, opts, readOnce);
      if (typeof value === 'string') parts.push(value);
      else {
        ok = false;
        issues.push({ path, message: value.error });
      }
    }
    sites.push({ path, whole: tokens.length === 1, ok });
    return ok ? parts.join('') : s;
  };

  const walk = async (node: unknown, path: KeyPath): Promise<unknown> => {
    if (typeof node === 'string') return resolveString(node, path);
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const [i, v] of node.entries()) out.push(await walk(v, [...path, i]));
      return out;
    }
    if (isRecord(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = await walk(v, [...path, k]);
      return out;
    }
    return node;
  };

  const resolved = await walk(data, []);
  return { data: resolved, issues, sites };
}

async function resolveOne(
  t: { kind: 'env' | 'file' | 'cred'; arg: string },
  opts: RefOptions,
  readOnce: (abs: string) => Promise<string | { error: string }>,
): Promise<string | { error: string }> {
  if (t.kind === 'env') {
    const v = opts.env[t.arg];
    return v === undefined ? { error: `\${env:${t.arg}}: environment variable ${t.arg} is not set` } : v;
  }
  if (t.kind === 'cred') {
    const dir = opts.env['CREDENTIALS_DIRECTORY'];
    if (dir === undefined || dir === '') {
      return {
        error: `\${cred:${t.arg}}: CREDENTIALS_DIRECTORY is not set (run under systemd with LoadCredential=${t.arg}:…)`,
      };
    }
    const got = await readOnce(join(dir, t.arg));
    return typeof got === 'string' ? got : { error: `\${cred:${t.arg}}: ${got.error}` };
  }
  const abs = isAbsolute(t.arg) ? t.arg : resolve(opts.baseDir, t.arg);
  const got = await readOnce(abs);
  return typeof got === 'string' ? got : { error: `\${file:${t.arg}}: ${got.error}` };
}

/**
 * At most `max` + 1 bytes of a file: a file that never ends (`/dev/zero`, `/dev/urandom`) is read only that far, not
 * until memory runs out (found by the fuzzer, tests/fuzz/targets/config-yaml.ts).
 */
async function readAtMost(abs: string, max: number): Promise<Buffer> {
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) {
      got = (await fh.read(buf, n, buf.length - n, null)).bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

async function readSecretFile(abs: string): Promise<string | { error: string }> {
  try {
    const buf = await readAtMost(abs, MAX_FILE_BYTES);
    if (buf.length > MAX_FILE_BYTES) return { error: `${abs} is larger than 1 MiB` };
    return buf.toString('utf8').replace(/[\r\n]+$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
    };
    return { error: `cannot read ${abs}: ${why[code] ?? code}` };
  }
}
