import { afterEach, describe, expect, it } from 'vitest';
import { BusRegistry } from '../../../agent/sources/dlt645/bus-registry.js';
import { createDlt645Source, type Dlt645Source } from '../../../agent/sources/dlt645/dlt645-source.js';
import type { Sample } from '../../../protocols/sample.js';
import {
  type Dlt645Simulator,
  type SimMeterSpec,
  startDlt645Simulator,
} from '../../../simulators/dlt645/dlt645-simulator.js';
import { openPtyPair } from '../../../simulators/modbus/pty-pair.js';
import { captureLogger } from '../modbus/helpers.js';
import { meterConfig } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const signal = () => AbortSignal.timeout(15_000);
const byName = (samples: Sample[]): Record<string, Sample> =>
  Object.fromEntries(samples.map((s) => [s.metric, s]));

const A = '000012345678';
const B = '000012345679';
const OLD = '000000000001';

/** A frozen simulated clock: energy integrates only when a test moves it. */
function simClock(start = Date.UTC(2026, 11, 6, 2, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const meters: SimMeterSpec[] = [
  { address: A, power: 36, energyKwh: 1234.56 },
  { address: B, power: 12, energyKwh: 10 },
  { address: OLD, version: 1997, power: 3, energyKwh: 250 },
];

type Transport = 'rtu' | 'tcp';

async function bus(transport: Transport, clock = simClock()): Promise<{ sim: Dlt645Simulator; url: string }> {
  if (transport === 'tcp') {
    const sim = await startDlt645Simulator({ transport: 'tcp', port: 0, meters, clock: clock.now });
    cleanups.push(() => sim.close());
    return { sim, url: sim.url };
  }
  const pair = await openPtyPair();
  cleanups.push(() => pair.close());
  const sim = await startDlt645Simulator({
    transport: 'rtu',
    serial: { path: pair.b, baudRate: 2400 },
    meters,
    clock: clock.now,
  });
  cleanups.push(() => sim.close());
  return { sim, url: `rtu://${pair.a}?baud=2400&parity=even` };
}

function sources(url: string, buses: BusRegistry): Record<'a' | 'b' | 'old', Dlt645Source> {
  const { log } = captureLogger();
  const make = (id: string, address: string, points: Parameters<typeof meterConfig>[3], extra = {}) => {
    const s = createDlt645Source(meterConfig(id, url, address, points, extra), { log, buses });
    cleanups.push(() => s.close());
    return s;
  };
  return {
    a: make('meter-a', A, [
      { name: 'energy_kwh', di: '00010000' },
      { name: 'power_kw', di: '02030000' },
      { name: 'voltage_a_v', di: '02010100' },
    ]),
    b: make('meter-b', B, [
      { name: 'energy_kwh', di: '00010000' },
      { name: 'power_kw', di: '02030000' },
    ]),
    old: make(
      'meter-old',
      OLD,
      [
        { name: 'energy_kwh', di: '9010' },
        { name: 'voltage_a_v', di: 'B611' },
      ],
      {
        version: 1997,
      },
    ),
  };
}

const connectAll = async (s: Record<string, Dlt645Source>) => {
  for (const src of Object.values(s)) await src.connect(signal());
};

describe.each(['rtu', 'tcp'] as const)('DL/T 645 meters on one bus (%s)', (transport) => {
  it('reads every meter on the bus by its address, 2007 and 1997 alike, one transaction at a time', async () => {
    const { sim, url } = await bus(transport);
    const s = sources(url, new BusRegistry(captureLogger().log));
    await connectAll(s);
    const [ra, rb, rold] = await Promise.all([
      s.a.read(0, signal()),
      s.b.read(0, signal()),
      s.old.read(0, signal()),
    ]);
    for (const r of [ra, rb, rold]) expect(r.failures).toEqual([]);
    expect(byName(ra.samples)).toMatchObject({
      energy_kwh: { value: 1234.56, quality: 'good' },
      power_kw: { value: 36, quality: 'good' },
      voltage_a_v: { value: 230, quality: 'good' },
    });
    expect(byName(rb.samples)).toMatchObject({ energy_kwh: { value: 10 }, power_kw: { value: 12 } });
    expect(byName(rold.samples)).toMatchObject({ energy_kwh: { value: 250 }, voltage_a_v: { value: 230 } });
    // one request per data identifier, each answered: nothing collided on the shared bus
    expect(sim.stats.requests).toBe(7);
    expect(sim.stats.replies).toBe(7);
    expect(sim.stats.maxOutstanding).toBe(1);
    expect(sim.stats.noiseBytes).toBe(0);
  });

  it('energy integrates the power profile over (simulated) time', async () => {
    const clock = simClock();
    const { url } = await bus(transport, clock);
    const s = sources(url, new BusRegistry(captureLogger().log));
    await s.a.connect(signal());
    const before = byName((await s.a.read(0, signal())).samples).energy_kwh?.value;
    clock.advance(3_600_000);
    const after = byName((await s.a.read(0, signal())).samples).energy_kwh?.value;
    // 36 kW for an hour
    expect(after).toBeCloseTo(Number(before) + 36, 2);
  });

  it('a silent meter makes only its own points bad (DLT645_TIMEOUT, then not waited for again in that reading)', async () => {
    const { sim, url } = await bus(transport);
    const s = sources(url, new BusRegistry(captureLogger().log));
    await connectAll(s);
    sim.inject({ kind: 'silence', address: B });
    const [ra, rb] = await Promise.all([s.a.read(0, signal()), s.b.read(0, signal())]);
    expect(ra.failures).toEqual([]);
    expect(ra.samples.every((x) => x.quality === 'good')).toBe(true);
    expect(rb.failures.map((f) => f.code)).toEqual(['DLT645_TIMEOUT', 'DLT645_NOT_ASKED']);
    expect(rb.failures[0]).toMatchObject({ noAnswer: true, linkFault: false, metrics: ['energy_kwh'] });
    expect(rb.samples).toEqual([
      expect.objectContaining({ metric: 'energy_kwh', value: null, quality: 'bad' }),
      expect.objectContaining({ metric: 'power_kw', value: null, quality: 'bad' }),
    ]);
    // the meter comes back: its next reading is good
    sim.clearFaults();
    const again = await s.b.read(0, signal());
    expect(again.failures).toEqual([]);
  });

  it('a broken checksum and an error reply fail only that request, with the code and the reason', async () => {
    const { sim, url } = await bus(transport);
    const s = sources(url, new BusRegistry(captureLogger().log));
    await connectAll(s);
    sim.inject({ kind: 'checksum', address: A, di: '02030000', times: 1 });
    sim.inject({ kind: 'error-reply', address: A, di: '02010100', errorByte: 0x02, times: 1 });
    const r = await s.a.read(0, signal());
    expect(r.failures).toEqual([
      expect.objectContaining({ code: 'DLT645_CHECKSUM', linkFault: false, metrics: ['power_kw'] }),
      expect.objectContaining({
        code: 'DLT645_ERROR_REPLY',
        detail: 2,
        message: expect.stringMatching(/no requested data/),
        metrics: ['voltage_a_v'],
      }),
    ]);
    expect(byName(r.samples)).toMatchObject({
      energy_kwh: { value: 1234.56, quality: 'good' },
      power_kw: { value: null, quality: 'bad' },
      voltage_a_v: { value: null, quality: 'bad' },
    });
    // the other meters on the bus never noticed
    expect((await s.b.read(0, signal())).failures).toEqual([]);
    expect((await s.a.read(0, signal())).failures).toEqual([]);
  });
});

describe('DL/T 645 long data, line noise and address discovery', () => {
  it('data longer than one frame arrives in follow-up frames and is joined', async () => {
    const sim = await startDlt645Simulator({
      transport: 'tcp',
      port: 0,
      maxDataPerFrame: 2,
      meters: [{ address: A, extra: { '0400040E': { value: 123456.78, format: 'XXXXXX.XX' } } }],
    });
    cleanups.push(() => sim.close());
    const src = createDlt645Source(
      meterConfig('m', sim.url, A, [{ name: 'long_value', di: '0400040E', format: 'XXXXXX.XX' }]),
      { log: captureLogger().log },
    );
    cleanups.push(() => src.close());
    await src.connect(signal());
    const r = await src.read(0, signal());
    expect(r.failures).toEqual([]);
    expect(byName(r.samples).long_value).toMatchObject({ value: 123456.78, quality: 'good' });
    // one read and one follow-up: 4 data bytes at 2 per frame
    expect(sim.stats.requests).toBe(2);
  });

  it.each(['rtu', 'tcp'] as const)(
    'line noise before an answer is skipped and counted (%s)',
    async (transport) => {
      const { sim, url } = await bus(transport);
      const buses = new BusRegistry(captureLogger().log);
      const s = sources(url, buses);
      await s.a.connect(signal());
      sim.inject({ kind: 'noise', address: A });
      const r = await s.a.read(0, signal());
      expect(r.failures).toEqual([]);
      expect(byName(r.samples).energy_kwh).toMatchObject({ value: 1234.56, quality: 'good' });
      const busStats = buses.get(
        transport === 'tcp' ? `tcp:${url.slice('tcp://'.length)}` : `rtu:${url.slice(6, url.indexOf('?'))}`,
      )?.stats;
      expect(busStats?.noiseBytes).toBeGreaterThan(0);
    },
  );

  it('discovers the address of the one meter on a bus; several meters collide and the message says so', async () => {
    const { discoverAddress } = await import('../../../agent/sources/dlt645/discover-address.js');
    const one = await startDlt645Simulator({ transport: 'tcp', port: 0, meters: [{ address: A }] });
    cleanups.push(() => one.close());
    expect(await discoverAddress(one.url, 1000, signal())).toEqual({ ok: true, address: A });
    const two = await startDlt645Simulator({
      transport: 'tcp',
      port: 0,
      meters: [{ address: A }, { address: '000087654321' }],
    });
    cleanups.push(() => two.close());
    expect(await discoverAddress(two.url, 500, signal())).toMatchObject({
      ok: false,
      message: expect.stringMatching(/several meters answered at once/),
    });
  });
});

describe('DL/T 645 behind a DTU that drops the connection', () => {
  it('reads fail as link faults (bad, never zero) until the source connects again; then they are good', async () => {
    const { sim, url } = await bus('tcp');
    const s = sources(url, new BusRegistry(captureLogger().log));
    await s.a.connect(signal());
    expect((await s.a.read(0, signal())).failures).toEqual([]);
    sim.dropConnections();
    // whether the socket's close arrives before or during this read, the read fails at once as a link fault
    const r = await s.a.read(0, signal());
    expect(r.failures[0]).toMatchObject({ code: 'DLT645_NOT_CONNECTED', linkFault: true });
    expect(r.samples.every((x) => x.quality === 'bad' && x.value === null)).toBe(true);
    // what the runner does after reconnectAfterFailures link faults: close, connect again
    await s.a.close();
    await s.a.connect(signal());
    const again = await s.a.read(0, signal());
    expect(again.failures).toEqual([]);
    expect(byName(again.samples).energy_kwh).toMatchObject({ value: 1234.56, quality: 'good' });
  });
});
