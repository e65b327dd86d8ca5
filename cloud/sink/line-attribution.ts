/**
 * Which lines of a refused request the server meant. InfluxDB names only the first problem of a batch; for the
 * common ones the message identifies every line it applies to, so one request settles all of them instead of a
 * bisection down to single lines. Pure.
 */
import type { Point } from '@influxdata/influxdb-client';

export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

export interface LineItem {
  line: string;
  measurement: string;
  /** field key → InfluxDB type, from the point's escaped field values */
  fieldTypes: ReadonlyMap<string, FieldType>;
}

function fieldType(escaped: string): FieldType {
  if (escaped.startsWith('"')) return 'string';
  if (/^-?\d+i$/.test(escaped)) return 'integer';
  if (/^\d+u$/.test(escaped)) return 'unsigned';
  if (/^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(escaped)) return 'boolean';
  return 'float';
}

/** The unescaped measurement at the start of a line (up to the first unescaped `,` or space). */
export function measurementOf(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === '\\' && i + 1 < line.length) {
      out += line.charAt(++i);
      continue;
    }
    if (c === ',' || c === ' ') break;
    out += c;
  }
  return out;
}

export function lineItem(point: Point, line: string): LineItem {
  const fieldTypes = new Map<string, FieldType>();
  for (const [k, v] of Object.entries(point.fields)) fieldTypes.set(k, fieldType(v));
  return { line, measurement: measurementOf(line), fieldTypes };
}

const TYPE_CONFLICT =
  /field type conflict: input field "((?:[^"\\]|\\.)*)" on measurement "((?:[^"\\]|\\.)*)" is type (\w+), already exists as type (\w+)/;
const UNABLE_TO_PARSE = /unable to parse '([\s\S]*)': ([\s\S]*?)(?: dropped=\d+)?$/;

/**
 * A predicate selecting the lines `reason` is about, or `undefined` when the message does not say (then the caller
 * bisects). Type conflict: the lines of that measurement whose field has another type than the stored one.
 * Parse error: the quoted line itself.
 */
export function attributedLines(reason: string): ((item: LineItem) => boolean) | undefined {
  const conflict = TYPE_CONFLICT.exec(reason);
  if (conflict) {
    const field = (conflict[1] ?? '').replace(/\\(.)/g, '$1');
    const measurement = (conflict[2] ?? '').replace(/\\(.)/g, '$1');
    const existing = conflict[4];
    return (item) => {
      if (item.measurement !== measurement) return false;
      const t = item.fieldTypes.get(field);
      return t !== undefined && t !== existing;
    };
  }
  const parse = UNABLE_TO_PARSE.exec(reason);
  if (parse) {
    const line = parse[1];
    return (item) => item.line === line;
  }
  return undefined;
}
