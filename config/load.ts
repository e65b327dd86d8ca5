import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { StaticDecode, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError, type ConfigIssue, type ConfigProblem, sortProblems } from './errors.js';
import { formatKeyPath, isRecord, type KeyPath } from './key-path.js';
import { isSecretKey, secretKeyPaths } from './redact.js';
import { coerceWholeRefs } from './ref-coercion.js';
import { resolveRefs } from './refs.js';
import { schemaIssues } from './schema-problems.js';
import { CloudConfig } from './schemas/cloud.js';
import { runSectionChecks } from './section-checks.js';
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

export interface LoadOptions {
  /** environment for `${env:…}` and `${cred:…}` (default process.env) */
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads a YAML config: parse (with positions), resolve `${env:…}`/`${file:…}`/`${cred:…}` references, validate the
 * whole tree against `schema`, run the checks attached to its sections (config/spec.ts), and resolve it: defaults
 * filled in, durations in milliseconds, sizes in bytes. Every problem found is collected and thrown as ONE
 * ConfigError (code CONFIG_INVALID) listing `file:line:column keyPath: message` lines. Reads only the config file
 * and the files it references; call it before any other I/O.
 *
 * Typing rule for references: see config/ref-coercion.ts (whole-value references become numbers or booleans
 * only where the schema wants one).
 */
export async function loadConfig<S extends TSchema>(
  file: string,
  schema: S,
  opts: LoadOptions = {},
): Promise<LoadedConfig<StaticDecode<S>>> {
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
  issues.push(
    ...runSectionChecks(schema, data, { refPaths, schemaIssues: fromSchema }).filter(notAtFailedRef),
  );

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
  return { config: deepFreeze(decode(schema, data, file)), file: abs, secrets };
}

/**
 * The same validation, checks and resolution for a config built in code (tests, generated configs): the value as
 * it would be written in a file → the resolved config, or a ConfigError whose problems have no position. Nothing
 * here was written in a file, so the rules about secrets written in files (a plain broker password must come from
 * a reference) do not apply: every value counts as coming from a reference.
 */
export function resolveConfig<S extends TSchema>(
  schema: S,
  value: unknown,
  label = 'config',
): StaticDecode<S> {
  const fromSchema = schemaIssues(schema, value);
  const issues = [
    ...fromSchema,
    ...runSectionChecks(schema, value, { refPaths: 'all', schemaIssues: fromSchema }),
  ];
  if (issues.length > 0) {
    throw new ConfigError(
      sortProblems(
        issues.map((i) => ({
          file: label,
          line: 0,
          column: 0,
          path: formatKeyPath(i.path),
          message: i.message,
        })),
      ),
    );
  }
  return deepFreeze(decode(schema, value, label));
}

/** A resolved config written back in file form (durations as `1s`, sizes as `256MiB`), defaults included. */
export function encodeConfig<S extends TSchema>(schema: S, resolved: StaticDecode<S>): unknown {
  return Value.Encode(schema, structuredClone(resolved));
}

function decode<S extends TSchema>(schema: S, data: unknown, file: string): StaticDecode<S> {
  try {
    return Value.Decode(schema, data);
  } catch (err) {
    // the schema passed, so this is a bug of ours (a check and the decoder disagree): say so, never crash silently
    throw new ConfigError(
      [
        {
          file,
          line: 0,
          column: 0,
          path: '',
          message: `internal error resolving the config: ${String(err)}`,
        },
      ],
      { cause: err },
    );
  }
}

/** loadConfig with the cloud schema (its checks are attached to its sections). */
export function loadCloudConfig(file: string, opts: LoadOptions = {}): Promise<LoadedConfig<CloudConfig>> {
  return loadConfig(file, CloudConfig, opts);
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
