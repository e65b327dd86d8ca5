/**
 * Runs one target's budget of cases in child processes (the compiled `dist/tests/fuzz/harness/child.js`, with
 * --expose-gc and a capped heap) and turns what they report into crash reports on disk. It owns the per-case time
 * limit: a child that does not start its next case in time is killed, the hanging case is reported, and a new child
 * continues after it; a child that dies (uncaught exception, out of memory) is reported and replaced the same way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTarget } from '../targets/index.js';
import { caseRng } from './prng.js';
import type { ChildConfig, ChildMessage, MemorySample } from './protocol.js';
import { type CrashReport, signatureOf, writeReport } from './report.js';
import { type AnyTarget, Finding } from './target.js';

/** The seed of the CI short pass (tests/fuzz/fuzz-short.test.ts, `npm run fuzz -- --short`). */
export const CI_SEED = 20_261_206;

/** Slack on top of a target's own time limit: IPC and GC pauses on a loaded 2-core machine. */
const GRACE_MS = 3000;
const START_TIMEOUT_MS = 120_000;
const MAX_RESTARTS = 25;
/** hangs and deaths are minimised by replaying candidates in fresh children: slow, so few */
const REPLAY_MINIMISE = { replays: 24, ms: 90_000 };

export interface FuzzOptions {
  target: string;
  seed: number;
  cases: number;
  /** crash reports go to `<outDir>/<target>/` */
  outDir: string;
  influxUrl?: string;
  /** stop a target after this many distinct crashes (default 10) */
  maxCrashes?: number;
  /** called as cases complete */
  onProgress?: (done: number, total: number) => void;
  /** slack on top of the target's case time limit before a case counts as hung (default 3000 ms) */
  graceMs?: number;
  /** replays spent minimising each hang or death (default 24) */
  minimiseReplays?: number;
}

export interface TargetRun {
  target: string;
  seed: number;
  /** cases run (a target stopped by a memory or liveness failure runs fewer) */
  cases: number;
  ms: number;
  /** distinct crashes, each written to `file` */
  crashes: CrashReport[];
  /** distinct findings the target lists as known (`FuzzTarget.known`), written to `file` too: not failures */
  known: CrashReport[];
  /** hangs whose input ran clean when replayed alone (the machine stalled, not the input): written, not failures */
  unconfirmed: CrashReport[];
  /** crashes seen again with a signature already reported */
  duplicates: number;
  /** children started after the first (one per hang or death) */
  restarts: number;
  memory: MemorySample[];
  /** the target's coverage counts, summed over its children */
  coverage: Record<string, number>;
}

/** The compiled child entry: next to this file when running from dist/, else in the repository's dist/. */
export function childEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (here.split(sep).includes('dist')) return join(here, 'child.js');
  return resolve(here, '../../../dist/tests/fuzz/harness/child.js');
}

interface ChildOutcome {
  /** the case to continue from, or undefined when the child finished its range */
  resumeAt: number | undefined;
  cases: number;
}

interface RunState {
  crashes: Map<string, CrashReport>;
  duplicates: number;
  memory: MemorySample[];
  coverage: Record<string, number>;
}

function inputOf(target: AnyTarget, seed: number, index: number): { input: unknown; size: number } {
  const x = target.generate(caseRng(seed, index));
  return { input: target.save(x), size: target.size(x) };
}

