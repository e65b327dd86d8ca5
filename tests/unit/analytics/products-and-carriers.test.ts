import { describe, expect, it } from 'vitest';
import {
  type AnalyticsConfigInput,
  createAnalytics,
  type HostSample,
} from '../../../cloud/analytics/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, drive, everyStep, sample, silentLog } from './support.js';

const at = (hms: string) => cst(`2026-11-25T${hms}`);
const STEP = 10_000;

async function run(cfg: AnalyticsConfigInput, make: (t: number) => HostSample[], from: number, to: number) {
  const clock = { now: from };
  const engine = createAnalytics(analyticsConfig(cfg), {
    log: silentLog,
    query: async () => [],
    clock: () => clock.now,
  });
  await engine.rebuild(from);
  return drive(engine, clock, everyStep(from, to, STEP, make), { tickMs: 60_000, until: to }).store;
}

describe('ideal cycles per program, setup and planned stops', () => {
  it('uses the running program’s ideal cycle, books setup as loss and machine planned stops out of planned time', async () => {
    // 08:00–09:00 program P100 (ideal 5 s), 09:00–09:10 setup, 09:10–10:00 P200 (ideal 10 s),
    // 10:00–10:20 planned stop reported by the PLC; one part every 10 s while running.
    const state = (t: number) =>
      t >= at('09:00:00') && t < at('09:10:00') ? 4 : t >= at('10:00:00') && t < at('10:20:00') ? 5 : 1;
    const program = (t: number) => (t < at('09:05:00') ? 'P100' : 'P200');
    let parts = 0;
    const make = (t: number) => {
      if (state(t) === 1 && t >= at('08:00:00')) parts++;
      return [
        sample('m1', 'state_code', state(t), t),
        sample('m1', 'program', program(t), t),
        sample('m1', 'part_count', parts, t),
      ];
    };
    const cfg: AnalyticsConfigInput = {
      timezone: 'Asia/Shanghai',
      calendar: { shifts: [{ name: 'A', start: '08:00', end: '11:00' }] },
      machines: [
        {
          device: 'm1',
          state: {
            metric: 'state_code',
            kind: 'code',
            map: { '1': 'running', '4': 'setup', '5': 'planned_stop' },
          },
          total: { metric: 'part_count' },
          idealCycle: '1s',
          program: { metric: 'program', idealCycles: { P100: '5s', P200: '10s' } },
        },
      ],
    };
    const store = await run(cfg, make, at('07:59:50'), at('11:01:00'));
    const shift = store.one('oee', { device: 'm1', period: 'shift', level: 'machine' }, at('08:00:00'));
    expect(shift.fields['planned_stop_s']).toBe(1200);
    expect(shift.fields['planned_s']).toBe(3 * 3600 - 1200);
    expect(shift.fields['setup_s']).toBe(600);
    expect(shift.fields['run_s']).toBe(3 * 3600 - 1200 - 600);
    // 360 parts of P100 at 5 s, (50 + 40) × 6 parts of P200 at 10 s.
    expect(shift.fields['total_count']).toBe(360 + 540);
    expect(shift.fields['ideal_s']).toBe(360 * 5 + 540 * 10);
    expect(shift.fields['availability']).toBeCloseTo((3 * 3600 - 1800) / (3 * 3600 - 1200), 9);
    expect(shift.fields['performance']).toBeCloseTo((360 * 5 + 540 * 10) / (3 * 3600 - 1800), 9);
  });
});

describe('other carriers', () => {
  it('meters water and compressed air without emissions, and steam as Scope 2 purchased heat', async () => {
    const make = (t: number) => [
      sample('util', 'water_m3', (t - at('08:00:00')) / 3_600_000, t),
      sample('util', 'air_m3h', 120, t),
      sample('util', 'steam_gj', 2 * ((t - at('08:00:00')) / 3_600_000), t),
    ];
    const cfg: AnalyticsConfigInput = {
      meters: [
        { device: 'util', carrier: 'water', counter: { metric: 'water_m3' } },
        { device: 'util', carrier: 'compressed_air', rate: { metric: 'air_m3h' } },
        { device: 'util', carrier: 'steam', counter: { metric: 'steam_gj' } },
      ],
    };
    const store = await run(cfg, make, at('08:00:00'), at('09:01:00'));
    const hour = (carrier: string) =>
      store.one('energy', { device: 'util', carrier, period: '1h' }, at('08:00:00')).fields;
    expect(hour('water')['consumption']).toBeCloseTo(1, 9);
    expect(hour('water')['unit']).toBe('m3');
    expect(hour('compressed_air')['consumption']).toBeCloseTo(120, 9);
    expect(hour('steam')['unit']).toBe('GJ');
    expect(hour('water')['demand_kw']).toBeUndefined();
    const emissions = store.find('emissions', { device: 'util', period: '1h' }, at('08:00:00'));
    expect(emissions.map((p) => [p.tags['source'], p.tags['scope']])).toEqual([['steam', '2']]);
    expect(emissions[0]?.fields['co2e_kg']).toBeCloseTo(2 * 110, 6);
  });
});
