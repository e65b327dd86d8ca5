import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Derive } from '../../../agent/derive/derive-spec.js';
import { createDeriver } from '../../../agent/derive/deriver.js';
import { DeriveConfigError } from '../../../agent/derive/errors.js';
import { resolveConfig } from '../../../config/load.js';
import type { Sample } from '../../../protocols/sample.js';
import { agentDevice } from '../../helpers/configs.js';

const log = pino({ level: 'silent' });

const lathe = agentDevice({
  id: 'lathe-03',
  modbus: { url: 'rtu:///dev/ttyUSB0?baud=9600', unitId: 5 },
  poll: [
    {
      every: '500ms',
      points: [
        { name: 'clamp_ma', table: 'input', address: 0, type: 'uint16', scale: 0.001, unit: 'mA' },
        { name: 'pulses', table: 'input', address: 2, type: 'uint32' },
        { name: 'ai0_fault', table: 'input', address: 4, type: 'bool', bit: 0 },
      ],
    },
  ],
  derive: {
    signals: {
      current_a: { from: 'clamp_ma', type: '4-20mA', min: 0, max: 50, unit: 'A', fault: 'ai0_fault' },
    },
    state: { from: 'current_a', off: 0.5, running: 6, hysteresis: 0.3, minDwell: '5s' },
    part_count: { from: 'pulses', counter: true },
    power_kw: { threePhase: { current: 'current_a', voltage: 380, powerFactor: 0.85 } },
  },
});

/** mA on the loop for a current in A (0–50 A → 4–20 mA) */
const ma = (amps: number) => 4 + (amps / 50) * 16;

function reading(t: number, amps: number | null, pulses: number, fault = false): Sample[] {
  return [
    {
      device: 'lathe-03',
      metric: 'clamp_ma',
      value: amps === null ? 0 : ma(amps),
      timestamp: t,
      quality: 'good',
    },
    { device: 'lathe-03', metric: 'pulses', value: pulses, timestamp: t, quality: 'good' },
    { device: 'lathe-03', metric: 'ai0_fault', value: fault, timestamp: t, quality: 'good' },
  ];
}

const pick = (out: Sample[], metric: string) => out.filter((s) => s.metric === metric);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'derive-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('createDeriver', () => {
  it('returns undefined for a device without derive', () => {
    const { derive: _, ...plain } = lathe;
    expect(createDeriver(plain, { log })).toBeUndefined();
  });

  it('declares its derived metrics with units, marked derived', () => {
    const d = createDeriver(lathe, { log });
    expect(d?.metrics.map((m) => [m.name, m.unit, m.derived])).toEqual([
      ['current_a', 'A', true],
      ['power_kw', 'kW', true],
      ['energy_kwh', 'kWh', true],
      ['state', undefined, true],
      ['part_count', 'parts', true],
    ]);
  });

  it('reports every configuration problem at once', () => {
    // the loader refuses such a device; built in code past it, the deriver still refuses it with the same rules
    const bad = {
      ...lathe,
      derive: resolveConfig(Derive, {
        signals: { pulses: { from: 'nope', type: '4-20mA', min: 0, max: 0 } },
        state: { from: 'missing', off: 5, running: 6, hysteresis: 2 },
        part_count: { from: 'also_missing', counter: true },
        power_kw: { singlePhase: { current: 'gone', voltage: 230, powerFactor: 1 } },
      }),
    };
    let err: unknown;
    try {
      createDeriver(bad, { log });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeriveConfigError);
    const paths = (err as DeriveConfigError).problems.map((p) => p.path);
    expect(paths).toEqual([
      'devices[lathe-03].derive.signals.pulses.from',
      'devices[lathe-03].derive.power_kw.singlePhase.current',
      'devices[lathe-03].derive.state.from',
      'devices[lathe-03].derive.part_count.from',
      'devices[lathe-03].derive.signals.pulses.max',
      'devices[lathe-03].derive.state.hysteresis',
      'devices[lathe-03].derive.signals.pulses',
    ]);
    expect((err as DeriveConfigError).code).toBe('DERIVE_CONFIG');
  });
});

