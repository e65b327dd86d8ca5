/**
 * The audit log's files: `audit.jsonl` being written, and rotated ones next to it named
 * `audit.jsonl.<UTC time of rotation>`, so that sorting the names sorts them by age.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AuditFile {
  path: string;
  /** when it was rotated (epoch ms, from its name): no event in it is later; undefined for the current file */
  rotatedAt: number | undefined;
}

/** `20261206T073756123Z`: sortable, no characters a filesystem minds. */
export function rotationSuffix(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/** Epoch ms of a rotation suffix, or undefined when `s` is not one. */
export function parseRotationSuffix(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:-\d+)?$/.exec(s);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** The audit files, oldest first, the current one last (if it exists). */
export async function listAuditFiles(path: string): Promise<AuditFile[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const rotated: AuditFile[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const rotatedAt = parseRotationSuffix(name.slice(base.length + 1));
    if (rotatedAt !== undefined) rotated.push({ path: join(dir, name), rotatedAt });
  }
  rotated.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return names.includes(base) ? [...rotated, { path: join(dir, base), rotatedAt: undefined }] : rotated;
}
