import { afterEach, describe, expect, it } from 'vitest';
import { PollRunner } from '../../../agent/runner/poll-runner.js';
import { createMcSource } from '../../../agent/sources/mc/mc-source.js';
import type { Sample } from '../../../protocols/sample.js';
import { startMcSimulator } from '../../../simulators/mc/mc-simulator.js';
import { until } from '../../helpers/until.js';
import { captureLogger } from '../modbus/helpers.js';
import { mcDevice } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const signal = () => AbortSignal.timeout(15_000);

async function fixture(timeout = '300ms') {
  const sim = await startMcSimulator({ series: 'iQ-F', format: 'binary' });
  cleanups.push(() => sim.close());
  sim.memory.put('D100', 'uint16', 7);
  const { log, lines } = captureLogger();
  const device = mcDevice({
    id: 'fx5u',
    mc: { url: sim.url, series: 'iQ-F', timeout, backoff: { initial: '20ms', max: '100ms' } },
    mcPoll: [{ every: '50ms', points: [{ name: 'state', device: 'D100', type: 'uint16' }] }],
  });
  const source = createMcSource(device, { log });
  cleanups.push(() => source.close());
  return { sim, source, lines };
}

describe('MC faults', () => {
  it('no answer: the read times out (MC_TIMEOUT, a link fault), its point is bad, and the link is closed', async () => {
    const { sim, source } = await fixture();
    await source.connect(signal());
    sim.inject({ kind: 'silence', times: 1 });
    const r = await source.read(0, signal());
    expect(r.failures.map((f) => [f.code, f.linkFault])).toEqual([['MC_TIMEOUT', true]]);
    expect(r.samples).toMatchObject([{ metric: 'state', value: null, quality: 'bad' }]);
    // the next read does not wait on a link a late answer could still arrive on
    const next = await source.read(0, signal());
    expect(next.failures.map((f) => f.code)).toEqual(['MC_NOT_CONNECTED']);
  });

  it('a read cancelled while its request is out reports no value and closes the link (no stale answer later)', async () => {
    const { sim, source } = await fixture('10s');
    await source.connect(signal());
    sim.inject({ kind: 'silence', times: 1 });
    const ac = new AbortController();
    const reading = source.read(0, ac.signal);
    await until('the request at the PLC', () => (sim.stats.requests >= 1 ? true : undefined), 10_000, 10);
    ac.abort();
    const r = await reading;
    expect(r.failures.map((f) => f.code)).toEqual(['MC_ABORTED']);
    expect(r.samples).toEqual([]);
    expect((await source.read(0, signal())).failures.map((f) => f.code)).toEqual(['MC_NOT_CONNECTED']);
  });

  it('an end code becomes a coded failure with the decoded message, and the link stays up', async () => {
    const { sim, source } = await fixture();
    await source.connect(signal());
    sim.inject({ kind: 'end-code', code: 0xc05b, times: 1 });
    const r = await source.read(0, signal());
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({
      code: 'MC_END_CODE',
      detail: '0xC05B',
      linkFault: false,
      metrics: ['state'],
    });
    expect(r.failures[0]?.message).toMatch(
      /end code 0xC05B: the CPU cannot read or write the specified device \(CPU无法读写指定的软元件\)/,
    );
    expect((await source.read(0, signal())).samples).toMatchObject([{ value: 7, quality: 'good' }]);
  });

  it("a read past the CPU's devices is refused by the PLC with C056 and says so", async () => {
    const sim = await startMcSimulator({ series: 'Q', sizes: { D: 1000 } });
    cleanups.push(() => sim.close());
    const { log } = captureLogger();
    const source = createMcSource(
      mcDevice({
        id: 'q',
        mc: { url: sim.url, series: 'Q' },
        mcPoll: [{ every: '1s', points: [{ name: 'x', device: 'D1200' }] }],
      }),
      { log },
    );
    cleanups.push(() => source.close());
    await source.connect(signal());
    const r = await source.read(0, signal());
    expect(r.failures[0]?.message).toMatch(
      /D1200\+1 \(words\): end code 0xC056: the read or write request exceeds the maximum address/,
    );
  });

  it('through the runner: a reset and a timeout are counted, the link is re-created with backoff, values come back', async () => {
    const { sim, source } = await fixture();
    const samples: Sample[] = [];
    const { log } = captureLogger();
    const runner = new PollRunner({
      sources: [source],
      log,
      onSamples: (s) => samples.push(...s),
      onReachability: () => {},
    });
    runner.start();
    cleanups.push(() => runner.stop());
    const health = () => runner.health()[0];
    await until(
      'a good sample',
      () => (samples.some((s) => s.quality === 'good') ? true : undefined),
      20_000,
      20,
    );
    sim.inject({ kind: 'reset', times: 1 });
    await until(
      'a reconnect after the reset',
      () => ((health()?.reconnects ?? 0) >= 1 ? true : undefined),
      20_000,
      20,
    );
    sim.inject({ kind: 'silence', times: 1 });
    await until(
      'a reconnect after the timeout',
      () => ((health()?.reconnects ?? 0) >= 2 ? true : undefined),
      20_000,
      20,
    );
    sim.inject({ kind: 'end-code', code: 0xc051, times: 2 });
    const goodBefore = samples.filter((s) => s.quality === 'good').length;
    await until(
      'good samples again',
      () => (samples.filter((s) => s.quality === 'good').length > goodBefore + 2 ? true : undefined),
      20_000,
      20,
    );
    const h = health();
    expect(h?.errors['MC_IO']).toBeGreaterThanOrEqual(1);
    expect(h?.errors['MC_TIMEOUT']).toBe(1);
    expect(h?.errors['MC_END_CODE']).toBe(2);
    // an end code is the PLC answering: no reconnect for it
    expect(h?.reconnects).toBe(2);
    expect(samples.at(-1)).toMatchObject({ metric: 'state', value: 7, quality: 'good' });
  });
});
