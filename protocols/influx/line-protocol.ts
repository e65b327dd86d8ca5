/**
 * Line protocol written directly, without a `Point` per value: the same escaping and value formats as the official
 * client's `Point.toLineProtocol` (tested property-based against it, tests/unit/influx/line-protocol.test.ts), and a
 * reader for the lines we wrote (used only when InfluxDB refuses some: to attribute and split them). Pure.
 */
import { MAX_TIME_MS, MIN_TIME_MS } from './point-builder.js';
import { sanitiseStringField, sanitiseTag } from './sanitise.js';

const MEASUREMENT_SPECIAL = /[, \n\r\t]/;
const TAG_SPECIAL = /[, =\n\r\t]/;
const QUOTED_SPECIAL = /["\\]/;

/** The client's measurement escaper: `,` space `\n` `\r` `\t`. */
export function escapeMeasurement(s: string): string {
  if (!MEASUREMENT_SPECIAL.test(s)) return s;
  return s.replace(/[, \n\r\t]/g, (c) => ESC[c] ?? c);
}

/** The client's tag key / tag value / field key escaper: `,` space `=` `\n` `\r` `\t`. */
export function escapeTag(s: string): string {
  if (!TAG_SPECIAL.test(s)) return s;
  return s.replace(/[, =\n\r\t]/g, (c) => ESC[c] ?? c);
}

/** A string field value as the client writes it: quoted, `"` and `\` escaped. */
export function quoteString(s: string): string {
  if (!QUOTED_SPECIAL.test(s)) return `"${s}"`;
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

const ESC: Record<string, string> = {
  ',': '\\,',
  ' ': '\\ ',
  '=': '\\=',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Field values, escaped, as the client's `floatField`/`intField`/`booleanField`/`stringField` store them. */
export const fieldText = {
  float: (v: number): string => String(v),
  integer: (v: number | bigint): string => `${v}i`,
  boolean: (v: boolean): string => (v ? 'T' : 'F'),
  /** our newline policy applied first (`sanitiseStringField`), like `buildPoint` */
  string: (v: string): string => quoteString(sanitiseStringField(v)),
};

/**
 * `measurement,k1=v1,k2=v2` with tag values sanitised (`sanitiseTag`), tags sorted by key and empty ones left off,
 * as `Point` orders them. The caller has checked the keys (`keyProblem`).
 */
export function seriesKey(measurement: string, tags: Readonly<Record<string, string | undefined>>): string {
  let out = escapeMeasurement(measurement);
  for (const k of Object.keys(tags).sort()) {
    const raw = tags[k];
    const v = raw === undefined ? undefined : sanitiseTag(raw);
    if (v === undefined || v === '' || k === '') continue;
    out += `,${escapeTag(k)}=${escapeTag(v)}`;
  }
  return out;
}

/** A timestamp in ms as the line's time (precision ms), or undefined outside InfluxDB's range. */
export function timeText(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) return undefined;
  return String(Math.trunc(ms));
}

/** One line from its parts; `fields` are `[key, escaped value]`, written sorted by key like `Point`. */
export function formatLine(
  series: string,
  fields: readonly (readonly [string, string])[],
  time: string,
): string {
  const sorted =
    fields.length > 1 ? [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : fields;
  let f = '';
  for (const [k, v] of sorted) f += `${f.length > 0 ? ',' : ''}${escapeTag(k)}=${v}`;
  return `${series} ${f} ${time}`;
}

/** The InfluxDB type of an escaped field value. */
export type LineFieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

/** The type of an escaped field value (any line protocol, not only ours). */
export function fieldTypeOfText(escaped: string): LineFieldType {
  const first = escaped.charCodeAt(0);
  if (first === 34 /* " */) return 'string';
  const last = escaped.charCodeAt(escaped.length - 1);
  if (last === 105 /* i */ && /^-?\d+i$/.test(escaped)) return 'integer';
  if (last === 117 /* u */ && /^\d+u$/.test(escaped)) return 'unsigned';
  // only a value starting with t/T/f/F can be a boolean: a float (most values) skips the pattern
  if (
    (first === 116 || first === 84 || first === 102 || first === 70) /* t T f F */ &&
    /^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(escaped)
  )
    return 'boolean';
  return 'float';
}

/** A line split into its parts; `series` and `time` exactly as written, field keys unescaped, values escaped. */
export interface ParsedLine {
  measurement: string;
  series: string;
  fields: [key: string, escaped: string][];
  time: string;
}

/** What InfluxDB unescapes in names (`\,` `\ ` `\=`); any other backslash is the name's own. */
const UNESCAPED = new Set([',', ' ', '=']);

/**
 * Reads one line (as written by us or the client: measurement, tags, fields, time). Undefined when it is not a
 * line. Only for the rare paths (a refused write), never per value.
 */
export function parseLine(line: string): ParsedLine | undefined {
  // series: up to the first unescaped space
  let i = 0;
  let measurement = '';
  let inMeasurement = true;
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length && UNESCAPED.has(line[i + 1] as string)) {
      if (inMeasurement) measurement += line[i + 1];
      i++;
      continue;
    }
    if (c === ' ') break;
    if (c === ',') inMeasurement = false;
    else if (inMeasurement) measurement += c;
  }
  if (i >= line.length || measurement === '') return undefined;
  const series = line.slice(0, i);
  i++;
  const fields: [string, string][] = [];
  for (;;) {
    let key = '';
    for (; i < line.length && line[i] !== '='; i++) {
      if (line[i] === '\\' && i + 1 < line.length && UNESCAPED.has(line[i + 1] as string)) i++;
      key += line[i];
    }
    if (i >= line.length) return undefined;
    i++;
    const start = i;
    if (line[i] === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
      if (i >= line.length) return undefined;
      i++;
    } else {
      while (i < line.length && line[i] !== ',' && line[i] !== ' ') i++;
    }
    fields.push([key, line.slice(start, i)]);
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  const time = i < line.length ? line.slice(i + 1) : '';
  return { measurement, series, fields, time };
}
