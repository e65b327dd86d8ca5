/**
 * `npm run fuzz [-- target…] [--target NAME]… [--cases N] [--seed S] [--out DIR] [--influx-url URL] [--short]
 *  [--replay FILE]`
 *
 * Runs each target (all product targets by default) for N cases (default 100,000, or the target's `fullCases`), one
 * after the other, prints what it found and writes a report per distinct crash under `test-artifacts/fuzz/<target>/`.
 * Exit code 1 when anything crashed; findings a target lists as known are reported but do not count. `--short` runs each target's CI budget with the CI seed; `--replay` runs a report's input again.
 * The API target needs InfluxDB: without `--influx-url` a private one is started (scripts/services).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type InfluxdService, startInfluxd } from '../../scripts/services/influxd.js';
import { crashLine } from './harness/report.js';
import { CI_SEED, fuzzTarget, replayReport, type TargetRun } from './harness/supervisor.js';
import { isTargetName, loadTarget, PRODUCT_TARGETS } from './targets/index.js';

const DEFAULT_CASES = 100_000;

interface Args {
  targets: string[];
  cases: number | undefined;
  seed: number;
  out: string;
  influxUrl: string | undefined;
  short: boolean;
  replay: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    targets: [],
    cases: undefined,
    seed: Math.floor(Math.random() * 2 ** 31),
    out: resolve('test-artifacts/fuzz'),
    influxUrl: undefined,
    short: false,
    replay: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (v: string) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${arg}: ${v} is not a whole number`);
      return n;
    };
    if (arg === '--cases') a.cases = int(value());
    else if (arg === '--seed') a.seed = int(value());
    else if (arg === '--out') a.out = resolve(value());
    else if (arg === '--influx-url') a.influxUrl = value();
    else if (arg === '--replay') a.replay = value();
    else if (arg === '--target') {
      const name = value();
      if (!isTargetName(name))
        throw new Error(`no fuzz target ${name}; targets: ${PRODUCT_TARGETS.join(', ')}`);
      a.targets.push(name);
    } else if (arg === '--short') {
      a.short = true;
      a.seed = CI_SEED;
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else if (!isTargetName(arg))
      throw new Error(`no fuzz target ${arg}; targets: ${PRODUCT_TARGETS.join(', ')}`);
    else a.targets.push(arg);
  }
  if (a.targets.length === 0) a.targets = [...PRODUCT_TARGETS];
  return a;
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

function summary(r: TargetRun): string {
  const mem = r.memory;
  const first = mem[0]?.bytes;
  const max = mem.reduce((m, s) => Math.max(m, s.bytes), 0);
  const memText = first === undefined ? '' : `, heap after GC ${mib(first)} → max ${mib(max)}`;
  const rate = r.ms > 0 ? Math.round((r.cases * 1000) / r.ms) : 0;
  const cov = Object.entries(r.coverage)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${r.target}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s (${rate}/s), seed ${r.seed}, ${
    r.crashes.length
  } crash(es)${r.known.length ? `, ${r.known.length} known finding(s)` : ''}${
    r.unconfirmed.length ? `, ${r.unconfirmed.length} unconfirmed hang(s)` : ''
  }${r.duplicates ? ` (+${r.duplicates} repeats)` : ''}${r.restarts ? `, ${r.restarts} restart(s)` : ''}${memText}${cov ? `; reached: ${cov}` : ''}`;
}

async function replay(file: string, influxUrl: string | undefined): Promise<number> {
  const r = JSON.parse(await readFile(file, 'utf8')) as {
    target: string;
    seed: number;
    case: number;
    input: unknown;
  };
  const outcome = await replayReport({
    target: r.target,
    seed: r.seed,
    case: r.case,
    input: r.input,
    outDir: resolve('test-artifacts/fuzz'),
    ...(influxUrl === undefined ? {} : { influxUrl }),
  });
  console.log(outcome === 'clean' ? `${file}: runs clean now` : `${file}: still fails: ${outcome}`);
  return outcome === 'clean' ? 0 : 1;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  let influx: InfluxdService | undefined;
  const needsInflux = async () => {
    if (args.influxUrl !== undefined) return args.influxUrl;
    influx ??= await startInfluxd();
    return influx.url;
  };
  try {
    if (args.replay !== undefined) {
      const r = JSON.parse(await readFile(args.replay, 'utf8')) as { target: string };
      return await replay(args.replay, r.target === 'api-paths' ? await needsInflux() : undefined);
    }
    const runs: TargetRun[] = [];
    for (const name of args.targets) {
      const target = await loadTarget(name);
      const cases = args.cases ?? (args.short ? target.shortCases : (target.fullCases ?? DEFAULT_CASES));
      console.log(`${name}: ${target.summary}; ${cases} cases, seed ${args.seed}`);
      let shown = 0;
      const run = await fuzzTarget({
        target: name,
        seed: args.seed,
        cases,
        outDir: args.out,
        ...(name === 'api-paths' ? { influxUrl: await needsInflux() } : {}),
        onProgress: (done, total) => {
          const pct = Math.floor((done * 10) / Math.max(1, total));
          if (pct > shown) {
            shown = pct;
            process.stderr.write(`  ${name}: ${pct * 10}%\n`);
          }
        },
      });
      runs.push(run);
      console.log(summary(run));
      for (const c of [...run.crashes, ...run.known, ...run.unconfirmed]) console.log(`  ${crashLine(c)}`);
    }
    await mkdir(args.out, { recursive: true });
    await writeFile(join(args.out, 'summary.json'), `${JSON.stringify(runs, null, 2)}\n`);
    const crashed = runs.reduce((n, r) => n + r.crashes.length, 0);
    console.log(`\n${runs.map(summary).join('\n')}`);
    for (const k of runs.flatMap((r) => r.known))
      console.log(`known, not failing: ${k.target} ${k.errorClass}: ${k.known}`);
    console.log(crashed === 0 ? 'no crashes' : `${crashed} crash(es); reports in ${args.out}`);
    return crashed === 0 ? 0 : 1;
  } finally {
    await influx?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
