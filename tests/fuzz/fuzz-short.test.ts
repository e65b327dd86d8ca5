/**
 * The CI pass of the fuzzer (README#fuzzing): every product target for its short budget (`shortCases`) with the
 * fixed CI seed, through the real supervisor and child processes (built in dist/ by `npm test`). A crash, a hang
 * that also hangs when replayed alone, a leak or a broken rule fails its target's test with the report's line; a
 * finding the target lists as known (being fixed on another branch) is printed and does not. Each target must also
 * get past its first parser (its coverage counts), so a generator that only ever produces garbage fails here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxUrl } from '../helpers/services.js';
import { crashLine } from './harness/report.js';
import { CI_SEED, fuzzTarget } from './harness/supervisor.js';
import { loadTarget, PRODUCT_TARGETS } from './targets/index.js';

/** Counts each target must reach in its short pass: proof the cases get past the first parser. */
const REACHED: Partial<Record<string, readonly string[]>> = {
  'modbus-frame': ['resolved', 'failed'],
  'modbus-tcp': ['good', 'bad', 'reconnects'],
  'modbus-rtu': ['good', 'bad'],
  'mqtt-broker': ['connections', 'closedByBroker'],
  'api-paths': ['2xx', '4xx', 'api-2xx'],
};

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'plantpulse-fuzz-short-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('fuzzing, the short CI pass', () => {
  for (const name of PRODUCT_TARGETS) {
    it(`${name}: no crash in its short budget`, async () => {
      const target = await loadTarget(name);
      const run = await fuzzTarget({
        target: name,
        seed: CI_SEED,
        cases: target.shortCases,
        outDir: out,
        ...(name === 'api-paths' ? { influxUrl: influxUrl() } : {}),
      });
      for (const k of [...run.known, ...run.unconfirmed]) console.warn(`fuzz ${name}: ${crashLine(k)}`);
      expect(run.crashes.map(crashLine)).toEqual([]);
      expect(run.cases).toBe(target.shortCases);
      for (const key of REACHED[name] ?? []) {
        expect(run.coverage[key] ?? 0, `${name} reached ${key}`).toBeGreaterThan(0);
      }
    });
  }
});
