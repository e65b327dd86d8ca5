import { afterEach, describe, expect, it } from 'vitest';
import { PollRunner } from '../../../agent/runner/poll-runner.js';
import { LineRegistry } from '../../../agent/sources/modbus/line-registry.js';
import { createModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import type { Sample } from '../../../protocols/sample.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { agentPoints } from '../../../simulators/modbus/profile.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { captureLogger, deviceConfig } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('PollRunner with the Modbus source and the simulator', () => {
  it('delivers samples, reports the device unreachable when it goes away and reachable when it is back', async () => {
    let sim = await startModbusSimulator({
      port: 0,
      host: '127.0.0.1',
      profile: pressProfile(),
      animate: false,
    });
    const port = Number(sim.url.split(':').pop());
    cleanups.push(() => sim.close());
    sim.set('part_count', 42);
    const { log } = captureLogger();
    const device = deviceConfig(
      'press-07',
      sim.url,
      agentPoints(pressProfile()),
      {
        timeout: '500ms',
        reconnectAfterFailures: 2,
        backoff: { initial: '50ms', max: '400ms' },
      },
      '100ms',
    );
    const source = createModbusSource(device, { log, lines: new LineRegistry(log) });
    const samples: Sample[] = [];
    const reach: [string, boolean, string][] = [];
    const runner = new PollRunner({
      sources: [source],
      log,
      onSamples: (s) => samples.push(...s),
      onReachability: (d, r, why) => reach.push([d, r, why]),
    });
    runner.start();
    cleanups.push(() => runner.stop());
    const wait = (what: string, ok: () => boolean) =>
      pollUntil(async () => (ok() ? true : undefined), { what, timeoutMs: 20_000, intervalMs: 20 });

    await wait('first good samples', () => samples.some((s) => s.metric === 'part_count' && s.value === 42));
    expect(reach[0]).toEqual(['press-07', true, 'connected']);

    await sim.close(); // the PLC is switched off
    await wait('unreachable', () => reach.some(([, r]) => !r));
    expect(samples.some((s) => s.quality === 'bad')).toBe(true);
    const down = runner.health()[0];
    expect(down?.reachable).toBe(false);
    expect(down?.reconnects).toBeGreaterThanOrEqual(1);
    expect(Object.keys(down?.errors ?? {}).length).toBeGreaterThan(0);

    sim = await startModbusSimulator({ port, host: '127.0.0.1', profile: pressProfile(), animate: false });
    sim.set('part_count', 43);
    await wait('reachable again', () => reach.length >= 3 && reach[reach.length - 1]?.[1] === true);
    await wait('fresh samples', () => samples.some((s) => s.metric === 'part_count' && s.value === 43));
    const up = runner.health()[0];
    expect(up?.connected).toBe(true);
    expect(up?.lastGoodPoll).not.toBeNull();
  });
});
