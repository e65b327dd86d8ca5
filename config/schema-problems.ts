import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigIssue } from './errors.js';
import { type KeyPath, keyPathFromPointer } from './key-path.js';
import { parseDuration } from './units.js';

/**
 * Schema validation with readable problems. ajv (allErrors, strict) checks the whole tree; its raw errors are
 * reduced to one clear message per location: a union of literals becomes "must be one of …", a union of objects
 * reports only the branch the value most looks like, unknown keys suggest the closest allowed key.
 */

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, coerceTypes: false, useDefaults: false });
// annotations of config/spec.ts: `unit` and `defaultText` document a key, `expects` phrases what a type accepts
ajv.addVocabulary(['unit', 'defaultText', 'expects']);
// `minDuration: 10ms` on a Duration (DurationAtLeast): checked here so it is reported like any schema problem
ajv.addKeyword({
  keyword: 'minDuration',
  schemaType: 'string',
  errors: false,
  validate: (min: string, data: unknown) => {
    if (typeof data !== 'string' && typeof data !== 'number') return true;
    const ms = parseDuration(data);
    // a value that is no duration at all is the union's to report
    return ms === undefined || ms >= (parseDuration(min) ?? 0);
  },
});
const compiled = new WeakMap<TSchema, ValidateFunction>();

