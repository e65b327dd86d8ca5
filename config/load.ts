import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { agentSemanticChecks } from './agent-checks.js';
import { cloudSemanticChecks } from './cloud-checks.js';
import { ConfigError, type ConfigIssue, type ConfigProblem, sortProblems } from './errors.js';
import { formatKeyPath, isRecord, type KeyPath } from './key-path.js';
import { isSecretKey, secretKeyPaths } from './redact.js';
import { coerceWholeRefs } from './ref-coercion.js';
import { resolveRefs } from './refs.js';
import { schemaIssues } from './schema-problems.js';
import { AgentConfig } from './schemas/agent.js';
import { CloudConfig } from './schemas/cloud.js';
import type { SemanticCheck } from './semantic-checks.js';
import { parseYamlSource } from './yaml-source.js';

export interface LoadedConfig<T> {
  /** the validated config, references resolved, deeply frozen */
  config: T;
  /** absolute path of the file that was loaded */
  file: string;
  /** key paths (`mqtt.password`, `devices[1].opcua.user.password`) whose values came from references or sit under
   * a secret key: never print or log these values */
  secrets: string[];
}

export interface LoadOptions<T> {
  /** environment for `${env:…}` and `${cred:…}` (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** cross-field checks run once the schema passes, e.g. agentSemanticChecks */
  semantic?: SemanticCheck<T>;
}

/**
 * Loads a YAML config: parse (with positions), resolve `${env:…}`/`${file:…}`/`${cred:…}` references, validate the
 * whole tree against `schema`, run the semantic checks. Every problem found is collected and thrown as ONE
 * ConfigError (code CONFIG_INVALID) listing `file:line:column keyPath: message` lines. Reads only the config file
 * and the files it references; call it before any other I/O.
 *
 * Typing rule for references: see config/ref-coercion.ts (whole-value references become numbers or booleans
 * only where the schema wants one).
 */
export async function loadConfig<T>(
  file: string,
  schema: TSchema,
  opts: LoadOptions<T> = {},
): Promise<LoadedConfig<T>> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read config: ${why}` }], {
      cause: err,
    });
  }

  const src = parseYamlSource(text, file);
  if (src.broken) throw new ConfigError(sortProblems(src.problems));

  const refs = await resolveRefs(src.data, { env: opts.env ?? process.env, baseDir: dirname(abs) });
  const data = coerceWholeRefs(refs.data, schema, refs.sites);
  const refPaths = new Set(refs.sites.map((s) => formatKeyPath(s.path)));
  const failedRefs = new Set(refs.sites.filter((s) => !s.ok).map((s) => formatKeyPath(s.path)));
  const isSecret = (path: KeyPath) =>
    refPaths.has(formatKeyPath(path)) || path.some((seg) => isSecretKey(seg));

  // a failed reference is reported once, not again as the type error its unresolved text causes
  const notAtFailedRef = (i: ConfigIssue) => i.anchor === 'key' || !failedRefs.has(formatKeyPath(i.path));
  const issues: ConfigIssue[] = [...refs.issues];
  const fromSchema = schemaIssues(schema, data, { isSecret }).filter(notAtFailedRef);
  issues.push(...fromSchema);
  if (opts.semantic)
    issues.push(...runSemantic(opts.semantic, data as T, refPaths, fromSchema).filter(notAtFailedRef));

  const problems: ConfigProblem[] = [...src.problems];
  for (const i of issues) {
    const pos = src.locate(i.path, i.anchor ?? 'value');
    problems.push({
      file,
      line: pos.line,
      column: pos.column,
      path: formatKeyPath(i.path),
      message: i.message,
    });
  }
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));

  const secrets = [...new Set([...refPaths, ...secretKeyPaths(data)])].sort();
  return { config: deepFreeze(data) as T, file: abs, secrets };
}

/** loadConfig with the agent schema and agentSemanticChecks. */
export function loadAgentConfig(
  file: string,
  opts: Omit<LoadOptions<AgentConfig>, 'semantic'> = {},
): Promise<LoadedConfig<AgentConfig>> {
  return loadConfig<AgentConfig>(file, AgentConfig, { ...opts, semantic: agentSemanticChecks });
}

/** loadConfig with the cloud schema and cloudSemanticChecks. */
export function loadCloudConfig(
  file: string,
  opts: Omit<LoadOptions<CloudConfig>, 'semantic'> = {},
): Promise<LoadedConfig<CloudConfig>> {
  return loadConfig<CloudConfig>(file, CloudConfig, { ...opts, semantic: cloudSemanticChecks });
}

/**
 * Semantic checks assume a schema-valid tree. When the schema already failed they still run, so a user sees
 * everything at once, but a check that trips over the invalid shape is ignored, and so are its findings at or
 * under a place the schema already complained about.
 */
function runSemantic<T>(
  check: SemanticCheck<T>,
  data: T,
  refPaths: ReadonlySet<string>,
  schemaFound: readonly ConfigIssue[],
): ConfigIssue[] {
  const ctx = { fromReference: (path: KeyPath) => refPaths.has(formatKeyPath(path)) };
  let found: ConfigIssue[];
  try {
    found = check(data, ctx);
  } catch (err) {
    if (schemaFound.length > 0) return [];
    // a check that throws on a schema-valid tree is a bug in the check, but still no crash
    return [{ path: [], message: `internal error in config checks: ${String(err)}` }];
  }
  if (schemaFound.length === 0) return found;
  const within = (inner: KeyPath, outer: KeyPath) =>
    outer.length <= inner.length && outer.every((seg, i) => inner[i] === seg);
  return found.filter((f) => !schemaFound.some((s) => within(f.path, s.path)));
}

function deepFreeze<V>(v: V): V {
  if (Array.isArray(v)) {
    for (const x of v) deepFreeze(x);
    Object.freeze(v);
  } else if (isRecord(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
