/**
 * Durations and sizes as written in config files (`500ms`, `1.5m`, `256MiB`) ⇄ the numbers the code uses
 * (milliseconds, bytes). Only the config machinery calls these: the loader hands every component resolved numbers.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|KiB|MiB|GiB|TiB)$';

/** Milliseconds of `500ms`, `1.5m`, … or of a number (already milliseconds); undefined when it is neither. */
export function parseDuration(d: string | number): number | undefined {
  if (typeof d === 'number') return Number.isFinite(d) ? d : undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-z]+)$/.exec(d);
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]];
  return m === null || unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** Bytes of `512KiB`, `1GiB`, … or of a number (already bytes); undefined when it is neither. */
export function parseSize(s: string | number): number | undefined {
  if (typeof s === 'number') return Number.isFinite(s) ? s : undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]+)$/.exec(s);
  const unit = m?.[2] === undefined ? undefined : UNIT_BYTES[m[2]];
  return m === null || unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** The shortest exact spelling: 1000 → `1s`, 90000 → `90s`, 1500 → `1500ms`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The largest binary unit that divides the size: 268435456 → `256MiB`; bytes otherwise. */
export function formatSize(bytes: number): string | number {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}
