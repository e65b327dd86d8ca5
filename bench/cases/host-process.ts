/**
 * A helper process of a case (a simulator host, the aedes host): started with `node <script>`, ready when it prints
 * its first JSON line on stdout, stopped by closing its stdin (SIGKILL after a deadline).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { BenchCaseError } from './bench-case-error.js';
import { trackChild } from './cli-child.js';

export interface HostProcess<T> {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly info: T;
  stop(): Promise<void>;
}

export async function startHost<T>(
  script: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {},
): Promise<HostProcess<T>> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...opts.env },
  });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<T>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new BenchCaseError('BENCH_TIMEOUT', `${script} not ready in ${opts.readyTimeoutMs ?? 60_000} ms`),
      );
    }, opts.readyTimeoutMs ?? 60_000);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new BenchCaseError('BENCH_CHILD_FAILED', `${script} exited ${code} before it was ready`));
    });
  });
  child.stdout?.resume();
  return {
    child,
    pid: child.pid ?? -1,
    info,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
