/**
 * A fuzzing child process (forked by supervisor.ts, run from dist/ with --expose-gc): starts one target, runs cases
 * [from, to) of a seed, and reports over IPC. Every case announces itself before it runs, so when the supervisor
 * has to kill a hung child it knows which case hung. Crashes are reported at once, then minimised in place.
 * Anything escaping the target — an uncaught exception, an unhandled rejection — is reported as the process dying.
 */
import { readFile } from 'node:fs/promises';
import { loadTarget } from '../targets/index.js';
import { minimise } from './minimise.js';
import { caseRng } from './prng.js';
import type { ChildConfig, ChildMessage } from './protocol.js';
import { type CrashKind, type CrashReport, describeThrown, signatureOf } from './report.js';
import type { AnyTarget } from './target.js';
import { Finding } from './target.js';

const DEFAULT_CHECK_EVERY = 2000;
const MINIMISE_BUDGET = { runs: 2000, ms: 20_000 };

function send(m: ChildMessage): void {
  process.send?.(m);
}

/** Sends and waits until the message is out: for the last messages before the process exits. */
function flush(m: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

/** heap + array buffers after a full GC (the supervisor always forks with --expose-gc). */
export function settledMemory(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

let current = -1;
let config: ChildConfig | undefined;

/** A report; `input` absent for crashes no single input causes (liveness, memory, a dying process). */
function report(target: AnyTarget, kind: CrashKind, err: unknown, input?: { value: unknown }): CrashReport {
  const size = input === undefined ? 0 : target.size(input.value);
  return {
    target: target.name,
    kind,
    ...describeThrown(err),
    seed: config?.seed ?? 0,
    case: current,
    input: input === undefined ? null : target.save(input.value),
    inputSize: size,
    originalSize: size,
    minimised: false,
    signature: signatureOf(kind, err),
  };
}

async function runCases(target: AnyTarget, cfg: ChildConfig): Promise<void> {
  const seen = new Set<string>();
  let duplicates = 0;
  let baseline: number | undefined;
  const checkEvery = target.checkEvery ?? DEFAULT_CHECK_EVERY;
  const inputs =
    cfg.replayFile === undefined
      ? undefined
      : (JSON.parse(await readFile(cfg.replayFile, 'utf8')) as unknown[]).map((s) => target.load(s));
  const count = inputs ? inputs.length : cfg.to - cfg.from;

  const check = async (atCase: number): Promise<boolean> => {
    if (target.liveness) {
      send({ t: 'busy', what: 'liveness check', ms: Math.max(10_000, target.caseTimeoutMs * 4) });
      try {
        await target.liveness();
      } catch (err) {
        const f = err instanceof Finding ? err : new Finding('liveness', describeThrown(err).message);
        send({ t: 'crash', report: report(target, 'finding', f) });
        return false;
      }
    }
    const bytes = settledMemory();
    send({ t: 'memory', sample: { atCase, bytes } });
    if (baseline === undefined) baseline = bytes;
    else if (bytes - baseline > target.memoryBoundBytes) {
      const growth = bytes - baseline;
      const f = new Finding(
        'memory',
        `heap + array buffers after GC grew by ${growth} bytes (bound ${target.memoryBoundBytes}) by case ${atCase}`,
      );
      send({
        t: 'crash',
        report: {
          ...report(target, 'memory', f),
          memory: { baselineBytes: baseline, nowBytes: bytes, boundBytes: target.memoryBoundBytes },
        },
      });
      return false;
    }
    return true;
  };

  for (let k = 0; k < count; k++) {
    current = cfg.from + k;
    send({ t: 'case', i: current });
    const input = inputs ? inputs[k] : target.generate(caseRng(cfg.seed, current));
    try {
      await target.run(input);
    } catch (err) {
      const kind: CrashKind = err instanceof Finding ? 'finding' : 'exception';
      const first = report(target, kind, err, { value: input });
      if (seen.has(first.signature)) {
        duplicates++;
      } else {
        seen.add(first.signature);
        send({ t: 'crash', report: first });
        if (!inputs) {
          send({ t: 'busy', what: 'minimising', ms: MINIMISE_BUDGET.ms + target.caseTimeoutMs * 2 });
          const m = await minimise(target, input, first.signature, MINIMISE_BUDGET);
          if (m.improved) {
            send({
              t: 'minimised',
              report: {
                ...first,
                input: target.save(m.input),
                inputSize: target.size(m.input),
                minimised: true,
              },
            });
          }
        }
        if (seen.size >= cfg.maxCrashes) break;
      }
    }
    // back to the event loop after every case: IPC goes out, and an error the case left behind (a socket
    // 'error' nobody listens to) surfaces while this case is still the current one
    await new Promise<void>((r) => setImmediate(r));
    if (!inputs && (k + 1) % checkEvery === 0 && !(await check(current))) {
      await flush({ t: 'done', cases: k + 1, duplicates, coverage: target.coverage?.() ?? {} });
      return;
    }
  }
  if (!inputs) await check(current);
  await flush({ t: 'done', cases: count, duplicates, coverage: target.coverage?.() ?? {} });
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  config = cfg;
  const target = await loadTarget(cfg.target);
  const died = (what: string) => (err: unknown) => {
    const f = new Finding('died', `${what}: ${describeThrown(err).message}`);
    const stack = describeThrown(err).stack;
    if (stack !== undefined) f.stack = stack;
    void flush({ t: 'crash', report: report(target, 'died', f) }).then(() => process.exit(70));
  };
  process.on('uncaughtException', died('uncaught exception'));
  process.on('unhandledRejection', died('unhandled rejection'));
  try {
    await target.start?.({
      workDir: cfg.workDir,
      ...(cfg.influxUrl === undefined ? {} : { influxUrl: cfg.influxUrl }),
    });
  } catch (err) {
    await flush({ t: 'fatal', message: `${cfg.target} did not start: ${describeThrown(err).message}` });
    process.exit(2);
  }
  send({ t: 'ready' });
  await runCases(target, cfg);
  await target.stop?.();
  process.exit(0);
}

main().catch(async (err: unknown) => {
  await flush({ t: 'fatal', message: describeThrown(err).stack ?? String(err) });
  process.exit(2);
});
