/**
 * Runs the checks attached to sections (config/spec.ts `Section(…, { check })`, `withCheck`) over a config tree.
 * A check sees its section resolved (defaults filled, durations in ms), so it runs only where the schema found
 * nothing wrong at or under the section; sections elsewhere in the tree still get checked, so a user sees every
 * problem at once. Issue paths come back absolute.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ConfigIssue } from './errors.js';
import { formatKeyPath, isRecord, type KeyPath } from './key-path.js';
import { type CheckContext, checkOf } from './spec.js';

export interface RunChecksOptions {
  /** key paths (formatted) whose values came from references; 'all' for a config built in code */
  refPaths: ReadonlySet<string> | 'all';
  /** problems the schema found: no check runs on a section at or above one of these */
  schemaIssues: readonly ConfigIssue[];
}

export function runSectionChecks(schema: TSchema, data: unknown, opts: RunChecksOptions): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const broken = opts.schemaIssues.filter((i) => !i.soft).map((i) => i.path);
  const isValidAt = (path: KeyPath) =>
    !broken.some((b) => b.length >= path.length && path.every((seg, i) => b[i] === seg));

  const visit = (s: TSchema, value: unknown, path: KeyPath): void => {
    if (value === undefined) return;
    const check = checkOf(s);
    if (check && isValidAt(path)) {
      const ctx: CheckContext = {
        fromReference: (rel) =>
          opts.refPaths === 'all' || opts.refPaths.has(formatKeyPath([...path, ...rel])),
      };
      let found: ConfigIssue[];
      try {
        found = check(Value.Decode(s, value), ctx);
      } catch (err) {
        // a check that throws on a schema-valid section is a bug in the check, but still no crash
        found = [{ path: [], message: `internal error in config checks: ${String(err)}` }];
      }
      for (const f of found) out.push({ ...f, path: [...path, ...f.path] });
    }
    const anyOf = s['anyOf'] as TSchema[] | undefined;
    if (anyOf) {
      // the branch the value matches; none: the schema already reported it
      const branch = anyOf.find((b) => Value.Check(b, value));
      if (branch) visit(branch, value, path);
      return;
    }
    for (const [child, childValue, seg] of children(s, value)) visit(child, childValue, [...path, seg]);
  };
  visit(schema, data, []);
  return out;
}

/** The sub-schemas that apply to each part of `value`. */
function children(s: TSchema, value: unknown): [TSchema, unknown, string | number][] {
  if (Array.isArray(value)) {
    const items = s['items'] as TSchema | undefined;
    return items ? value.map((v, i): [TSchema, unknown, number] => [items, v, i]) : [];
  }
  if (!isRecord(value)) return [];
  const out: [TSchema, unknown, string][] = [];
  const props = (s['properties'] as Record<string, TSchema> | undefined) ?? {};
  const patterns = Object.entries((s['patternProperties'] as Record<string, TSchema> | undefined) ?? {});
  for (const [k, v] of Object.entries(value)) {
    const prop = props[k];
    if (prop) {
      out.push([prop, v, k]);
      continue;
    }
    const pattern = patterns.find(([re]) => new RegExp(re).test(k));
    if (pattern) out.push([pattern[1], v, k]);
  }
  return out;
}
