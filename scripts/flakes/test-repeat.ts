/**
 * `npm run test:repeat -- <N> [options] [vitest filters…]`: runs the suite (or the chosen files) N times and reports
 * every test that failed at least once, with its first failure. The flake hunter of the README's Tests section.
 *
 *   --faketime "<YYYY-MM-DD hh:mm:ss>"  run under libfaketime, the clock starting at that UTC time (Debian faketime)
 *   --busy [n]                          keep n cores (default: all) busy with spinning processes during every run
 *   --bail                              stop at the first run that fails
 *   --out <dir>                         where the reports go (default test-artifacts/flakes)
 *
 * Exit code 0 when every run passed, 1 when any test failed, 2 on a usage error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDebianPackages } from '../services/debian-packages.js';
import { formatMarkdown, type RunOutcome, summarise, type VitestJsonReport } from './flake-report.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export interface RepeatOptions {
  runs: number;
  faketime?: string;
  busy?: number;
  bail: boolean;
  out: string;
  filters: string[];
}

export function parseArgs(argv: readonly string[]): RepeatOptions {
  const [first, ...rest] = argv;
  const runs = Number(first);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
    throw new Error(`the first argument is how many runs (1…1000), not "${first ?? ''}"`);
  const o: RepeatOptions = { runs, bail: false, out: join(ROOT, 'test-artifacts', 'flakes'), filters: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (a === '--faketime') {
      const v = rest[++i];
      if (!v || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v))
        throw new Error('--faketime takes a UTC time "YYYY-MM-DD hh:mm:ss"');
      o.faketime = v;
    } else if (a === '--busy') {
      const v = rest[i + 1];
      if (v !== undefined && /^\d+$/.test(v)) {
        o.busy = Number(v);
        i++;
      } else o.busy = availableParallelism();
    } else if (a === '--bail') o.bail = true;
    else if (a === '--out') {
      const v = rest[++i];
      if (!v) throw new Error('--out takes a directory');
      o.out = resolve(v);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.filters.push(a);
  }
  return o;
}

/** Spinning processes that keep cores busy; stopped by PID. */
function startBusy(n: number): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore', detached: false }),
  );
}

async function runOnce(run: number, o: RepeatOptions): Promise<RunOutcome> {
  const report = join(o.out, `run-${run}.json`);
  await rm(report, { force: true });
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [
    vitest,
    'run',
    '--reporter=dot',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...o.filters,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  if (o.faketime) {
    // An offset, not libfaketime's '@start' (which restarts the clock at that time in every new process, so a
    // child spawned a minute later would disagree with its parent): every process (node, chromium, mosquitto)
    // inherits the preload and sees the same wall clock, starting at the chosen time. Monotonic clocks stay real,
    // so timers and timeouts behave as usual.
    const offsetS = (Date.parse(`${o.faketime.replace(' ', 'T')}Z`) - Date.now()) / 1000;
    env['LD_PRELOAD'] = [FAKETIME_LIB, env['LD_PRELOAD']].filter(Boolean).join(':');
    env['FAKETIME'] = `${offsetS >= 0 ? '+' : ''}${offsetS.toFixed(3)}`;
    env['FAKETIME_DONT_FAKE_MONOTONIC'] = '1';
    env['FAKETIME_NO_CACHE'] = '1';
  }
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exitCode = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let parsed: VitestJsonReport | undefined;
  if (existsSync(report)) {
    try {
      parsed = JSON.parse(await readFile(report, 'utf8')) as VitestJsonReport;
    } catch {
      parsed = undefined;
    }
  }
  return { run, report: parsed, exitCode, durationMs: Date.now() - started, tail };
}

export async function main(argv: readonly string[]): Promise<number> {
  let o: RepeatOptions;
  try {
    o = parseArgs(argv);
  } catch (err) {
    process.stderr.write(
      `${(err as Error).message}\nusage: npm run test:repeat -- <N> [--faketime "YYYY-MM-DD hh:mm:ss"] [--busy [n]] [--bail] [--out dir] [files…]\n`,
    );
    return 2;
  }
  if (o.faketime) await ensureDebianPackages(['faketime']);
  await mkdir(o.out, { recursive: true });
  const conditions: string[] = [];
  if (o.faketime) conditions.push(`clock starts at ${o.faketime} UTC (libfaketime)`);
  if (o.busy) conditions.push(`${o.busy} spinning processes keep the cores busy`);
  const busy = o.busy ? startBusy(o.busy) : [];
  const outcomes: RunOutcome[] = [];
  try {
    for (let run = 1; run <= o.runs; run++) {
      process.stdout.write(
        `\n=== run ${run}/${o.runs}${conditions.length ? ` (${conditions.join('; ')})` : ''}\n`,
      );
      const r = await runOnce(run, o);
      outcomes.push(r);
      const s = summarise([r], ROOT);
      process.stdout.write(
        `\n=== run ${run}: ${s.passedRuns === 1 ? 'passed' : 'FAILED'} in ${Math.round(r.durationMs / 1000)} s\n`,
      );
      if (o.bail && s.passedRuns === 0) break;
    }
  } finally {
    for (const b of busy) b.kill('SIGKILL');
  }
  const summary = summarise(outcomes, ROOT);
  const command = `npm run test:repeat -- ${argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`;
  const md = formatMarkdown(summary, { command, conditions });
  await writeFile(join(o.out, 'flakes.md'), md);
  await writeFile(
    join(o.out, 'flakes.json'),
    `${JSON.stringify({ command, conditions, ...summary }, null, 2)}\n`,
  );
  process.stdout.write(`\n${md}\nreport: ${join(o.out, 'flakes.md')}\n`);
  return summary.passedRuns === summary.runs ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
