import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../protocols/durable-queue/private-files.js';

/** A small JSON state file written atomically (write, fsync via writeFileSync flush, rename). */
export function readState<T>(path: string, fallback: T): T {
  try {
    return { ...fallback, ...(JSON.parse(readFileSync(path, 'utf8')) as Partial<T>) };
  } catch {
    return fallback;
  }
}

export function writeState(path: string, value: unknown): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { flush: true, mode: PRIVATE_FILE_MODE });
  renameSync(tmp, path);
}