describe('a retrofitted lathe', () => {
  it('passes inputs through and adds scaled current, power, energy, state and part count', () => {
    const d = createDeriver(lathe, { log });
    if (!d) throw new Error('no deriver');
    const all: Sample[] = [];
    for (let i = 0; i <= 24; i++) all.push(...d.process(reading(i * 500, 10, 100 + Math.floor(i / 4))));
    const current = pick(all, 'current_a');
    expect(current).toHaveLength(25);
    expect(current[0]?.value).toBeCloseTo(10, 9);
    expect(pick(all, 'power_kw')[0]?.value).toBeCloseTo(5.5945, 4);
    // 12 s at a steady 5.5945 kW
    expect(pick(all, 'energy_kwh').at(-1)?.value).toBeCloseTo((5.5945 * 12) / 3600, 5);
    expect(pick(all, 'state')).toEqual([
      { device: 'lathe-03', metric: 'state', value: 'running', timestamp: 0, quality: 'good' },
    ]);
    expect(pick(all, 'part_count').at(-1)?.value).toBe(6);
    expect(pick(all, 'clamp_ma')).toHaveLength(25);
  });

  it('a broken wire makes current and power bad (never 0 A) and the state unknown after minDwell', () => {
    const d = createDeriver(lathe, { log });
    if (!d) throw new Error('no deriver');
    const all: Sample[] = [];
    let t = 0;
    for (let i = 0; i < 12; i++, t += 500) all.push(...d.process(reading(t, 10, 0)));
    for (let i = 0; i < 12; i++, t += 500) all.push(...d.process(reading(t, null, 0)));
    const broken = pick(all, 'current_a').slice(12);
    expect(broken.every((s) => s.value === null && s.quality === 'bad')).toBe(true);
    expect(
      pick(all, 'power_kw')
        .slice(12)
        .every((s) => s.quality === 'bad'),
    ).toBe(true);
    expect(pick(all, 'state').map((s) => [s.value, s.quality, s.timestamp])).toEqual([
      ['running', 'good', 0],
      [null, 'bad', 6_000],
    ]);
    expect(d.stats().signalFaults).toBe(12);
  });

  it('the module wire-break bit makes the signal bad even when the loop reads in range', () => {
    const d = createDeriver(lathe, { log });
    if (!d) throw new Error('no deriver');
    const out = d.process(reading(0, 10, 0, true));
    expect(pick(out, 'current_a')).toEqual([
      { device: 'lathe-03', metric: 'current_a', value: null, timestamp: 0, quality: 'bad' },
    ]);
  });

  it('does not derive from readings that go back in time, and counts them', () => {
    const d = createDeriver(lathe, { log });
    if (!d) throw new Error('no deriver');
    d.process(reading(1_000, 10, 5));
    const out = d.process(reading(500, 10, 9));
    expect(pick(out, 'part_count')).toEqual([]);
    expect(pick(out, 'clamp_ma')).toHaveLength(1);
    expect(d.stats().outOfOrder).toBeGreaterThan(0);
  });

  it('counts through a counter reset', () => {
    const d = createDeriver(lathe, { log });
    if (!d) throw new Error('no deriver');
    const counts = [1000, 1004, 2, 5].map(
      (p, i) => pick(d.process(reading(i * 500, 10, p)), 'part_count')[0]?.value,
    );
    expect(counts).toEqual([0, 4, 6, 9]);
    expect(d.stats().counterResets).toBe(1);
  });
});