export function validatorFor(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

export interface SchemaCheckOptions {
  /** true for key paths whose value must never be echoed in a message */
  isSecret?: (path: KeyPath) => boolean;
}

export function schemaIssues(schema: TSchema, data: unknown, opts: SchemaCheckOptions = {}): ConfigIssue[] {
  const validate = validatorFor(schema);
  if (validate(data)) return [];
  const reduced = reduce(validate.errors ?? []);
  return reduced.map((r) => {
    const path = keyPathFromPointer(r.pointer, data);
    const secret = opts.isSecret?.(path) ?? false;
    const message = typeof r.message === 'string' ? r.message : r.message(secret);
    const issue: ConfigIssue = r.anchor === 'key' ? { path, message, anchor: 'key' } : { path, message };
    if (r.soft) issue.soft = true;
    return issue;
  });
}

interface Reduced {
  pointer: string;
  soft?: boolean;
  /** a function when the message would echo the value (left out for secrets) */
  message: string | ((secret: boolean) => string);
  anchor?: 'key';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function reduce(errors: readonly ErrorObject[]): Reduced[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const inUnion = (e: ErrorObject, u: ErrorObject) =>
    e !== u &&
    e.schemaPath.startsWith(`${u.schemaPath}/`) &&
    (e.instancePath === u.instancePath || e.instancePath.startsWith(`${u.instancePath}/`));
  const outer = unions.filter((u) => !unions.some((o) => inUnion(u, o)));
  const out: Reduced[] = [];
  const constAt = new Set(
    errors.filter((e) => e.keyword === 'const' || e.keyword === 'enum').map((e) => e.instancePath),
  );
  for (const e of errors) {
    if (outer.includes(e) || outer.some((u) => inUnion(e, u))) continue;
    // `counter: yes` fails both `type: boolean` and `const: true`: the const says it better
    if (e.keyword === 'type' && constAt.has(e.instancePath)) continue;
    out.push(describe(e));
  }
  for (const u of outer)
    out.push(
      ...reduceUnion(
        u,
        errors.filter((e) => inUnion(e, u)),
      ),
    );
  return out;
}

function reduceUnion(u: ErrorObject, inner: readonly ErrorObject[]): Reduced[] {
  const branches = (u.schema as TSchema[]) ?? [];
  const desc = (u.parentSchema as TSchema | undefined)?.['expects'] as string | undefined;
  const consts = branches.filter((b) => b.const !== undefined).map((b) => b.const as unknown);
  if (consts.length === branches.length && consts.length > 0) {
    return [
      { pointer: u.instancePath, message: (s) => `must be one of ${consts.join(', ')}${got(u.data, s)}` },
    ];
  }
  const byBranch = new Map<number, ErrorObject[]>();
  for (const e of inner) {
    const idx = Number(e.schemaPath.slice(u.schemaPath.length + 1).split('/')[0]);
    const list = byBranch.get(idx) ?? [];
    list.push(e);
    byBranch.set(idx, list);
  }
  const isObjectUnion = branches.some((b) => b.type === 'object');
  if (!isObjectUnion && desc !== undefined) {
    return [{ pointer: u.instancePath, message: (s) => `must be ${withArticle(desc)}${got(u.data, s)}` }];
  }
  // the branch the value most looks like: fewest problems at the union's own level (wrong type, missing or
  // unknown keys), then fewest problems overall
  let best: ErrorObject[] | undefined;
  let bestScore: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (const list of byBranch.values()) {
    const wrongType = list.some((e) => e.keyword === 'type' && e.instancePath === u.instancePath);
    const own = wrongType ? 1000 : list.filter((e) => e.instancePath === u.instancePath).length;
    const score: [number, number] = [own, list.length];
    if (score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) {
      best = list;
      bestScore = score;
    }
  }
  // a mapping that shares no key with any branch: describe the shapes instead of blaming one branch
  const dataKeys = isPlainObject(u.data) ? Object.keys(u.data) : [];
  const objectBranches = branches.filter((b) => b.type === 'object');
  const sharesKey = objectBranches.some((b) => dataKeys.some((k) => k in ((b.properties as object) ?? {})));
  if (isObjectUnion && isPlainObject(u.data) && !sharesKey) {
    const shapes = objectBranches.map(
      (b) => `{ ${((b.required as string[] | undefined) ?? []).join(', ')} }`,
    );
    const gotKeys = dataKeys.length ? `, got { ${dataKeys.join(', ')} }` : ', got {}';
    return [{ pointer: u.instancePath, message: `must be ${shapes.join(' or ')}${gotKeys}` }];
  }
  if (!best || bestScore[0] >= 1000) {
    const types = [...new Set(branches.map((b) => typeName(b.type)))].join(' or ');
    return [{ pointer: u.instancePath, message: (s) => `must be ${desc ?? types}${got(u.data, s)}` }];
  }
  return reduce(best);
}

function describe(e: ErrorObject): Reduced {
  const p = e.params as Record<string, unknown>;
  const parent = e.parentSchema as TSchema | undefined;
  switch (e.keyword) {
    case 'type': {
      const want = String(p['type']);
      const quote = want === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean');
      const hint = quote ? ' (put it in quotes)' : yaml11Bool(want, e.data);
      return { pointer: e.instancePath, message: (s) => `must be ${typeName(want)}${got(e.data, s)}${hint}` };
    }
    case 'required':
      return {
        pointer: `${e.instancePath}/${escapePointer(String(p['missingProperty']))}`,
        message: 'is required',
      };
    case 'additionalProperties': {
      const key = String(p['additionalProperty']);
      const pointer = `${e.instancePath}/${escapePointer(key)}`;
      const patterns = Object.keys((parent?.patternProperties as Record<string, unknown> | undefined) ?? {});
      if (patterns.length > 0)
        return { pointer, anchor: 'key', message: `key must match ${patterns.join(' or ')}` };
      const allowed = Object.keys((parent?.properties as Record<string, unknown> | undefined) ?? {});
      const near = closest(key, allowed);
      const hint = near
        ? `; did you mean ${near}?`
        : allowed.length
          ? ` (allowed: ${allowed.join(', ')})`
          : '';
      return { pointer, anchor: 'key', message: `unknown key${hint}` };
    }
    case 'const': {
      const hint = yaml11Bool(typeof p['allowedValue'], e.data);
      return {
        pointer: e.instancePath,
        message: (s) => `must be ${String(p['allowedValue'])}${got(e.data, s)}${hint}`,
      };
    }
    case 'enum':
      return {
        pointer: e.instancePath,
        message: (s) => `must be one of ${(p['allowedValues'] as unknown[]).join(', ')}${got(e.data, s)}`,
      };
    case 'pattern': {
      const pattern = String(p['pattern']);
      const prefix = urlPrefixes(pattern);
      const what = (parent?.['expects'] as string | undefined) ?? pattern;
      return {
        pointer: e.instancePath,
        message: (s) => (prefix ? `must start with ${prefix}` : `must match ${what}`) + got(e.data, s),
      };
    }
    case 'minDuration':
      return { pointer: e.instancePath, message: `must be at least ${String(e.schema)}`, soft: true };
    case 'minLength':
      return {
        pointer: e.instancePath,
        message: p['limit'] === 1 ? 'must not be empty' : `must be at least ${String(p['limit'])} characters`,
      };
    case 'maxLength':
      return { pointer: e.instancePath, message: `must be at most ${String(p['limit'])} characters` };
    case 'minItems':
      return { pointer: e.instancePath, message: `must have at least ${String(p['limit'])} item(s)` };
    case 'maxItems':
      return { pointer: e.instancePath, message: `must have at most ${String(p['limit'])} item(s)` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer: e.instancePath, message: (s) => `${e.message ?? e.keyword}${got(e.data, s)}` };
    default:
      return { pointer: e.instancePath, message: e.message ?? e.keyword };
  }
}

/** YAML 1.2 reads `yes`/`no`/`on`/`off` as strings, unlike YAML 1.1 tools: say so */
function yaml11Bool(want: string, data: unknown): string {
  const words = ['yes', 'no', 'on', 'off', 'y', 'n'];
  return want === 'boolean' && typeof data === 'string' && words.includes(data.toLowerCase())
    ? ' (YAML 1.2: write true or false)'
    : '';
}

/** `duration: 500ms, …` → `a duration: 500ms, …` */
function withArticle(desc: string): string {
  if (!/^[a-z]+:/.test(desc)) return desc;
  return /^[aeiou]/.test(desc) ? `an ${desc}` : `a ${desc}`;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function typeName(t: unknown): string {
  switch (t) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'empty';
    default:
      return String(t);
  }
}

/** `, got "abc"` — left out when the value is a secret */
function got(data: unknown, secret: boolean): string {
  if (secret) return '';
  if (data === null || data === undefined) return ', got nothing';
  if (Array.isArray(data)) return ', got a list';
  if (typeof data === 'object') return ', got a mapping';
  const text = JSON.stringify(data);
  return `, got ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`;
}

/** `^(mqtt|mqtts|ws|wss)://` → `mqtt://, mqtts://, ws:// or wss://`; undefined for other patterns */
function urlPrefixes(pattern: string): string | undefined {
  const m = /^\^(.+):\/\/$/.exec(pattern);
  if (!m?.[1]) return undefined;
  let body = m[1];
  let alts: string[];
  const group = /^\((.+)\)$/.exec(body);
  if (group?.[1]) alts = group[1].split('|');
  else if (body.endsWith('?') && body.length > 2) {
    body = body.slice(0, -1);
    alts = [body.slice(0, -1), body];
  } else alts = [body];
  const words = alts.map((a) => `${a.replace(/\\(.)/g, '$1')}://`);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The allowed key a typo most likely meant: a case-insensitive match, or 1 edit (2 for keys over 4 letters). */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = key.length > 4 ? 3 : 2;
  for (const a of allowed) {
    const d = a.toLowerCase() === key.toLowerCase() ? 0 : distance(key, a);
    if (d < bestD) {
      best = a;
      bestD = d;
    }
  }
  return best;
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      row[j] = v;
    }
  }
  return at(a.length, b.length);
}
