/**
 * Building InfluxQL safely: identifiers and string literals are always quoted and escaped here, never pasted.
 * Times are epoch milliseconds (`…ms` literals); the reader asks for `epoch=ms` results.
 */
import { BadRequestError } from './errors.js';

/** `"name"` with `"` and `\` escaped. */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * `'value'` with `'` and `\` escaped; CR/LF never reach a tag value (docs/architecture.md#sanitising) and are
 * refused here too.
 */
export function str(value: string): string {
  if (/[\r\n]/.test(value)) throw new BadRequestError('values may not contain line breaks');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `"tag" = 'value'` conditions joined with AND, skipping undefined values. */
export function tagsWhere(tags: Record<string, string | undefined>): string[] {
  return Object.entries(tags)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${ident(k)} = ${str(v)}`);
}

export function timeWhere(range: TimeRange): string[] {
  return [`time >= ${range.from}ms`, `time < ${range.to}ms`];
}

export function where(conds: string[]): string {
  return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
}

export interface TimeRange {
  from: number;
  to: number;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
export const DURATION_PATTERN = '^[0-9]{1,9}(ms|s|m|h|d|w)$';
/** A time: ISO 8601, epoch ms, `now`, or relative to now (`-24h`, `now-7d`). */
export const TIME_PATTERN =
  '^(now|(now)?-[0-9]{1,9}(ms|s|m|h|d|w)|[0-9]{10,16}|[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?)$';

/** Milliseconds of `15m`, `1h`, … */
export function durationMs(d: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d|w)$/.exec(d);
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]];
  if (!m || unit === undefined) throw new BadRequestError(`"${d}" is not a duration like 30s, 15m, 1h or 1d`);
  return Number(m[1]) * unit;
}

export function parseTime(s: string, now: number, name: string): number {
  if (s === 'now') return now;
  const rel = /^(?:now)?-([0-9]+(?:ms|s|m|h|d|w))$/.exec(s);
  if (rel?.[1] !== undefined) return now - durationMs(rel[1]);
  if (/^[0-9]{10,16}$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw new BadRequestError(`${name} "${s}" is not a time (ISO 8601, epoch ms, now, -24h)`);
  return t;
}

/** from/to query parameters → a validated range; default the last `defaultSpan` ms. */
export function parseRange(
  q: { from?: string | undefined; to?: string | undefined },
  now: number,
  defaultSpan = 86_400_000,
  maxSpan = 400 * 86_400_000,
): TimeRange {
  const to = q.to === undefined ? now : parseTime(q.to, now, 'to');
  const from = q.from === undefined ? to - defaultSpan : parseTime(q.from, now, 'from');
  if (from >= to) throw new BadRequestError(`from (${iso(from)}) must be before to (${iso(to)})`);
  if (to - from > maxSpan) {
    throw new BadRequestError(`the range is longer than ${Math.round(maxSpan / 86_400_000)} days`);
  }
  return { from, to };
}

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** Line-protocol escaping (for the one write the API makes). */
export const lp = {
  measurement: (s: string) => s.replace(/[,\s\\]/g, (c) => `\\${c}`),
  tag: (s: string) => s.replace(/[,= \\]/g, (c) => `\\${c}`),
  stringField: (s: string) => `"${s.replace(/[\r\n]+/g, ' ').replace(/(["\\])/g, '\\$1')}"`,
};
