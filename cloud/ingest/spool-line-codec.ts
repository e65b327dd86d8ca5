import type { FieldType } from './field-types.js';

/** One line of line protocol as spooled, with its fields' types (what the sink needs to attribute refusals). */
export interface SpoolLine {
  line: string;
  types: Record<string, FieldType>;
}

/** A spool row's body: `[[line, {field: type letter}], …]` (the format on disk since the first release). */
type Compact = [string, Record<string, string>];

const T_OUT: Record<FieldType, string> = {
  float: 'f',
  integer: 'i',
  unsigned: 'u',
  string: 's',
  boolean: 'b',
};
const T_IN: Record<string, FieldType> = {
  f: 'float',
  i: 'integer',
  u: 'unsigned',
  s: 'string',
  b: 'boolean',
};

export function encodeLines(lines: readonly SpoolLine[]): string {
  return JSON.stringify(lines.map((l): Compact => [l.line, compactTypes(l.types)]));
}

/** The lines of a row's body; undefined when the body cannot be read (a damaged row). */
export function decodeLines(body: string): SpoolLine[] | undefined {
  try {
    const rows = JSON.parse(body) as unknown;
    if (!Array.isArray(rows)) return undefined;
    const out: SpoolLine[] = [];
    for (const r of rows) {
      if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'object' || r[1] === null)
        return undefined;
      out.push({ line: r[0], types: expandTypes(r[1] as Record<string, string>) });
    }
    return out;
  } catch {
    return undefined;
  }
}

function compactTypes(t: Record<string, FieldType>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(t)) out[k] = T_OUT[v];
  return out;
}

function expandTypes(t: Record<string, string>): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  for (const [k, v] of Object.entries(t)) out[k] = T_IN[v] ?? 'float';
  return out;
}
