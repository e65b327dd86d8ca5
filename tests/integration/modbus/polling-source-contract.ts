/**
 * The contract every PollingSource keeps (agent/sources/source.ts), as a reusable suite: call
 * `pollingSourceContract(name, setup)` from a test file with a factory for a connected-able source and its device.
 * (Written for the Modbus source; any polling source can run it.)
 */
import { describe, expect, it } from 'vitest';
import type { PollingSource } from '../../../agent/sources/source.js';
import { checkSample, METRIC_NAME_PATTERN } from '../../../protocols/sample.js';

export interface ContractFixture {
  /** a fresh source for a reachable device (not connected yet) */
  source: PollingSource;
  /** a fresh source whose device cannot be reached */
  unreachable: PollingSource;
  teardown(): Promise<void>;
}

export function pollingSourceContract(name: string, setup: () => Promise<ContractFixture>): void {
  const withFixture = (fn: (f: ContractFixture) => Promise<void>) => async () => {
    const f = await setup();
    try {
      await fn(f);
    } finally {
      await f.source.close();
      await f.unreachable.close();
      await f.teardown();
    }
  };
  const signal = () => AbortSignal.timeout(15_000);

  describe(`PollingSource contract: ${name}`, () => {
    it(
      'declares its metrics and groups before connecting',
      withFixture(async ({ source }) => {
        expect(source.kind).toBe('polling');
        expect(source.metrics.length).toBeGreaterThan(0);
        const names = source.metrics.map((m) => m.name);
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n).toMatch(METRIC_NAME_PATTERN);
        expect(source.groups.length).toBeGreaterThan(0);
        for (const g of source.groups) expect(g.intervalMs).toBeGreaterThan(0);
      }),
    );

    it(
      'reads valid samples for every declared metric, and nothing undeclared',
      withFixture(async ({ source }) => {
        await source.connect(signal());
        const seen = new Set<string>();
        for (let g = 0; g < source.groups.length; g++) {
          const r = await source.read(g, signal());
          expect(r.failures).toEqual([]);
          for (const s of r.samples) {
            expect(checkSample(s)).toBeUndefined();
            expect(s.device).toBe(source.device);
            expect(s.quality).toBe('good');
            seen.add(s.metric);
          }
        }
        expect([...seen].sort()).toEqual(source.metrics.map((m) => m.name).sort());
      }),
    );

    it(
      'an unreachable device rejects connect; reads resolve with link faults and bad samples, never throw',
      withFixture(async ({ unreachable }) => {
        await expect(unreachable.connect(signal())).rejects.toBeInstanceOf(Error);
        const r = await unreachable.read(0, signal());
        expect(r.failures.length).toBeGreaterThan(0);
        expect(r.failures.every((f) => f.linkFault && typeof f.code === 'string')).toBe(true);
        for (const s of r.samples) expect(s).toMatchObject({ quality: 'bad', value: null });
      }),
    );

    it(
      'a read with an already aborted signal resolves, with no good samples',
      withFixture(async ({ source }) => {
        await source.connect(signal());
        const ac = new AbortController();
        ac.abort();
        const r = await source.read(0, ac.signal);
        expect(r.samples.filter((s) => s.quality === 'good')).toEqual([]);
      }),
    );

    it(
      'close is idempotent and the source can connect again after it',
      withFixture(async ({ source }) => {
        await source.connect(signal());
        await source.close();
        await source.close();
        await source.connect(signal());
        expect((await source.read(0, signal())).failures).toEqual([]);
      }),
    );
  });
}
