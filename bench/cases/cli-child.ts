/**
 * Runs the built `plantpulse` CLI (dist/cli/main.js, next to this file's dist/bench/cases) as a child process, as a
 * user would, and waits on its JSON log lines. (tests/helpers/cli-process.ts does the same for tests run from
 * source; this one resolves the CLI from dist/.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BenchCaseError } from './bench-case-error.js';

export const CLI = join(import.meta.dirname, '..', '..', 'cli', 'main.js');

const live = new Set<ChildProcess>();

/** SIGKILLs every child process the bench started and has not stopped (on Ctrl-C of the run). */
export function killBenchChildrenSync(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** Registers a child of the bench so killBenchChildrenSync() ends it; forgotten when it exits. */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export interface CliChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** resolves with the first log line (past or future) matching; rejects on exit or after timeoutMs */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** the last stderr text, for errors */
  tail(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

export function spawnCliChild(args: string[], env: NodeJS.ProcessEnv = {}): CliChild {
  if (!existsSync(CLI))
    throw new BenchCaseError('BENCH_CHILD_FAILED', `${CLI} is missing: npm run build first`);
  // BENCH_CPU_PROF_DIR=<dir>: each child writes a V8 CPU profile there when it exits (to find a stage's hot spots)
  const profDir = process.env['BENCH_CPU_PROF_DIR'];
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const child = spawn(process.execPath, [...prof, CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  let err = '';
  let buf = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!text.startsWith('{')) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      // keep only what a wait may still need: info and above, bounded
      if (lines.length < 5000) lines.push(line);
      for (const w of waiters) {
        if (w.match(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err = (err + c).slice(-4000);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid: child.pid ?? -1,
    tail: () => err,
    exited: isExited,
    waitFor(match, timeoutMs = 60_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(t);
            resolve(l);
          },
        };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(
            new BenchCaseError(
              'BENCH_TIMEOUT',
              `plantpulse ${args[0]}: no expected line in ${timeoutMs} ms; stderr: ${err}`,
            ),
          );
        }, timeoutMs);
        waiters.add(w);
        void exit.then(() => {
          clearTimeout(t);
          reject(
            new BenchCaseError(
              'BENCH_CHILD_FAILED',
              `plantpulse ${args[0]} exited ${child.exitCode}; stderr: ${err}`,
            ),
          );
        });
      });
    },
    async stop() {
      if (isExited()) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(t);
    },
  };
}
