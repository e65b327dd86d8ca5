/**
 * What a fuzz target is: a generator of inputs from a seeded Rng, a `run` that feeds one input to the component
 * and throws on anything the component must never do, and how to save, load and shrink an input for a reproducer.
 * The harness (child.ts, supervisor.ts) adds the budget, the per-case time limit, the memory bound and the reports.
 */
import type { Rng } from './prng.js';

/** What a target needs from outside: a scratch dir, and the real services the run provides. */
export interface FuzzEnv {
  /** an empty directory of this run (spool, config files, dead letters), removed afterwards */
  workDir: string;
  /** http://127.0.0.1:<port> of a running InfluxDB 1.x, for targets that read it (the API) */
  influxUrl?: string;
}

export interface FuzzTarget<I> {
  readonly name: string;
  /** one line: what is fed to what */
  readonly summary: string;
  /** cases of the CI short pass (`npm test`) */
  readonly shortCases: number;
  /**
   * cases of a full `npm run fuzz` run when `--cases` is not given: 100,000 unless set here, for a target whose
   * every case costs real time (a whole Modbus source whose bad answers end in timeouts and reconnects)
   */
  readonly fullCases?: number;
  /** a case running longer than this is a hang (the child is killed and the case reported) */
  readonly caseTimeoutMs: number;
  /** growth of heap + array buffers after GC, from the first sample to any later one, that counts as a leak */
  readonly memoryBoundBytes: number;
  /** check liveness (and sample memory) every this many cases */
  readonly checkEvery?: number;
  start?(env: FuzzEnv): Promise<void>;
  /** the input of one case; pure: depends on `rng` only, so (seed, index) reproduces it */
  generate(rng: Rng): I;
  /** feeds one input; returns when the component handled it as it may, throws `Finding` (or anything) otherwise */
  run(input: I): void | Promise<void>;
  /** throws when the component stopped serving well-behaved peers (a live client, an honest device) */
  liveness?(): Promise<void>;
  stop?(): Promise<void>;
  /** JSON-able form of an input, and back (`load(save(x))` runs like `x`) */
  save(input: I): unknown;
  load(saved: unknown): I;
  /** smaller variants of a failing input, most promising first */
  shrink?(input: I): Iterable<I>;
  /** size of an input, for the report (bytes, characters, packets) */
  size(input: I): number;
  /**
   * What the run reached, as counts (values decoded, good and bad reads, 2xx and 401 answers…): the short pass
   * checks that a target gets past the first parser instead of bouncing every case off it.
   */
  coverage?(): Record<string, number>;
  /**
   * Findings already known and being fixed elsewhere, by rule (`Finding.kind`) → why it is known (the issue, the
   * branch). They are still found, reported and written to disk, marked `known`, but do not fail the run: when
   * the fix lands the note is removed and the rule fails the run again.
   */
  readonly known?: Readonly<Record<string, string>>;
}

/**
 * A target's input type erased, so targets of different input types sit in one registry. Only the harness calls
 * these, always with an input the same target produced.
 */
export type AnyTarget = FuzzTarget<unknown>;

export function defineTarget<I>(t: FuzzTarget<I>): AnyTarget {
  return t as unknown as AnyTarget;
}

/**
 * The component did something it must never do although it did not throw: a good value from a short Modbus
 * response, a 200 without a token, a broker that stopped serving. `kind` names the rule.
 */
export class Finding extends Error {
  constructor(
    readonly kind: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Finding';
  }
}

/** Throws a Finding unless `cond`. */
export function expectThat(cond: boolean, kind: string, message: () => string): asserts cond {
  if (!cond) throw new Finding(kind, message());
}

/** Resolves `p`, or rejects with a Finding of kind `hang` after `ms` (for waits inside a case). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Finding('hang', `${what}: no outcome within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
