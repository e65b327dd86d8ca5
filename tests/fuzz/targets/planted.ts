/**
 * Targets with a bug planted on purpose, so the harness itself is tested (tests/fuzz/harness.test.ts): a fuzzer
 * that cannot find a crash, a hang, a leak or a dying process proves nothing about the real targets.
 * Each bug needs a 2-byte marker somewhere in a random input, which random bytes hit within a few thousand cases.
 */
import { fromBase64, hexPreview, mutate, shrinkBytes, toBase64 } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';
import { defineTarget, Finding, type FuzzTarget } from '../harness/target.js';

/** Marker pairs: the bug fires when the input holds these two bytes next to each other. */
const CRASH = [0xde, 0xad] as const;
const HANG = [0xbe, 0xef] as const;
const DIE = [0xca, 0xfe] as const;

function has(b: Uint8Array, m: readonly [number, number]): boolean {
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === m[0] && b[i + 1] === m[1]) return true;
  return false;
}

function generate(rng: Rng): Uint8Array {
  const seed = rng.bytes(rng.range(8, 64));
  return rng.chance(0.5) ? seed : mutate(rng, seed, 6);
}

function bytesTarget(name: string, run: (b: Uint8Array) => void | Promise<void>): FuzzTarget<Uint8Array> {
  return {
    name,
    summary: `planted bug (harness self-test): ${name}`,
    shortCases: 3000,
    caseTimeoutMs: 1000,
    memoryBoundBytes: 8 * 1024 * 1024,
    checkEvery: 500,
    generate,
    run,
    save: (b) => ({ base64: toBase64(b), hex: hexPreview(b) }),
    load: (s) => fromBase64((s as { base64: string }).base64),
    shrink: shrinkBytes,
    size: (b) => b.length,
  };
}

/** A TypeError on a marker (the shape of a decoder bug). */
export const plantedCrash = defineTarget(
  bytesTarget('planted-crash', (b) => {
    if (has(b, CRASH)) (undefined as unknown as { x: number }).x;
  }),
);

/** An endless loop on a marker: only the supervisor's time limit can stop it. */
export const plantedHang = defineTarget(
  bytesTarget('planted-hang', (b) => {
    if (has(b, HANG)) for (;;);
  }),
);

/** An 'error' event nobody listens to, on a marker: the process dies as a server would. */
export const plantedDeath = defineTarget(
  bytesTarget('planted-death', (b) => {
    if (has(b, DIE)) {
      setImmediate(() => {
        throw new Error('planted: an error event nobody listens to');
      });
    }
  }),
);

const kept: Uint8Array[] = [];
/** Keeps 64 KiB of every case: the heap grows without bound. */
export const plantedLeak = defineTarget(
  bytesTarget('planted-leak', () => {
    kept.push(new Uint8Array(64 * 1024));
  }),
);

/** A Finding on a marker, listed as known: reported, does not fail the run. */
export const plantedKnown = defineTarget({
  ...bytesTarget('planted-known', (b) => {
    if (has(b, CRASH)) throw new Finding('planted-known-rule', 'planted: a finding being fixed elsewhere');
  }),
  known: { 'planted-known-rule': 'planted: a known finding (harness self-test)' },
});

let casesInThisProcess = 0;
/** Stalls on the marker only after 50 cases in one process: a replay alone runs clean (a stall of the machine). */
export const plantedStall = defineTarget(
  bytesTarget('planted-stall', (b) => {
    casesInThisProcess++;
    if (has(b, HANG) && casesInThisProcess > 50) for (;;);
  }),
);
