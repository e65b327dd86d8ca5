import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseDir, trackDirForExit } from './managed-process.js';

/** A fresh private directory under the OS temp dir, removed on `remove()` or, failing that, when the process exits. */
export async function makeServiceDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `plantpulse-${prefix}-`));
  trackDirForExit(path);
  return {
    path,
    remove: async () => {
      await rm(path, { recursive: true, force: true, maxRetries: 3 });
      releaseDir(path);
    },
  };
}
