import type { TSchema } from '@sinclair/typebox';
import { isRecord, type KeyPath } from './key-path.js';
import type { RefSite } from './refs.js';
import { validatorFor } from './schema-problems.js';

/**
 * The typing rule for references: a value that came from a reference is a string. When the reference is the
 * whole value (`port: ${env:PORT}`) and the schema at that place does not accept the string but accepts it as a
 * number or a boolean (`8086` → 8086, `true` → true), it is converted. Nothing else is ever coerced: a literal
 * `port: "8086"` in the file stays a string and is a type error.
 */
export function coerceWholeRefs(data: unknown, schema: TSchema, sites: readonly RefSite[]): unknown {
  let root = data;
  for (const site of sites) {
    if (!site.whole || !site.ok) continue;
    const value = getAt(root, site.path);
    if (typeof value !== 'string') continue;
    const candidates = schemasAt(schema, site.path);
    if (candidates.length === 0 || candidates.some((c) => validatorFor(c)(value))) continue;
    const converted = convert(value);
    if (converted === undefined) continue;
    if (candidates.some((c) => validatorFor(c)(converted))) root = setAt(root, site.path, converted);
  }
  return root;
}

function convert(s: string): number | boolean | undefined {
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s.trim())) return Number(s);
  return undefined;
}

/** Every schema that may apply at `path` (unions contribute each branch). */
function schemasAt(schema: TSchema, path: KeyPath): TSchema[] {
  let current: TSchema[] = flatten(schema);
  for (const seg of path) {
    const next: TSchema[] = [];
    for (const s of current) {
      if (typeof seg === 'number') {
        if (s.items && typeof s.items === 'object') next.push(...flatten(s.items as TSchema));
        continue;
      }
      const props = s.properties as Record<string, TSchema> | undefined;
      const prop = props?.[seg];
      if (prop) {
        next.push(...flatten(prop));
        continue;
      }
      const patterns = s.patternProperties as Record<string, TSchema> | undefined;
      for (const [re, sub] of Object.entries(patterns ?? {}))
        if (new RegExp(re).test(seg)) next.push(...flatten(sub));
      if (isRecord(s.additionalProperties)) next.push(...flatten(s.additionalProperties as TSchema));
    }
    current = next;
  }
  return current;
}

function flatten(s: TSchema): TSchema[] {
  const anyOf = s.anyOf as TSchema[] | undefined;
  return anyOf ? anyOf.flatMap(flatten) : [s];
}

function getAt(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isRecord(node) && typeof seg === 'string') node = node[seg];
    else return undefined;
  }
  return node;
}

function setAt(root: unknown, path: KeyPath, value: unknown): unknown {
  if (path.length === 0) return value;
  let node = root;
  for (const seg of path.slice(0, -1)) {
    node =
      Array.isArray(node) && typeof seg === 'number'
        ? node[seg]
        : isRecord(node)
          ? node[String(seg)]
          : undefined;
  }
  const last = path[path.length - 1];
  if (Array.isArray(node) && typeof last === 'number') node[last] = value;
  else if (isRecord(node) && last !== undefined) node[String(last)] = value;
  return root;
}
