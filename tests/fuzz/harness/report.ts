/**
 * Crash reports: what went wrong, where, and the input that does it, written as one JSON file per distinct crash
 * under `test-artifacts/fuzz/<target>/` so `npm run fuzz -- --replay <file>` can run it again.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Finding } from './target.js';

/**
 * - exception: `run` threw something the component may not throw (a TypeError, a RangeError, a stack overflow…)
 * - finding: the component broke one of the target's rules without throwing (a `Finding`)
 * - hang: a case ran past the target's time limit (the child process was killed)
 * - memory: heap + array buffers after GC grew past the target's bound
 * - died: the process died (an uncaught exception or unhandled rejection in the component, out of memory)
 */
export type CrashKind = 'exception' | 'finding' | 'hang' | 'memory' | 'died';

export interface CrashReport {
  target: string;
  kind: CrashKind;
  /** the error's class (TypeError…), the Finding's rule, or the hang/memory/died detail */
  errorClass: string;
  message: string;
  stack?: string;
  /** the run's seed and the case that failed: `--seed <seed>` reaches it again */
  seed: number;
  case: number;
  /** the (minimised) input as the target saves it */
  input: unknown;
  inputSize: number;
  originalSize: number;
  minimised: boolean;
  /** what makes two crashes the same crash (dedup, and what minimisation must preserve) */
  signature: string;
  memory?: { baselineBytes: number; nowBytes: number; boundBytes: number };
  /** a finding the target lists as known (`FuzzTarget.known`): reported, does not fail the run */
  known?: string;
  /** a hang whose input ran clean when replayed alone: why it does not count */
  unconfirmed?: string;
  /** the report file, once written */
  file?: string;
}

/** The class, message and stack of anything thrown. */
export function describeThrown(err: unknown): { errorClass: string; message: string; stack?: string } {
  if (err instanceof Finding) {
    return { errorClass: err.kind, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  if (err instanceof Error) {
    const stack = err.stack;
    return {
      errorClass: err.constructor?.name || err.name || 'Error',
      message: err.message,
      ...(stack ? { stack } : {}),
    };
  }
  return { errorClass: typeof err, message: String(err) };
}

/** The first stack frame (file:line), which tells two TypeErrors apart. */
function topFrame(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = /\(?([^()\s]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (m) return `${(m[1] ?? '').replace(/^.*\/(dist|node_modules)\//, '$1/')}:${m[2]}`;
  }
  return '?';
}

/** Same crash = same kind, class and place (or, for a Finding, the same rule and message shape). */
export function signatureOf(kind: CrashKind, err: unknown): string {
  const d = describeThrown(err);
  if (err instanceof Finding || kind === 'hang' || kind === 'memory' || kind === 'died') {
    const shape = d.message
      .replace(/\d+/g, '#')
      .replace(/"[^"]*"/g, '"…"')
      .slice(0, 80);
    return `${kind}:${d.errorClass}:${shape}`;
  }
  return `${kind}:${d.errorClass}:${topFrame(d.stack)}`;
}

export async function writeReport(outDir: string, r: CrashReport): Promise<string> {
  const dir = join(outDir, r.target);
  await mkdir(dir, { recursive: true });
  const id = createHash('sha256').update(r.signature).digest('hex').slice(0, 10);
  const file = join(dir, `${r.kind}-${id}.json`);
  const replay = `npm run fuzz -- --replay ${file}`;
  await writeFile(file, `${JSON.stringify({ ...r, file, replay }, null, 2)}\n`);
  return file;
}

/** One line per crash for the console. */
export function crashLine(r: CrashReport): string {
  const size = r.minimised ? `${r.inputSize} (minimised from ${r.originalSize})` : `${r.inputSize}`;
  const msg = r.message.split('\n')[0]?.slice(0, 160) ?? '';
  const tag = r.known !== undefined ? 'KNOWN ' : r.unconfirmed !== undefined ? 'UNCONFIRMED ' : '';
  return `${tag}${r.kind} ${r.errorClass}: ${msg} — seed ${r.seed} case ${r.case}, input size ${size}${
    r.file ? `, ${r.file}` : ''
  }`;
}