function spawnChild(cfg: ChildConfig): { child: ChildProcess; stderr: () => string } {
  const entry = childEntry();
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const child = fork(entry, [JSON.stringify(cfg)], {
    execArgv: ['--expose-gc', '--max-old-space-size=768'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    err = (err + s).slice(-4000);
  });
  return { child, stderr: () => err };
}

/** Runs cases [from, to) in one child until it finishes, hangs or dies. */
function runChild(
  target: AnyTarget,
  o: FuzzOptions,
  from: number,
  workDir: string,
  state: RunState,
): Promise<ChildOutcome> {
  const cfg: ChildConfig = {
    target: o.target,
    seed: o.seed,
    from,
    to: o.cases,
    workDir,
    maxCrashes: Math.max(1, (o.maxCrashes ?? 10) - state.crashes.size),
    ...(o.influxUrl === undefined ? {} : { influxUrl: o.influxUrl }),
  };
  const { child, stderr } = spawnChild(cfg);
  const grace = o.graceMs ?? GRACE_MS;
  return new Promise<ChildOutcome>((resolvePromise, reject) => {
    let current = from - 1;
    let ready = false;
    let inCase = false;
    let busy = '';
    let finished: number | undefined;
    let killedFor: CrashReport | undefined;
    let fatal: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, onFire: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(onFire, ms);
    };
    const add = (r: CrashReport) => {
      if (state.crashes.has(r.signature)) state.duplicates++;
      else state.crashes.set(r.signature, r);
    };
    const hang = (what: string, limitMs: number) => {
      const f = new Finding('hang', `${what} did not finish within ${limitMs} ms`);
      const base: CrashReport = {
        target: o.target,
        kind: 'hang',
        errorClass: 'hang',
        message: f.message,
        seed: o.seed,
        case: current,
        input: null,
        inputSize: 0,
        originalSize: 0,
        minimised: false,
        signature: signatureOf('hang', f),
      };
      if (inCase) {
        const { input, size } = inputOf(target, o.seed, current);
        Object.assign(base, { input, inputSize: size, originalSize: size });
      }
      killedFor = base;
      child.kill('SIGKILL');
    };
    arm(START_TIMEOUT_MS, () => hang(`${o.target} start`, START_TIMEOUT_MS));
    child.on('message', (raw) => {
      const m = raw as ChildMessage;
      switch (m.t) {
        case 'ready':
          ready = true;
          clearTimeout(timer);
          return;
        case 'case':
          current = m.i;
          inCase = true;
          busy = '';
          o.onProgress?.(m.i, o.cases);
          arm(target.caseTimeoutMs + grace, () => hang(`case ${m.i}`, target.caseTimeoutMs + grace));
          return;
        case 'busy':
          busy = m.what;
          inCase = false;
          arm(m.ms + grace, () => hang(`${m.what} after case ${current}`, m.ms + grace));
          return;
        case 'crash': {
          const r = m.report;
          if (r.kind === 'died' && r.input === null && inCase) {
            const { input, size } = inputOf(target, o.seed, current);
            Object.assign(r, { input, inputSize: size, originalSize: size });
          }
          add(r);
          return;
        }
        case 'minimised':
          if (state.crashes.has(m.report.signature)) state.crashes.set(m.report.signature, m.report);
          return;
        case 'memory':
          state.memory.push(m.sample);
          return;
        case 'done':
          finished = m.cases;
          for (const [k, v] of Object.entries(m.coverage)) state.coverage[k] = (state.coverage[k] ?? 0) + v;
          return;
        case 'fatal':
          fatal = m.message;
          return;
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (fatal !== undefined) return reject(new Error(`fuzz target ${o.target}: ${fatal}`));
      if (!ready) {
        const why = killedFor ? killedFor.message : `exit ${signal ?? code}`;
        return reject(new Error(`fuzz target ${o.target} did not start (${why}): ${stderr().slice(-600)}`));
      }
      if (finished !== undefined && killedFor === undefined) {
        return resolvePromise({ resumeAt: undefined, cases: from + finished });
      }
      if (killedFor) add(killedFor);
      else if (code !== 70) {
        // died without saying why (out of memory, a native crash): the case it was in is the suspect
        const err = stderr();
        const why = /^.*(FATAL ERROR|Error:).*$/m.exec(err)?.[0] ?? err.slice(-600);
        const f = new Finding('died', `child exited with ${signal ?? `code ${code}`}: ${why}`);
        const r: CrashReport = {
          target: o.target,
          kind: 'died',
          errorClass: 'died',
          message: f.message,
          seed: o.seed,
          case: current,
          input: null,
          inputSize: 0,
          originalSize: 0,
          minimised: false,
          signature: signatureOf('died', new Finding('died', `exit ${signal ?? code}`)),
        };
        r.stack = err;
        if (inCase && current >= from) {
          const { input, size } = inputOf(target, o.seed, current);
          Object.assign(r, { input, inputSize: size, originalSize: size });
        }
        add(r);
      }
      const resumeAt = busy !== '' && !inCase ? current + 1 : Math.max(from, current + 1);
      resolvePromise({ resumeAt: resumeAt >= o.cases ? undefined : resumeAt, cases: current + 1 });
    });
  });
}

/** Replays one saved input in a fresh child: 'clean', 'hang', or the signature it fails with. */
async function replayOnce(target: AnyTarget, o: FuzzOptions, saved: unknown, caseIndex: number) {
  const workDir = await mkdtemp(join(tmpdir(), `plantpulse-fuzz-${o.target}-`));
  try {
    return await runReplay(target, o, caseIndex, workDir, saved);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function runReplay(
  target: AnyTarget,
  o: FuzzOptions,
  caseIndex: number,
  workDir: string,
  saved: unknown,
): Promise<'clean' | 'hang' | string> {
  const replayFile = join(workDir, 'replay-input.json');
  await writeFile(replayFile, JSON.stringify([saved]));
  const { child } = spawnChild({
    target: o.target,
    seed: o.seed,
    from: caseIndex,
    to: caseIndex + 1,
    workDir,
    maxCrashes: 1,
    replayFile,
    ...(o.influxUrl === undefined ? {} : { influxUrl: o.influxUrl }),
  });
  return await new Promise((resolvePromise) => {
    let outcome: 'clean' | 'hang' | string = 'clean';
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        outcome = 'hang';
        child.kill('SIGKILL');
      }, ms);
    };
    arm(START_TIMEOUT_MS);
    child.on('message', (raw) => {
      const m = raw as ChildMessage;
      if (m.t === 'case') arm(target.caseTimeoutMs + (o.graceMs ?? GRACE_MS));
      if (m.t === 'crash') outcome = m.report.signature;
      if (m.t === 'fatal') outcome = `fatal: ${m.message}`;
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolvePromise(outcome);
    });
  });
}

