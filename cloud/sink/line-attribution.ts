/**
 * Which lines of a refused request the server meant. InfluxDB names only the first problem of a batch; for the
 * common ones the message identifies every line it applies to, so one request settles all of them instead of a
 * bisection down to single lines. A line carries many fields (one device at one time): for a field type conflict
 * only the conflicting field is refused, the rest of its line is sent again (`splitConflict`). Pure.
 */
import type { Point } from '@influxdata/influxdb-client';
import { fieldTypeOfText, formatLine, parseLine } from '../../protocols/influx/line-protocol.js';

export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

export interface LineItem {
  line: string;
  measurement: string;
  /** field key → InfluxDB type, from the line's escaped field values */
  fieldTypes: ReadonlyMap<string, FieldType>;
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
  for (const [k, v] of Object.entries(point.fields)) fieldTypes.set(k, fieldTypeOfText(v));
  return { line, measurement: measurementOf(line), fieldTypes };
}

/** The item of a line read back from its text (the spool keeps lines, not points). */
export function lineItemOf(line: string): LineItem {
  const p = parseLine(line);
  const fieldTypes = new Map<string, FieldType>();
  for (const [k, v] of p?.fields ?? []) fieldTypes.set(k, fieldTypeOfText(v));
  return { line, measurement: p?.measurement ?? measurementOf(line), fieldTypes };
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
  const conflict = conflictOf(reason);
  if (conflict) {
    return (item) => {
      if (item.measurement !== conflict.measurement) return false;
      const t = item.fieldTypes.get(conflict.field);
      return t !== undefined && t !== conflict.existing;
    };
  }
  const parse = UNABLE_TO_PARSE.exec(reason);
  if (parse) {
    const line = parse[1];
    return (item) => item.line === line;
  }
  return undefined;
}

function conflictOf(reason: string): { field: string; measurement: string; existing: string } | undefined {
  const m = TYPE_CONFLICT.exec(reason);
  if (!m) return undefined;
  return {
    field: (m[1] ?? '').replace(/\\(.)/g, '$1'),
    measurement: (m[2] ?? '').replace(/\\(.)/g, '$1'),
    existing: m[4] ?? '',
  };
}

/**
 * For a line the server refused for a field type conflict (`attributedLines`): the conflicting field alone as a
 * line of its own (to dead-letter), and the rest of the line (to send again), or undefined when the field is the
 * line's only one (the whole line is refused).
 */
export function splitConflict(
  item: LineItem,
  reason: string,
): { refused: string; rest: LineItem } | undefined {
  const conflict = conflictOf(reason);
  const p = parseLine(item.line);
  if (!conflict || !p || p.fields.length < 2) return undefined;
  const bad = p.fields.filter(([k]) => k === conflict.field);
  const good = p.fields.filter(([k]) => k !== conflict.field);
  if (bad.length === 0 || good.length === 0) return undefined;
  const refused = formatLine(p.series, bad, p.time);
  return { refused, rest: lineItemOf(formatLine(p.series, good, p.time)) };
}