describe('a single-phase machine read over OPC UA, state and cycles from power', () => {
  const press = agentDevice({
    id: 'press-2',
    opcua: {
      endpoint: 'opc.tcp://127.0.0.1:4840',
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
    },
    subscribe: [{ name: 'amps', node: 'ns=2;s=Press.Amps' }],
    derive: {
      power_kw: { singlePhase: { current: 'amps', voltage: 230, powerFactor: 0.9 } },
      state: { from: 'power_kw', off: 0.1, running: 1.5, hysteresis: 0.1, minDwell: '2s' },
      part_count: { from: 'power_kw', cycles: { threshold: 1.5, minDuration: '3s', hysteresis: 0.1 } },
    },
  });

  it('derives state and counts cycles from the derived power', () => {
    const d = createDeriver(press, { log });
    if (!d) throw new Error('no deriver');
    expect(d.metrics.map((m) => m.name)).toEqual([
      'power_kw',
      'energy_kwh',
      'state',
      'part_count',
      'cycle_time_s',
    ]);
    // 2 A idle (0.414 kW), 10 A pressing (2.07 kW) for 5 s, twice, 10 s apart; the first 2 s of idle are
    // shorter than minDwell, so the first state reported is running
    const amps = (t: number) => (t % 10_000 >= 2_000 && t % 10_000 < 7_000 && t < 20_000 ? 10 : 2);
    const out: Sample[] = [];
    for (let t = 0; t <= 30_000; t += 500) {
      out.push(
        ...d.process([{ device: 'press-2', metric: 'amps', value: amps(t), timestamp: t, quality: 'good' }]),
      );
    }
    expect(pick(out, 'state').map((s) => [s.value, s.timestamp])).toEqual([
      ['running', 2_000],
      ['idle', 7_000],
      ['running', 12_000],
      ['idle', 17_000],
    ]);
    expect(pick(out, 'part_count').map((s) => s.value)).toEqual([1, 2]);
    expect(pick(out, 'cycle_time_s')).toHaveLength(1);
    expect(pick(out, 'cycle_time_s')[0]?.value).toBeCloseTo(10, 6);
  });
});

describe('bad input', () => {
  it('never throws, and never emits a non-finite number or a good sample without a value', () => {
    const value = fc.oneof(
      fc.double(),
      fc.integer({ min: -5, max: 70_000 }),
      fc.bigInt({ min: -5n, max: 2n ** 64n }),
      fc.boolean(),
      fc.string({ maxLength: 3 }),
      fc.constant(null),
    );
    const sample = fc.record({
      device: fc.constantFrom('lathe-03', 'other'),
      metric: fc.constantFrom('clamp_ma', 'pulses', 'ai0_fault', 'current_a', 'state'),
      value,
      timestamp: fc.integer({ min: 0, max: 100_000 }),
      quality: fc.constantFrom('good' as const, 'uncertain' as const, 'bad' as const),
    });
    fc.assert(
      fc.property(fc.array(fc.array(sample, { maxLength: 6 }), { maxLength: 40 }), (batches) => {
        const d = createDeriver(lathe, { log });
        if (!d) throw new Error('no deriver');
        const names = new Set(d.metrics.map((m) => m.name));
        for (const batch of batches) {
          const out = d.process(batch as Sample[]);
          expect(out.slice(0, batch.length)).toEqual(batch);
          for (const s of out.slice(batch.length)) {
            expect(names.has(s.metric)).toBe(true);
            if (typeof s.value === 'number') expect(Number.isFinite(s.value)).toBe(true);
            if (s.value === null) expect(s.quality).toBe('bad');
          }
        }
      }),
    );
  });
});

describe('logging', () => {
  it('explains a dropped reading once, bound to component and device exactly once', () => {
    const lines: string[] = [];
    const sink = { write: (l: string) => lines.push(l) };
    for (const logger of [
      pino({}, sink),
      pino({}, sink).child({ component: 'derive', device: 'lathe-03' }),
    ]) {
      lines.length = 0;
      const d = createDeriver(lathe, { log: logger });
      if (!d) throw new Error('no deriver');
      d.process(reading(1_000, 10, 5));
      d.process(reading(500, 10, 9));
      const warn = lines.filter((l) => l.includes('not newer than the previous one'));
      expect(warn.length).toBeGreaterThan(0);
      for (const l of warn) {
        expect(l.match(/"component":/g)).toHaveLength(1);
        expect(l.match(/"device":/g)).toHaveLength(1);
      }
    }
  });
});