/**
 * Shrinks the input of a hang or a death by replaying smaller variants, each in a fresh child with the time limit:
 * a variant is kept when it hangs too (a hang) or dies with the same signature (a death).
 */
async function minimiseInChildren(target: AnyTarget, o: FuzzOptions, r: CrashReport): Promise<CrashReport> {
  if (target.shrink === undefined || r.input === null) return r;
  const deadline = Date.now() + REPLAY_MINIMISE.ms;
  const budget = o.minimiseReplays ?? REPLAY_MINIMISE.replays;
  const want = r.kind === 'hang' ? 'hang' : r.signature;
  let best = target.load(r.input);
  let replays = 0;
  let improved = false;
  for (let progress = true; progress; ) {
    progress = false;
    for (const candidate of target.shrink(best)) {
      if (replays >= budget || Date.now() > deadline) break;
      replays++;
      if ((await replayOnce(target, o, target.save(candidate), r.case)) === want) {
        best = candidate;
        improved = true;
        progress = true;
        break;
      }
    }
  }
  return improved ? { ...r, input: target.save(best), inputSize: target.size(best), minimised: true } : r;
}

/** Runs `o.cases` cases of one target; every distinct crash is minimised and written under `o.outDir`. */
export async function fuzzTarget(o: FuzzOptions): Promise<TargetRun> {
  const target = await loadTarget(o.target);
  const started = Date.now();
  const state: RunState = { crashes: new Map(), duplicates: 0, memory: [], coverage: {} };
  let restarts = -1;
  let from: number | undefined = 0;
  let cases = 0;
  while (from !== undefined && restarts < MAX_RESTARTS) {
    restarts++;
    const workDir = await mkdtemp(join(tmpdir(), `plantpulse-fuzz-${o.target}-`));
    try {
      const out = await runChild(target, o, from, workDir, state);
      cases = out.cases;
      from = out.resumeAt;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    if (state.crashes.size >= (o.maxCrashes ?? 10)) break;
  }
  const crashes: CrashReport[] = [];
  const known: CrashReport[] = [];
  const unconfirmed: CrashReport[] = [];
  for (const r0 of state.crashes.values()) {
    // a hang is replayed once, alone in a fresh child: on a machine whose cores other jobs keep busy, a case can
    // stall past its limit without any fault of the input
    if (
      r0.kind === 'hang' &&
      r0.input !== null &&
      (await replayOnce(target, o, r0.input, r0.case)) === 'clean'
    ) {
      const r = {
        ...r0,
        unconfirmed: 'ran clean when replayed alone: a stall of the machine, not of the input',
      };
      unconfirmed.push({ ...r, file: await writeReport(o.outDir, r) });
      continue;
    }
    const r1 = r0.kind === 'hang' || r0.kind === 'died' ? await minimiseInChildren(target, o, r0) : r0;
    const note = r1.kind === 'finding' ? target.known?.[r1.errorClass] : undefined;
    const r = note === undefined ? r1 : { ...r1, known: note };
    (note === undefined ? crashes : known).push({ ...r, file: await writeReport(o.outDir, r) });
  }
  return {
    target: o.target,
    seed: o.seed,
    cases,
    ms: Date.now() - started,
    crashes,
    known,
    unconfirmed,
    duplicates: state.duplicates,
    restarts: Math.max(0, restarts),
    memory: state.memory,
    coverage: state.coverage,
  };
}

/** Runs saved inputs (a crash report's `input`) once each, for `--replay`. */
export async function replayReport(
  o: Omit<FuzzOptions, 'cases'> & { input: unknown; case: number },
): Promise<'clean' | 'hang' | string> {
  const target = await loadTarget(o.target);
  const workDir = await mkdtemp(join(tmpdir(), `plantpulse-fuzz-${o.target}-`));
  try {
    return await runReplay(target, { ...o, cases: o.case + 1 }, o.case, workDir, o.input);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
