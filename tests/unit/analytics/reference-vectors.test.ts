import { describe, expect, it } from 'vitest';
import { type AnalyticsConfig, createAnalytics, type HostSample } from '../../../cloud/analytics/index.js';
import { cst, drive, elapsed, everyStep, sample, silentLog } from './support.js';

const STEP = 10_000;

/** oee.com worked example: 480 min shift, breaks 2×15 + 30 min, 47 min down, ideal 1 s, 19,271 parts, 423 rejects. */
export function oeeComScenario(device = 'press-07', day = '2026-11-25') {
  const at = (hm: string) => cst(`${day}T${hm}:00`);
  const running: [number, number][] = [
    [at('08:00'), at('10:00')],
    [at('10:15'), at('12:00')],
    [at('12:30'), at('13:00')],
    [at('13:47'), at('14:00')],
    [at('14:15'), at('16:00')],
  ];
  const down: [number, number] = [at('13:00'), at('13:47')];
  const runTotal = elapsed(running, Number.POSITIVE_INFINITY);
  const code = (t: number) =>
    running.some(([a, b]) => t >= a && t < b) ? 1 : t >= down[0] && t < down[1] ? 3 : 2;
  const count = (n: number, t: number) => Math.round((n * elapsed(running, t + STEP)) / runTotal);
  const make = (t: number): HostSample[] => [
    sample(device, 'state_code', code(t), t),
    sample(device, 'part_count', count(19_271, t), t),
    sample(device, 'scrap_count', count(423, t), t),
  ];
  const cfg: AnalyticsConfig = {
    timezone: 'Asia/Shanghai',
    calendar: {
      shifts: [
        {
          name: 'A',
          start: '08:00',
          end: '16:00',
          breaks: [
            { start: '10:00', end: '10:15' },
            { start: '12:00', end: '12:30' },
            { start: '14:00', end: '14:15' },
          ],
        },
      ],
    },
    machines: [
      {
        device,
        line: 'line3',
        state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '2': 'idle', '3': 'down' } },
        total: { metric: 'part_count' },
        scrap: { metric: 'scrap_count' },
        idealCycle: '1s',
      },
    ],
  };
  return { cfg, make, shiftStart: at('08:00'), from: at('07:50'), to: at('16:10') };
}

/** Flux experimental/oee example: 8 h planned, ideal 21 s, stop 04:03:53–04:24:53, 1298 parts, 13 bad. */
export function fluxScenario(device = 'cnc-01') {
  const at = (hms: string) => Date.parse(`2026-11-25T${hms}Z`);
  const stop: [number, number] = [at('04:03:53'), at('04:24:53')];
  const running: [number, number][] = [
    [at('00:00:00'), stop[0]],
    [stop[1], at('08:00:00')],
  ];
  const runTotal = elapsed(running, Number.POSITIVE_INFINITY);
  const count = (n: number, t: number) => Math.round((n * elapsed(running, t + STEP)) / runTotal);
  const make = (t: number): HostSample[] => [
    sample(device, 'state', t >= stop[0] && t < stop[1] ? 'off' : t < at('08:00:00') ? 'running' : 'idle', t),
    sample(device, 'part_count', count(1298, t), t),
    sample(device, 'bad_count', count(13, t), t),
  ];
  const cfg: AnalyticsConfig = {
    timezone: 'UTC',
    calendar: { shifts: [{ name: 'night', start: '00:00', end: '08:00' }] },
    machines: [
      {
        device,
        state: { metric: 'state', kind: 'derived' },
        total: { metric: 'part_count' },
        scrap: { metric: 'bad_count' },
        idealCycle: '21s',
      },
    ],
  };
  return { cfg, make, shiftStart: at('00:00:00'), from: at('00:00:00') - 60_000, to: at('08:10:00') };
}

async function runLive(s: ReturnType<typeof oeeComScenario>) {
  const clock = { now: s.from };
  const engine = createAnalytics(s.cfg, { log: silentLog, query: async () => [], clock: () => clock.now });
  await engine.rebuild(s.from);
  return drive(engine, clock, everyStep(s.from, s.to, STEP, s.make), { tickMs: 60_000, until: s.to });
}

describe('reference OEE vectors through the engine', () => {
  it('oee.com worked example: A 0.8881, P 0.8611, Q 0.9780, OEE 0.7479', async () => {
    const s = oeeComScenario();
    const { store } = await runLive(s);
    const p = store.one('oee', { device: 'press-07', period: 'shift', level: 'machine' }, s.shiftStart);
    expect(p.tags['shift']).toBe('A');
    expect(p.fields['planned_s']).toBe(25_200);
    expect(p.fields['run_s']).toBe(22_380);
    expect(p.fields['down_s']).toBe(2_820);
    expect(p.fields['total_count']).toBe(19_271);
    expect(p.fields['good_count']).toBe(18_848);
    expect(p.fields['availability']).toBeCloseTo(0.8881, 4);
    expect(p.fields['performance']).toBeCloseTo(0.8611, 4);
    expect(p.fields['quality']).toBeCloseTo(0.978, 4);
    expect(p.fields['oee']).toBeCloseTo(0.7479, 4);
    // The line roll-up of one machine is that machine.
    const line = store.one('oee', { device: 'line3', period: 'shift', level: 'line' }, s.shiftStart);
    expect(line.fields['oee']).toBeCloseTo(0.7479, 4);
  });

  it('Flux experimental/oee example: A 0.95625, P 0.98976, Q 0.98998', async () => {
    const s = fluxScenario();
    const { store } = await runLive(s as unknown as ReturnType<typeof oeeComScenario>);
    const p = store.one('oee', { device: 'cnc-01', period: 'shift', level: 'machine' }, s.shiftStart);
    expect(p.fields['run_s']).toBe(27_540);
    expect(p.fields['availability']).toBeCloseTo(0.95625, 5);
    expect(p.fields['performance']).toBeCloseTo(0.98976, 5);
    expect(p.fields['quality']).toBeCloseTo(0.98998, 5);
    expect(p.fields['oee']).toBeCloseTo(0.95625 * 0.98976 * 0.98998, 4);
  });
});
