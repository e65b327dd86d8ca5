import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { QueueSync } from '../../../protocols/durable-queue/index.js';

/** queue-writer-child.ts as built by `npm run build` (tests that spawn processes run the built code). */
export const WRITER_CHILD = fileURLToPath(
  new URL('../../../dist/tests/unit/durable-queue/queue-writer-child.js', import.meta.url),
);

export interface KilledRun {
  /** the last entry the child reported stored */
  appended: number;
  /** how many of the oldest entries the child reported taken */
  taken: number;
}

/**
 * Starts a child process writing to a `kind` queue in `dir` as fast as it can, lets it report at least `atLeast`
 * stored entries, and kills it with SIGKILL while it is writing. Resolves once it is dead, with what it reported;
 * rejects with what it saw when that takes longer than `timeoutMs`.
 */
export function killedWriter(
  kind: string,
  dir: string,
  sync: QueueSync,
  atLeast: number,
  timeoutMs = 30_000,
): Promise<KilledRun> {
  if (!existsSync(WRITER_CHILD))
    throw new Error(`${WRITER_CHILD} is missing: run \`npm run build\` (npm test does it) first`);
  const child = spawn(process.execPath, [WRITER_CHILD, kind, dir, sync], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: KilledRun = { appended: 0, taken: 0 };
  let stderr = '';
  let buf = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr += s;
  });
  child.stdout.setEncoding('utf8');
  return new Promise<KilledRun>((resolve, reject) => {
    let killed = false;
    let late: Error | undefined;
    const deadline = setTimeout(() => {
      late = new Error(
        `queue writer did not report ${atLeast} entries within ${timeoutMs} ms (last: +${run.appended} -${run.taken}, killed: ${killed}): ${stderr}`,
      );
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('+')) run.appended = Number(line.slice(1));
        else if (line.startsWith('-')) run.taken = Number(line.slice(1));
      }
      if (!killed && run.appended >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      if (late) reject(late);
      else if (signal === 'SIGKILL' && killed) resolve(run);
      else reject(new Error(`queue writer exited on its own (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}
