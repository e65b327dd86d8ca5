/**
 * The derived virtual sensors scored against the machine model's ground truth: hours of a simulated lathe,
 * polled through the retrofit IO module's registers every 500 ms, as the agent would.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { createDeriver } from '../../../agent/derive/deriver.js';
import { powerKw } from '../../../agent/derive/power-energy.js';
import type { Sample } from '../../../protocols/sample.js';
import { RetrofitIoModule } from '../../../simulators/retrofit/io-module.js';
import { LATHE, MachineModel, type TruthSegment } from '../../../simulators/retrofit/machine-model.js';
import { agentDevice } from '../../helpers/configs.js';

const log = pino({ level: 'silent' });
const POLL_MS = 500;
const HOURS = 6;
const MIN_DWELL_MS = 5_000;

type PartCount = NonNullable<AgentDeviceInput['derive']>['part_count'];

function device(partCount: PartCount) {
  return agentDevice({
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
      state: { from: 'current_a', off: 1, running: 6, hysteresis: 0.5, minDwell: MIN_DWELL_MS },
      ...(partCount ? { part_count: partCount } : {}),
      power_kw: { threePhase: { current: 'current_a', voltage: 380, powerFactor: 0.85 } },
    },
  });
}

/** Polls the IO module like the Modbus source would (raw registers × scale) and runs the deriver. */
function simulate(seed: number, partCount: PartCount, counterBits: 16 | 32 = 32) {
  const model = new MachineModel(LATHE, seed);
  const io = new RetrofitIoModule(model, { counterBits, counterStart: counterBits === 16 ? 65_400 : 0 });
  const deriver = createDeriver(device(partCount), { log });
  if (!deriver) throw new Error('no deriver');
  let end = HOURS * 3_600_000;
  // finish while the machine is idle or off, so every part made has also passed the photo-eye
  while (model.stateAt(end) === 'running' || model.stateAt(end - 10_000) === 'running') end += 60_000;
  const derived: Sample[] = [];
  for (let t = 0; t <= end; t += POLL_MS) {
    const batch: Sample[] = [
      {
        device: 'lathe-03',
        metric: 'clamp_ma',
        value: io.ai0MicroAmps(t) * 0.001,
        timestamp: t,
        quality: 'good',
      },
      { device: 'lathe-03', metric: 'pulses', value: io.counter(t), timestamp: t, quality: 'good' },
      {
        device: 'lathe-03',
        metric: 'ai0_fault',
        value: (io.status(t) & 1) === 1,
        timestamp: t,
        quality: 'good',
      },
    ];
    derived.push(...deriver.process(batch).slice(batch.length));
  }
  return { model, deriver, derived, end };
}

/** Fraction of [0, end) during which the derived state equals the true one. */
function agreement(derived: Sample[], truth: TruthSegment[], end: number): number {
  const changes = derived.filter((s) => s.metric === 'state');
  let agree = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i] as Sample;
    const until = changes[i + 1]?.timestamp ?? end;
    for (const seg of truth) {
      if (seg.state !== c.value) continue;
      agree += Math.max(0, Math.min(until, seg.end) - Math.max(c.timestamp, seg.start));
    }
  }
  return agree / end;
}

describe.each([1, 2, 3])(`lathe seed %i, ${HOURS} h at 500 ms polls`, (seed) => {
  const counted = simulate(seed, { from: 'pulses', counter: true });

  it('derived state matches the true state ≥ 98 % of the time', () => {
    const truth = counted.model.truth(0, counted.end);
    expect(new Set(truth.map((s) => s.state))).toEqual(new Set(['off', 'idle', 'running']));
    expect(agreement(counted.derived, truth, counted.end)).toBeGreaterThanOrEqual(0.98);
  });

  it('no reported state is shorter than minDwell, and consecutive states differ', () => {
    const states = counted.derived.filter((s) => s.metric === 'state');
    expect(states.length).toBeGreaterThan(10);
    for (let i = 1; i < states.length; i++) {
      const a = states[i - 1] as Sample;
      const b = states[i] as Sample;
      expect(b.timestamp - a.timestamp).toBeGreaterThanOrEqual(MIN_DWELL_MS);
      expect(b.value).not.toBe(a.value);
    }
  });

  it('pulse-counter part count is exact', () => {
    const last = counted.derived.filter((s) => s.metric === 'part_count').at(-1);
    expect(last?.value).toBe(counted.model.partsUntil(counted.end));
    expect(counted.model.partsUntil(counted.end)).toBeGreaterThan(100);
  });

  it('energy is within 1 % of the true integral of the same power model', () => {
    const model = { phases: 3, voltage: 380, powerFactor: 0.85 } as const;
    const trueKwh = counted.model.integrate(0, counted.end, (a) => powerKw(a, model)) / 3_600_000;
    const kwh = counted.derived.filter((s) => s.metric === 'energy_kwh').at(-1)?.value as number;
    expect(Math.abs(kwh - trueKwh) / trueKwh).toBeLessThan(0.01);
  });

  it('cycles detected in the current signal count every part, with the measured cycle time', () => {
    const { derived, model, end } = simulate(seed, {
      from: 'current_a',
      cycles: { threshold: 6, hysteresis: 0.5, minDuration: '8s', maxCycleTime: '60s' },
    });
    expect(derived.filter((s) => s.metric === 'part_count').at(-1)?.value).toBe(model.partsUntil(end));
    // each measured cycle time is emitted when its cycle's load drops; pair it with that true cycle
    const cycles = model.cycles(0, end);
    const measured = derived.filter((s) => s.metric === 'cycle_time_s');
    const errors = measured.map((m) => {
      const i = cycles.findIndex((c) => c.end <= m.timestamp && m.timestamp - c.end < 2 * POLL_MS);
      const prev = cycles[i - 1];
      const cur = cycles[i];
      if (!prev || !cur) throw new Error(`no true cycle ends just before ${m.timestamp}`);
      return (m.value as number) - (cur.start - prev.start) / 1000;
    });
    // every true start-to-start time well under maxCycleTime was measured
    const expectedCount = cycles.filter(
      (c, i) => i > 0 && c.start - (cycles[i - 1]?.start ?? 0) < 59_000,
    ).length;
    expect(measured.length).toBeGreaterThanOrEqual(expectedCount);
    // resolution is the poll interval: each edge is placed within one poll, and the errors average out
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(2 * (POLL_MS / 1000));
    expect(Math.abs(errors.reduce((x, y) => x + y, 0) / errors.length)).toBeLessThan(0.05);
    expect(errors.reduce((x, y) => x + Math.abs(y), 0) / errors.length).toBeLessThan(0.3);
  });
});

describe('a 16-bit counter register rolling over', () => {
  it('counts exactly across the wrap', () => {
    const { derived, model, end, deriver } = simulate(7, { from: 'pulses', counter: true, bits: 16 }, 16);
    expect(derived.filter((s) => s.metric === 'part_count').at(-1)?.value).toBe(model.partsUntil(end));
    expect(deriver.stats().counterRollovers).toBe(1);
  });
});
