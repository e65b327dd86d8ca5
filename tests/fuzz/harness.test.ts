/**
 * The fuzz harness finds what it is there to find: targets with a planted bug (tests/fuzz/targets/planted.ts) are
 * run through the real supervisor and child processes (built in dist/ by `npm test`), and each bug must come back
 * as a crash report on disk with the seed, the case and a reproducer that still fails when replayed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from './harness/bytes.js';
import type { CrashReport } from './harness/report.js';
import { fuzzTarget, replayReport } from './harness/supervisor.js';

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'plantpulse-fuzz-selftest-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const run = (target: string, cases: number) =>
  fuzzTarget({ target, seed: 1, cases, outDir: out, graceMs: 500, minimiseReplays: 4 });

const hexOf = (r: CrashReport) =>
  Buffer.from(fromBase64((r.input as { base64: string }).base64)).toString('hex');

describe('the fuzz harness', () => {
  it('reports a thrown TypeError with a minimised reproducer that still fails on replay', async () => {
    const r = await run('planted-crash', 3000);
    expect(r.crashes).toHaveLength(1);
    const [c] = r.crashes as [CrashReport];
    expect(c).toMatchObject({
      kind: 'exception',
      errorClass: 'TypeError',
      seed: 1,
      minimised: true,
      inputSize: 2,
    });
    expect(hexOf(c)).toBe('dead');
    const onDisk = JSON.parse(await readFile(c.file ?? '', 'utf8')) as CrashReport & { replay: string };
    expect(onDisk).toMatchObject({ target: 'planted-crash', seed: 1, case: c.case, signature: c.signature });
    expect(onDisk.replay).toContain('--replay');
    expect(
      await replayReport({ target: 'planted-crash', seed: 1, case: c.case, input: c.input, outDir: out }),
    ).toBe(c.signature);
  });

  it('kills a case that never returns, reports it as a hang and carries on after it', async () => {
    const r = await run('planted-hang', 400);
    expect(r.crashes).toHaveLength(1);
    const [c] = r.crashes as [CrashReport];
    expect(c).toMatchObject({ kind: 'hang', seed: 1 });
    expect(hexOf(c)).toContain('beef');
    expect(r.restarts).toBeGreaterThanOrEqual(1);
    expect(r.cases).toBe(400);
  });

  it('reports an error thrown outside any call (an unheard error event) as the process dying', async () => {
    const r = await run('planted-death', 3000);
    const died = r.crashes.filter((c) => c.kind === 'died');
    expect(died).toHaveLength(1);
    expect(died[0]?.message).toMatch(/uncaught exception: planted/);
    expect(hexOf(died[0] as CrashReport)).toContain('cafe');
  });

  it('reports heap growth past the bound and stops the target', async () => {
    const r = await run('planted-leak', 3000);
    expect(r.crashes.map((c) => c.kind)).toEqual(['memory']);
    expect(r.crashes[0]?.memory?.nowBytes).toBeGreaterThan(
      (r.crashes[0]?.memory?.baselineBytes ?? 0) + 8 * 1024 * 1024,
    );
    expect(r.cases).toBeLessThan(3000);
  });

  it('reports a known finding as known: written and returned, not a crash', async () => {
    const r = await run('planted-known', 3000);
    expect(r.crashes).toEqual([]);
    expect(r.known).toHaveLength(1);
    expect(r.known[0]).toMatchObject({
      errorClass: 'planted-known-rule',
      known: expect.stringMatching(/self-test/),
    });
    const onDisk = JSON.parse(await readFile(r.known[0]?.file ?? '', 'utf8')) as CrashReport;
    expect(onDisk.known).toBe(r.known[0]?.known);
  });

  it('a hang whose input runs clean when replayed alone is unconfirmed, not a crash', async () => {
    const r = await run('planted-stall', 400);
    expect(r.crashes).toEqual([]);
    expect(r.unconfirmed).toHaveLength(1);
    expect(r.unconfirmed[0]).toMatchObject({
      kind: 'hang',
      unconfirmed: expect.stringMatching(/replayed alone/),
    });
    expect(hexOf(r.unconfirmed[0] as CrashReport)).toContain('beef');
  });
});
