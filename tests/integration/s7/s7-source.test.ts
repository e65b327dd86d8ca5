/**
 * The S7 source against node-snap7's S7Server (snap7: an independent S7 implementation) behind the simulator's
 * relay: every type and every area, the PDU the PLC negotiates, refusals as coded failures, and faults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PollRunner } from '../../../agent/runner/poll-runner.js';
import { createS7Source } from '../../../agent/sources/s7/s7-source.js';
import type { Sample } from '../../../protocols/sample.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { s7AgentPoints, s7PressProfile } from '../../../simulators/s7/s7-profile.js';
import { startS7Simulator } from '../../../simulators/s7/s7-simulator.js';
import { captureLogger } from '../modbus/helpers.js';
import { simDevice } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const signal = () => AbortSignal.timeout(10_000);

async function press(opts: { pduSize?: number } = {}) {
  const profile = s7PressProfile();
  // no behaviours: the values stay what the test set
  const still = { ...profile, variables: profile.variables.map(({ behaviour: _b, ...v }) => v) };
  const sim = await startS7Simulator({ profile: still, port: 0, ...opts });
  cleanups.push(() => sim.close());
  return sim;
}

function byMetric(samples: readonly Sample[]): Record<string, Sample> {
  return Object.fromEntries(samples.map((s) => [s.metric, s]));
}

describe('S7 source against snap7', () => {
  it('reads every type from DB, M, I, Q, T and C in one request, decoded as the PLC holds them', async () => {
    const sim = await press();
    const when = Date.UTC(2026, 11, 6, 8, 30, 15, 250);
    sim.set('die_changed_at', when);
    sim.set('energy_kwh', 123456.789012);
    sim.set('power_kw', -12.5);
    sim.set('part_count', -2_000_000_000);
    sim.set('operating_seconds', 4_000_000_000);
    sim.set('alarm_word', 0xfffe);
    sim.set('heartbeat', 200);
    sim.set('state_code', -3);
    sim.set('running', false);
    sim.set('door_closed', true);
    sim.set('motor_on', true);
    sim.set('die_name', 'DIE-ÄÖ 9');
    sim.set('quality_grade', 'B');
    const { log } = captureLogger();
    const source = createS7Source(simDevice('press-s7', sim, s7AgentPoints(s7PressProfile())), { log });
    cleanups.push(() => source.close());
    await source.connect(signal());
    expect(source.plan[0]?.requests).toHaveLength(1);
    expect(source.plan[0]?.requests[0]?.items.map((i) => i.area)).toEqual(['DB', 'M', 'I', 'Q', 'T', 'C']);
    const r = await source.read(0, signal());
    expect(r.failures).toEqual([]);
    const v = Object.fromEntries(r.samples.map((s) => [s.metric, s.value]));
    expect(v).toEqual({
      state_code: -3,
      part_count: -2_000_000_000,
      scrap_count: 0,
      stroke_rate: 30,
      power_kw: -12.5,
      energy_kwh: 123456.789012,
      die_name: 'DIE-ÄÖ 9',
      die_changed_at: when,
      running: false,
      quality_grade: 'B',
      heartbeat: 200,
      alarm_word: 0xfffe,
      operating_seconds: 4_000_000_000,
      door_closed: true,
      motor_on: true,
      stroke_timer: 0x1234,
      die_changes: 7,
    });
    expect(r.samples.every((s) => s.quality === 'good')).toBe(true);
    const kinds = Object.fromEntries(source.metrics.map((m) => [m.name, m.kind]));
    expect(kinds).toMatchObject({
      energy_kwh: 'double',
      power_kw: 'float',
      die_changed_at: 'datetime',
      running: 'boolean',
    });
  });

  it('plans for the PDU the PLC negotiates, and reads a point larger than one item allows as a coded failure', async () => {
    const sim = await press({ pduSize: 240 });
    const { log } = captureLogger();
    const source = createS7Source(
      simDevice('small-pdu', sim, [
        { name: 'power_kw', address: 'DB1.DBD12', type: 'real' },
        { name: 'long_text', address: 'DB1.24', type: 'string', length: 230 },
      ]),
      { log },
    );
    cleanups.push(() => source.close());
    expect(source.plan[0]?.tooLarge).toEqual([]);
    await source.connect(signal());
    expect(source.pduSize).toBe(240);
    expect(source.plan[0]?.tooLarge.map((t) => t.point.name)).toEqual(['long_text']);
    const r = byMetric((await source.read(0, signal())).samples);
    expect(r['power_kw']?.quality).toBe('good');
    expect(r['long_text']).toMatchObject({ quality: 'bad', value: null });
  });

  it('a DB the PLC does not have and an address past the end are coded failures; the other items still read', async () => {
    const sim = await press();
    const { log } = captureLogger();
    const source = createS7Source(
      simDevice('refused', sim, [
        { name: 'power_kw', address: 'DB1.DBD12', type: 'real' },
        { name: 'missing_db', address: 'DB99.DBW0', type: 'int' },
        { name: 'past_end', address: 'DB1.DBW4000', type: 'int' },
        { name: 'heartbeat', address: 'MB0' },
      ]),
      { log },
    );
    cleanups.push(() => source.close());
    await source.connect(signal());
    const r = await source.read(0, signal());
    const codes = Object.fromEntries(r.failures.map((f) => [f.metrics?.[0], f.code]));
    expect(codes).toEqual({ missing_db: 'S7_NO_SUCH_OBJECT', past_end: 'S7_ADDRESS_OUT_OF_RANGE' });
    expect(r.failures.every((f) => !f.linkFault)).toBe(true);
    expect(r.failures.find((f) => f.code === 'S7_NO_SUCH_OBJECT')?.message).toContain('DB99.DBB0+2');
    const s = byMetric(r.samples);
    expect(s['power_kw']?.quality).toBe('good');
    expect(s['heartbeat']?.quality).toBe('good');
    expect(s['missing_db']).toMatchObject({ quality: 'bad', value: null });

    sim.faults.removeDb(1); // a DB deleted from the PLC while the agent reads it
    const after = await source.read(0, signal());
    expect(after.failures.find((f) => f.metrics?.includes('power_kw'))?.code).toBe('S7_NO_SUCH_OBJECT');
  });

  it('a PLC that refuses the read service (PUT/GET off) is a coded failure that says what to tick, not a link fault', async () => {
    const sim = await press();
    const { log } = captureLogger();
    const source = createS7Source(
      simDevice('put-get-off', sim, [{ name: 'power_kw', address: 'DB1.DBD12', type: 'real' }]),
      {
        log,
      },
    );
    cleanups.push(() => source.close());
    await source.connect(signal());
    sim.faults.refuseReads(0x8104);
    const r = await source.read(0, signal());
    expect(r.failures).toMatchObject([{ code: 'S7_PUT_GET_REFUSED', linkFault: false }]);
    expect(r.failures[0]?.message).toContain('Permit access with PUT/GET communication');
    expect(r.samples).toMatchObject([{ metric: 'power_kw', quality: 'bad', value: null }]);
    sim.faults.refuseReads(undefined);
    expect((await source.read(0, signal())).samples).toMatchObject([{ metric: 'power_kw', quality: 'good' }]);
  });

  it('no answer: the read fails as a link fault within the timeout, marked bad', async () => {
    const sim = await press();
    const { log } = captureLogger();
    const source = createS7Source(
      simDevice('silent', sim, [{ name: 'power_kw', address: 'DB1.DBD12', type: 'real' }], {
        timeout: '300ms',
      }),
      { log },
    );
    cleanups.push(() => source.close());
    await source.connect(signal());
    sim.faults.noAnswer(true);
    const r = await source.read(0, signal());
    expect(r.failures).toMatchObject([{ code: 'S7_TIMEOUT', linkFault: true, noAnswer: true }]);
    expect(r.samples).toMatchObject([{ metric: 'power_kw', quality: 'bad', value: null }]);
  });

  it('with the runner: a PLC that goes away is bad, counted and reconnected with backoff; a reset connection too', async () => {
    const sim = await press();
    sim.set('part_count', 42);
    const { log } = captureLogger();
    const device = simDevice('press-s7', sim, s7AgentPoints(s7PressProfile()), {
      timeout: '300ms',
      reconnectAfterFailures: 2,
      backoff: { initial: '50ms', max: '400ms' },
    });
    const source = createS7Source(device, { log });
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
    await sim.faults.down();
    await wait('unreachable', () => reach.some(([, r]) => !r));
    await wait('a bad part_count', () =>
      samples.some((s) => s.metric === 'part_count' && s.quality === 'bad'),
    );
    const down = runner.health()[0];
    expect(down?.reachable).toBe(false);
    expect(down?.reconnects).toBeGreaterThanOrEqual(1);
    expect(Object.keys(down?.errors ?? {}).length).toBeGreaterThan(0);

    sim.set('part_count', 43);
    await sim.faults.up();
    await wait('fresh samples', () => samples.some((s) => s.metric === 'part_count' && s.value === 43));
    const reconnects = runner.health()[0]?.reconnects ?? 0;

    sim.faults.resetConnections();
    sim.set('part_count', 44);
    await wait('samples after the reset', () =>
      samples.some((s) => s.metric === 'part_count' && s.value === 44),
    );
    expect(runner.health()[0]?.reconnects).toBeGreaterThan(reconnects);
  });
});