describe('persisted totals', () => {
  it('energy and part count survive a restart', async () => {
    let now = 0;
    const clock = () => now;
    const a = createDeriver(lathe, { log, stateDir: dir, clock });
    if (!a) throw new Error('no deriver');
    for (let i = 0; i <= 20; i++) a.process(reading(i * 500, 20, i));
    await a.close();
    const before = JSON.parse(readFileSync(join(dir, 'derive-lathe-03.json'), 'utf8'));
    expect(before.parts.total).toBe(20);

    now = 60_000;
    const b = createDeriver(lathe, { log, stateDir: dir, clock });
    if (!b) throw new Error('no deriver');
    const out = b.process(reading(30_000, 20, 25));
    // 30 s of 11.19 kW: 10 s before the restart, 20 s bridged from the persisted last reading (< maxGap)
    const kw = (Math.sqrt(3) * 20 * 380 * 0.85) / 1000;
    expect(pick(out, 'energy_kwh')[0]?.value).toBeCloseTo((kw * 30) / 3600, 9);
    // pulses made while the agent was down are counted from the persisted register value
    expect(pick(out, 'part_count')[0]?.value).toBe(25);
    await b.close();
  });

  it('writes while running at most every persistEveryMs, atomically', async () => {
    let now = 0;
    const d = createDeriver(lathe, { log, stateDir: dir, clock: () => now, persistEveryMs: 5_000 });
    if (!d) throw new Error('no deriver');
    d.process(reading(0, 10, 0));
    now = 4_000;
    d.process(reading(500, 10, 1));
    expect(readdirSync(dir)).toEqual([]);
    now = 5_000;
    d.process(reading(1_000, 10, 2));
    await d.close();
    expect(readdirSync(dir)).toEqual(['derive-lathe-03.json']);
    expect(d.stats().stateWrites).toBeGreaterThanOrEqual(1);
  });

  it('keeps deriving when the state cannot be written, counting the failures', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    let now = 0;
    const d = createDeriver(lathe, { log, stateDir: join(blocker, 'state'), clock: () => now });
    if (!d) throw new Error('no deriver');
    d.process(reading(0, 10, 0));
    now = 10_000;
    const out = d.process(reading(500, 10, 3));
    expect(pick(out, 'part_count')[0]?.value).toBe(3);
    await d.close();
    expect(d.stats().stateWriteErrors).toBeGreaterThanOrEqual(1);
    expect(d.stats().stateWrites).toBe(0);
  });

  it('moves an unreadable state file aside and starts from 0', async () => {
    writeFileSync(
      join(dir, 'derive-lathe-03.json'),
      '{"version":1,"device":"lathe-03","energy":{"kwh":"x"}}',
    );
    const d = createDeriver(lathe, { log, stateDir: dir, clock: () => 123 });
    if (!d) throw new Error('no deriver');
    expect(readdirSync(dir)).toEqual(['derive-lathe-03.json.corrupt-123']);
    const out = d.process(reading(0, 10, 7));
    expect(pick(out, 'energy_kwh')[0]?.value).toBe(0);
    await d.close();
  });

  it('keeps the totals but not the last reading when the source metric changed', async () => {
    writeFileSync(
      join(dir, 'derive-lathe-03.json'),
      JSON.stringify({
        version: 1,
        device: 'lathe-03',
        savedAt: 0,
        energy: { kwh: 12.5, lastT: 0, lastKw: 3 },
        energyFrom: 'old_current',
        parts: { total: 40, lastRaw: '9000', lastT: 0 },
        partsFrom: 'old_pulses',
      }),
    );
    const d = createDeriver(lathe, { log, stateDir: dir });
    if (!d) throw new Error('no deriver');
    const out = d.process(reading(1_000, 10, 3));
    expect(pick(out, 'energy_kwh')[0]?.value).toBe(12.5);
    expect(pick(out, 'part_count')[0]?.value).toBe(40);
    await d.close();
  });
});
