/**
 * Scripted machine timelines for the analytics tests (reference vectors and their sources:
 * docs/architecture.md#oee).
 */
import type { AnalyticsConfigInput, HostSample } from '../../../cloud/analytics/index.js';
import { cst, elapsed, sample } from './support.js';

export const STEP = 10_000;

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
  const cfg: AnalyticsConfigInput = {
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
  const cfg: AnalyticsConfigInput = {
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

/**
 * A plant shift with a machine, its electricity register (kWh counter), a gas burner (m³/h rate) and a stack NOx
 * monitor: every 10 s, 07:50–16:10 local. Used by the late-data and restart tests.
 */
export function plantScenario(day = '2026-11-25') {
  const at = (hm: string) => cst(`${day}T${hm}:00`);
  const running: [number, number][] = [
    [at('08:00'), at('09:40')],
    [at('09:41'), at('10:00')], // a 1-minute micro-stop at 09:40
    [at('10:15'), at('11:03')],
    [at('11:20'), at('12:00')], // down 11:03–11:20
    [at('12:30'), at('15:30')],
  ];
  const runTotal = elapsed(running, Number.POSITIVE_INFINITY);
  const isRunning = (t: number) => running.some(([a, b]) => t >= a && t < b);
  const code = (t: number) => (isRunning(t) ? 1 : t >= at('11:03') && t < at('11:20') ? 3 : 2);
  const count = (n: number, t: number) => Math.round((n * elapsed(running, t + STEP)) / runTotal);
  // Energy register: 7.2 kW running, 1.2 kW otherwise.
  const kwhAt = (t: number) => {
    const base = at('07:50');
    const runMs = elapsed(running, t) - elapsed(running, base);
    return 5000 + (runMs / 3_600_000) * 7.2 + ((t - base - runMs) / 3_600_000) * 1.2;
  };
  const gas = (t: number) => 12 + 3 * Math.sin((t - at('08:00')) / 600_000);
  const nox = (t: number) => 90 + 25 * Math.sin((t - at('08:00')) / 1_200_000);
  const make = (t: number): HostSample[] => [
    sample('press-07', 'state_code', code(t), t),
    sample('press-07', 'part_count', count(9_000, t), t),
    sample('press-07', 'scrap_count', count(150, t), t),
    sample('meter-07', 'energy_kwh', Math.round(kwhAt(t) * 1000) / 1000, t),
    sample('boiler-1', 'gas_m3h', Math.round(gas(t) * 100) / 100, t),
    sample('stack-1', 'nox_mg', Math.round(nox(t) * 10) / 10, t),
  ];
  const cfg: AnalyticsConfigInput = {
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
          ],
        },
      ],
    },
    machines: [
      {
        device: 'press-07',
        line: 'line3',
        state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '2': 'idle', '3': 'down' } },
        total: { metric: 'part_count', bits: 16 },
        scrap: { metric: 'scrap_count' },
        idealCycle: '2s',
      },
    ],
    meters: [
      {
        device: 'meter-07',
        carrier: 'electricity',
        counter: { metric: 'energy_kwh' },
        machine: 'press-07',
        tariff: 'cq-tou',
      },
      { device: 'boiler-1', carrier: 'natural_gas', rate: { metric: 'gas_m3h' }, machine: 'press-07' },
    ],
    tariffs: [
      {
        name: 'cq-tou',
        currency: 'CNY',
        defaultPrice: 0.4,
        periods: [
          { name: 'peak', start: '08:00', end: '11:00', price: 1.2 },
          { name: 'flat', start: '11:00', end: '17:00', price: 0.8 },
        ],
      },
    ],
    alarms: [{ device: 'stack-1', metric: 'nox_mg', severity: 'warning', high: 100, hysteresis: 10 }],
  };
  return { cfg, make, shiftStart: at('08:00'), from: at('07:50'), to: at('16:10'), at, running, kwhAt };
}
