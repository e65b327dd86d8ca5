/**
 * The audit log's files: `audit.jsonl` being written, and rotated ones next to it named
 * `audit.jsonl.<UTC time of rotation>`, so that sorting the names sorts them by age.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AuditFile {
  path: string;
  /** last write, epoch ms */
  mtimeMs: number;
  /** the file being written (not rotated) */
  current: boolean;
}

/** `20261206T073756123Z`: sortable, no characters a filesystem minds. */
export function rotationSuffix(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
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
  const rotated = names.filter((n) => n.startsWith(`${base}.`) && /^\d{8}T\d{9}Z(-\d+)?$/.test(n.slice(base.length + 1)));
  rotated.sort();
  const out: AuditFile[] = [];
  for (const name of [...rotated, ...(names.includes(base) ? [base] : [])]) {
    const p = join(dir, name);
    try {
      const s = await stat(p);
      out.push({ path: p, mtimeMs: s.mtimeMs, current: name === base });
    } catch {
      // removed by the retention sweep meanwhile
    }
  }
  return out;
}
