import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * Data at rest is private to the service account: directories 0700, files 0600, whatever the umask. The outbox,
 * the spool, dead letters and state files hold plant data and device payloads; private keys are secrets.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and parents) if missing; the directory itself ends 0700 even if it existed wider. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  narrow(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes `file` 0600, creating it empty when missing; call before SQLite opens a database, so that its -wal and -shm
 * (which SQLite creates with the database file's permissions) are 0600 too. Existing -wal/-shm are narrowed as well.
 */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(f)) narrow(f, PRIVATE_FILE_MODE);
  }
}

/** chmod to `mode` when group or others have any access; a file we do not own is left as it is. */
function narrow(path: string, mode: number): void {
  if ((statSync(path).mode & 0o077) === 0) return;
  try {
    chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
