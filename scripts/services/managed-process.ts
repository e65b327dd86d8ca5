import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A service process we started, with its output going to `logFile`. */
export interface ManagedProcess {
  readonly pid: number;
  readonly logFile: string;
  /** resolves when the process has exited */
  readonly exited: Promise<ExitInfo>;
  /** set once the process has exited */
  exitInfo(): ExitInfo | undefined;
  /** the last `maxChars` characters of the process's output */
  logTail(maxChars?: number): string;
}

export interface SpawnOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command` with stdout and stderr appended to `logFile` (written by the child directly, no pipes). */
export function spawnManaged(
  command: string,
  args: readonly string[],
  opts: SpawnOptions,
): Promise<ManagedProcess> {
  return new Promise((resolve, reject) => {
    const fd = openSync(opts.logFile, 'a', 0o600);
    const child = spawn(command, args, {
      stdio: ['ignore', fd, fd],
      cwd: opts.cwd,
      env: opts.env ?? process.env,
    });
    closeSync(fd);
    let info: ExitInfo | undefined;
    const exited = new Promise<ExitInfo>((res) => {
      child.once('exit', (code, signal) => {
        info = { code, signal };
        res(info);
      });
    });
    child.once('error', (err) => reject(err));
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) {
        reject(new Error(`${command} has no pid`));
        return;
      }
      // The child must not keep the test runner (or the demo) alive on its own.
      child.unref();
      trackForExit(pid);
      exited.then(() => untrack(pid));
      resolve({
        pid,
        logFile: opts.logFile,
        exited,
        exitInfo: () => info,
        logTail: (maxChars = 2000) => {
          try {
            const text = readFileSync(opts.logFile, 'utf8');
            return text.slice(-maxChars);
          } catch {
            return '';
          }
        },
      });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops a process by PID: SIGTERM, then SIGKILL if it has not exited after `graceMs`. Resolves once it is gone.
 * Works for processes we did not spawn in this process too (then liveness is polled with `kill(pid, 0)`).
 */
export async function stopByPid(
  pid: number,
  opts: { graceMs?: number; exited?: Promise<unknown> } = {},
): Promise<void> {
  const graceMs = opts.graceMs ?? 5000;
  const gone = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    if (opts.exited) {
      // unref'd: a pending timer must not keep the test runner (or the demo) alive after the process is gone
      const timer = delay(timeoutMs, 'timeout' as const, { ref: false });
      const r = await Promise.race([opts.exited.then(() => 'exited' as const), timer]);
      return r === 'exited';
    }
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await delay(25);
    }
    return !isAlive(pid);
  };
  if (!signal(pid, 'SIGTERM')) return;
  if (await gone(graceMs)) return;
  if (!signal(pid, 'SIGKILL')) return;
  if (!(await gone(graceMs))) throw new Error(`process ${pid} survived SIGKILL for ${graceMs} ms`);
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

// Last-resort cleanup: if the host process exits without stopping its services (a crash, a forgotten stop()),
// kill them and remove their directories so nothing is left listening. Not a signal handler: callers that own the
// process (the vitest global setup, the demo) decide what SIGINT does.
const tracked = new Set<number>();
const trackedDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllTrackedSync);
}

function trackForExit(pid: number): void {
  installExitHook();
  tracked.add(pid);
}

function untrack(pid: number): void {
  tracked.delete(pid);
}

/** Removes `dir` when the host process exits, unless `releaseDir` was called first. */
export function trackDirForExit(dir: string): void {
  installExitHook();
  trackedDirs.add(dir);
}

export function releaseDir(dir: string): void {
  trackedDirs.delete(dir);
}

/** SIGKILLs every service process still running and removes their temp dirs, synchronously (safe in signal handlers). */
export function killAllTrackedSync(): void {
  for (const pid of tracked) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  tracked.clear();
  for (const dir of trackedDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  trackedDirs.clear();
}
