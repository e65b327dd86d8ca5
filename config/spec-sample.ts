/**
 * Writes a sample config from a spec and an example value: keys the example has are written out, every other key
 * is there commented out with its default (or example) — the whole vocabulary on one page, each line with its
 * description (Telegraf's sample.conf). Pure.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { stringify } from 'yaml';
import { inline } from './spec-reference.js';

type Schema = TSchema & Record<string, unknown>;

const props = (s: Schema) => s['properties'] as Record<string, Schema> | undefined;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A YAML scalar as it would be written in a config file. */
function scalar(v: unknown): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function comment(s: Schema): string {
  let text = typeof s['description'] === 'string' ? s['description'] : '';
  if (typeof s['unit'] === 'string') text += ` (${s['unit']})`;
  if (s['default'] === undefined && typeof s['defaultText'] === 'string')
    text += `; default: ${s['defaultText']}`;
  return text === '' ? '' : `  # ${text}`;
}

/** The object schema a value of `s` is written with (a union's matching branch), if any. */
function objectSchema(s: Schema, value: unknown): Schema | undefined {
  if (props(s)) return s;
  const branches = s['anyOf'] as Schema[] | undefined;
  if (!branches) return undefined;
  const objects = branches.filter((b) => props(b));
  return value === undefined ? objects[0] : objects.find((b) => Value.Check(b, value));
}

/**
 * Lines for the keys of `schema` at `indent`, from `value` (keys present) and the schema (keys absent, commented
 * out). `commented` writes everything commented out (the inside of an absent section).
 */
export function sampleLines(
  schema: TSchema,
  value: unknown,
  indent = '',
  commented = false,
  onlyPresent = false,
): string[] {
  const out: string[] = [];
  const given = isRecord(value) ? value : {};
  for (const [key, child] of Object.entries(props(schema as Schema) ?? {})) {
    if (onlyPresent && !(key in given)) continue;
    const present = !commented && key in given;
    const off = !present;
    const mark = off ? '# ' : '';
    const v =
      key in given ? given[key] : (child['default'] ?? (child['examples'] as unknown[] | undefined)?.[0]);
    const obj = objectSchema(child, v);
    const items = child['items'] as Schema | undefined;
    if (obj && (v === undefined || isRecord(v))) {
      out.push(`${indent}${mark}${key}:${comment(child)}`);
      out.push(...sampleLines(obj, v, `${indent}  `, off));
    } else if (child['type'] === 'array' && items && props(items) && Array.isArray(v) && v.length > 0) {
      out.push(`${indent}${mark}${key}:${comment(child)}`);
      v.forEach((el, i) => {
        const inner = `${indent}    `;
        // the first item shows every key; the others only their own
        const lines = sampleLines(items, el, inner, off, i > 0);
        // `- ` takes the place of the first key's indentation
        const first = (lines[0] ?? '').slice(inner.length).replace(/^# /, '');
        out.push(`${indent}  ${mark}- ${first}`, ...lines.slice(1));
      });
    } else {
      const shown = v === undefined ? '' : ` ${isRecord(v) || Array.isArray(v) ? inline(v) : scalar(v)}`;
      out.push(`${indent}${mark}${key}:${shown}${comment(child)}`);
    }
  }
  return out;
}
