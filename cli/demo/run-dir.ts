/**
 * The demo's run directory: generated configs, secrets (mode 0600) and the log file. Everything the demo runs is
 * described by plain files here, so a user can rerun any part by hand (`plantpulse agent -c <dir>/agent.yaml`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface RunDir {
  readonly path: string;
  /** writes `name` (relative) with `text`; secrets get mode 0600 */
  write(name: string, text: string, opts?: { secret?: boolean }): Promise<string>;
  /** a new random secret stored as `secrets/<name>`; returns its path (for a `${file:…}` reference) and value */
  secret(name: string): Promise<{ file: string; value: string }>;
}

/** Opens `dir` (created if missing) or a fresh `plantpulse-demo-*` folder under the OS temp dir. */
export async function openRunDir(dir?: string): Promise<RunDir> {
  const path = dir === undefined ? await mkdtemp(join(tmpdir(), 'plantpulse-demo-')) : resolve(dir);
  await mkdir(join(path, 'secrets'), { recursive: true, mode: 0o700 });
  const write = async (name: string, text: string, opts: { secret?: boolean } = {}) => {
    const file = join(path, name);
    await writeFile(file, text, { mode: opts.secret ? 0o600 : 0o644 });
    return file;
  };
  return {
    path,
    write,
    async secret(name) {
      const value = randomBytes(18).toString('base64url');
      const file = await write(join('secrets', name), value, { secret: true });
      return { file, value };
    },
  };
}
