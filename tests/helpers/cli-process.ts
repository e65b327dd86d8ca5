/**
 * Runs `plantpulse` (the built CLI in dist/, as a user would: `npm test` builds first) as a child process and reads
 * its JSON-line output (pino logs and the simulator's events).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** every stdout line parsed as JSON (non-JSON lines as { raw }) so far */
  readonly lines: Record<string, unknown>[];
  /** stderr text so far */
  stderr(): string;
  /** resolves with the first line (past or future) matching, or rejects after timeoutMs with the output so far */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** sends the signal and resolves with the exit code (null when killed by a signal) */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** the entry script to run (default: this checkout's dist/cli/main.js; e.g. an installed package's bin) */
  entry?: string;
}

export function spawnCli(args: string[], opts: CliOptions = {}): CliProcess {
  const entry = opts.entry ?? CLI;
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build\` (npm test does it) first`);
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let err = '';
  let buf = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!text.trim()) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { raw: text };
      }
      lines.push(line);
      for (let w = waiters.length - 1; w >= 0; w--) {
        const waiter = waiters[w];
        if (waiter?.match(line)) {
          waiters.splice(w, 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tail = () =>
    `\n--- stdout (last 15 lines) ---\n${lines
      .slice(-15)
      .map((l) => JSON.stringify(l))
      .join('\n')}\n--- stderr ---\n${err.slice(-2000)}`;
  return {
    child,
    pid: child.pid ?? -1,
    lines,
    stderr: () => err,
    exited,
    waitFor(match, timeoutMs = 60_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs} ms waiting for a line${tail()}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
        exited.then((code) => {
          clearTimeout(t);
          reject(new Error(`process exited (${code}) before the expected line${tail()}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** Runs `plantpulse <args>` to completion: its exit code and its whole stdout and stderr. */
export function runCli(
  args: string[],
  opts: CliOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnCli(args, opts);
  let stdout = '';
  p.child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  return p.exited.then((code) => ({ code, stdout, stderr: p.stderr() }));
}
