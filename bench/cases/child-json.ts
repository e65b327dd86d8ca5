/**
 * Runs a built bench script (dist/…) as a child process and returns the last JSON object it printed on stdout
 * (`--json` mode of bench/modbus and bench/opcua). stderr is passed through as progress.
 */
import { spawn } from 'node:child_process';
import { BenchCaseError } from './bench-case-error.js';
import { trackChild } from './cli-child.js';

export async function runJsonScript<T>(
  script: string,
  args: readonly string[],
  opts: { timeoutMs: number; progress?: (msg: string) => void },
): Promise<T> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    err += c;
    for (const l of c.split('\n')) if (l.trim()) opts.progress?.(l.trim());
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const line = out
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (code !== 0 || line === undefined) {
    throw new BenchCaseError(
      'BENCH_CHILD_FAILED',
      `${script} ${args.join(' ')} exited ${code} without a JSON result: ${err.slice(-800)}`,
    );
  }
  return JSON.parse(line) as T;
}
