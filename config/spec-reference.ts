/**
 * Reads a spec (config/spec.ts) back as documentation: one row per key with its path, type, default, unit and
 * description, for docs/configuration.md. Pure: walks the JSON schema TypeBox built, nothing else.
 */
import { OptionalKind, type TSchema } from '@sinclair/typebox';

export interface KeyRow {
  /** `devices[].modbus.timeout`, `derive.signals.<name>.from` */
  path: string;
  type: string;
  /** the default as written in a file, `required`, or what the code computes */
  default: string;
  unit: string;
  description: string;
}

type Schema = TSchema & Record<string, unknown>;

const props = (s: Schema) => s['properties'] as Record<string, Schema> | undefined;
const anyOf = (s: Schema) => s['anyOf'] as Schema[] | undefined;
const isObject = (s: Schema) => props(s) !== undefined;
const patternValue = (s: Schema) =>
  Object.values((s['patternProperties'] as Record<string, Schema> | undefined) ?? {})[0];

/** Every key of an object schema, depth first, in declaration order. */
export function referenceRows(schema: TSchema, prefix = ''): KeyRow[] {
  const rows: KeyRow[] = [];
  const seen = new Set<string>();
  const visitObject = (s: Schema, at: string) => {
    const required = new Set((s['required'] as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(props(s) ?? {})) {
      const path = `${at}${key}`;
      if (!seen.has(path)) {
        seen.add(path);
        rows.push({
          path,
          type: typeName(child),
          default: defaultText(child, required.has(key) && child[OptionalKind] !== 'Optional'),
          unit: typeof child['unit'] === 'string' ? child['unit'] : '',
          description: typeof child['description'] === 'string' ? child['description'] : '',
        });
      }
      visitValue(child, path);
    }
  };
  const under = (path: string) => (path === '' || path.endsWith('.') ? path : `${path}.`);
  const visitValue = (s: Schema, path: string) => {
    if (isObject(s)) return visitObject(s, under(path));
    const items = s['items'] as Schema | undefined;
    if (s['type'] === 'array' && items) return visitValue(items, `${path}[]`);
    const value = patternValue(s);
    if (value) return visitValue(value, `${under(path)}<name>`);
    for (const branch of anyOf(s) ?? []) if (isObject(branch)) visitObject(branch, under(path));
  };
  visitValue(schema as Schema, prefix);
  return rows;
}

/** How a type reads in the reference: `duration`, `integer 0–255`, `holding \| input`, `list of metric name`. */
export function typeName(s: Schema): string {
  if (typeof s['title'] === 'string') return s['title'];
  if (s['const'] !== undefined) return JSON.stringify(s['const']);
  const branches = anyOf(s);
  if (branches) {
    if (branches.every((b) => b['const'] !== undefined))
      return branches.map((b) => String(b['const'])).join(' \\| ');
    return [...new Set(branches.map((b) => (isObject(b) ? objectShape(b) : typeName(b))))].join(' or ');
  }
  if (isObject(s)) return 'mapping';
  const value = patternValue(s);
  if (value) return `mapping of name → ${typeName(value)}`;
  const items = s['items'] as Schema | undefined;
  if (s['type'] === 'array' && items) return isObject(items) ? 'list' : `list of ${typeName(items)}`;
  const range = (lo: unknown, hi: unknown, exclusiveLo: unknown) =>
    lo !== undefined && hi !== undefined
      ? ` ${String(lo)}–${String(hi)}`
      : lo !== undefined
        ? ` ≥ ${String(lo)}`
        : exclusiveLo !== undefined
          ? ` > ${String(exclusiveLo)}`
          : hi !== undefined
            ? ` ≤ ${String(hi)}`
            : '';
  if (s['type'] === 'integer' || s['type'] === 'number')
    return `${String(s['type'])}${range(s['minimum'], s['maximum'], s['exclusiveMinimum'])}`;
  return String(s['type'] ?? 'any');
}

function objectShape(s: Schema): string {
  const required = (s['required'] as string[] | undefined) ?? Object.keys(props(s) ?? {});
  return `{ ${required.join(', ')} }`;
}

function defaultText(s: Schema, required: boolean): string {
  if (required) return '**required**';
  if (s['default'] !== undefined) {
    const d = s['default'];
    if (typeof d === 'object' && d !== null && !Array.isArray(d) && Object.keys(d).length === 0) return '';
    return `\`${inline(d)}\``;
  }
  return typeof s['defaultText'] === 'string' ? `*${s['defaultText']}*` : '';
}

/** A value as it is written in YAML flow style. */
export function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '{}';
  if (typeof v === 'object' && v !== null)
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${inline(x)}`)
      .join(', ')} }`;
  return String(v);
}
