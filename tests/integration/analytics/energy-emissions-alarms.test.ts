import { afterAll, describe, expect, it } from 'vitest';
import {
  type AnalyticsConfigInput,
  createAnalytics,
  type HostSample,
} from '../../../cloud/analytics/index.js';
import { queryInfluxQL } from '../../../protocols/influx/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { dropDatabase, freshDatabase, influxUrl } from '../../helpers/services.js';
import { cst, everyStep, sample, silentLog } from '../../unit/analytics/support.js';
import { driveInflux, influxQuery } from './influx-io.js';

const STEP = 10_000;
const H = 3_600_000;
const dbs: string[] = [];
afterAll(async () => {
  await Promise.allSettled(dbs.map(dropDatabase));
});

const at = (hms: string) => cst(`2026-11-25T${hms}`);

async function run(cfg: AnalyticsConfigInput, make: (t: number) => HostSample[], from: number, to: number) {
  const url = influxUrl();
  const db = await freshDatabase('analytics_energy');
  dbs.push(db);
  const clock = { now: from };
  const engine = createAnalytics(analyticsConfig(cfg), {
    log: silentLog,
    query: influxQuery(url, db),
    clock: () => clock.now,
  });
  await engine.rebuild(from);
  const events = await driveInflux(engine, clock, everyStep(from, to, STEP, make), {
    url,
    db,
    tickMs: 60_000,
    until: to,
  });
  return { q: (statement: string) => queryInfluxQL(url, { db, q: statement }), events };
}

describe('energy, emissions, kpi and alarms through a real InfluxDB', () => {
  it('computes kWh, 15-minute demand and peak, time-of-use cost, Scope 1 and 2 CO2e and per-part KPIs', async () => {
    // Register: 7.2 kW from 08:00 to 09:00, 3.6 kW from 09:00; gas burner at 10 m³/h; one good part every 10 s.
    const kwh = (t: number) =>
      1000 +
      (7.2 * Math.min(Math.max(0, t - at('08:00:00')), H)) / H +
      (3.6 * Math.max(0, t - at('09:00:00'))) / H;
    const make = (t: number) => [
      sample('press-07', 'state_code', t >= at('08:00:00') ? 1 : 2, t),
      sample('press-07', 'good_count', Math.max(0, Math.floor((t - at('08:00:00')) / STEP) + 1), t),
      sample('meter-07', 'energy_kwh', kwh(t), t),
      sample('boiler-1', 'gas_m3h', 10, t),
    ];
    const cfg: AnalyticsConfigInput = {
      timezone: 'Asia/Shanghai',
      machines: [
        {
          device: 'press-07',
          state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '2': 'idle' } },
          total: { metric: 'good_count' },
          good: { metric: 'good_count' },
          idealCycle: '8s',
        },
      ],
      meters: [
        {
          device: 'meter-07',
          carrier: 'electricity',
          counter: { metric: 'energy_kwh' },
          machine: 'press-07',
          tariff: 'tou',
        },
        { device: 'boiler-1', carrier: 'natural_gas', rate: { metric: 'gas_m3h' }, machine: 'press-07' },
      ],
      tariffs: [
        {
          name: 'tou',
          currency: 'CNY',
          defaultPrice: 0.5,
          periods: [{ name: 'peak', start: '08:00', end: '08:30', price: 1.2 }],
        },
      ],
    };
    const { q } = await run(cfg, make, at('07:59:50'), at('10:01:00'));

    const quarters = await q(
      `SELECT "consumption", "demand_kw", "peak_kw", "cost", "unit", "tariff" FROM "energy" WHERE "period" = '15m' AND "carrier" = 'electricity' AND time >= ${at('08:00:00')}ms AND time < ${at('10:00:00')}ms`,
    );
    expect(quarters).toHaveLength(8);
    for (const [i, r] of quarters.entries()) {
      const kw = i < 4 ? 7.2 : 3.6;
      expect(r['consumption']).toBeCloseTo(kw / 4, 6);
      expect(r['demand_kw']).toBeCloseTo(kw, 6);
      expect(r['peak_kw']).toBeCloseTo(kw, 6);
      expect(r['unit']).toBe('kWh');
      expect(r['cost']).toBeCloseTo((kw / 4) * (i < 2 ? 1.2 : 0.5), 6);
      expect(r['tariff']).toBe(i < 2 ? 'peak' : 'default');
    }
    const hour8 = await q(
      `SELECT "consumption", "cost", "demand_kw", "peak_kw", "currency" FROM "energy" WHERE "period" = '1h' AND "carrier" = 'electricity' AND time = ${at('08:00:00')}ms`,
    );
    expect(hour8[0]?.['consumption']).toBeCloseTo(7.2, 6);
    expect(hour8[0]?.['cost']).toBeCloseTo(3.6 * 1.2 + 3.6 * 0.5, 6);
    expect(hour8[0]?.['currency']).toBe('CNY');
    const day = await q(
      `SELECT "consumption", "peak_kw", "demand_kw" FROM "energy" WHERE "period" = 'day' AND "carrier" = 'electricity'`,
    );
    // Everything up to the last reading (10:00:50): 7.2 + 3.6 + 3.6 × 50 s.
    const total = kwh(at('10:00:50')) - 1000;
    expect(total).toBeCloseTo(10.85, 9);
    expect(day[0]?.['consumption']).toBeCloseTo(total, 6);
    expect(day[0]?.['peak_kw']).toBeCloseTo(7.2, 6);
    expect(day[0]?.['demand_kw']).toBeCloseTo(total / 24, 6);

    const emissions = await q(
      `SELECT "co2e_kg", "factor", "factor_key", "factor_year", "scope", "source" FROM "emissions" WHERE "period" = '1h' AND time = ${at('08:00:00')}ms`,
    );
    const scope2 = emissions.find((r) => r['scope'] === '2');
    const scope1 = emissions.find((r) => r['scope'] === '1');
    expect(scope2).toMatchObject({
      source: 'electricity',
      factor: 0.5306,
      factor_key: 'cn-national-2023',
      factor_year: 2023,
    });
    expect(scope2?.['co2e_kg']).toBeCloseTo(7.2 * 0.5306, 6);
    expect(scope1).toMatchObject({ source: 'natural_gas', factor: 2.184, factor_key: 'ipcc2006-ng-cn-ncv' });
    expect(scope1?.['co2e_kg']).toBeCloseTo(10 * 2.184, 6);

    const kpi = await q(
      `SELECT "kwh_per_good_part", "co2e_kg_per_good_part", "good_count" FROM "kpi" WHERE "period" = '1h' AND time = ${at('08:00:00')}ms`,
    );
    expect(kpi[0]?.['good_count']).toBe(360);
    expect(kpi[0]?.['kwh_per_good_part']).toBeCloseTo(7.2 / 360, 9);
    expect(kpi[0]?.['co2e_kg_per_good_part']).toBeCloseTo((7.2 * 0.5306 + 21.84) / 360, 9);
  });

  it('raises and clears stack-monitor alarms with hysteresis, and does not chatter around the limit', async () => {
    const values = [95, 105, 99, 101, 92, 89, 101, 99, 80];
    const start = at('09:00:00');
    const make = (t: number) => {
      const v = values[Math.round((t - start) / STEP)];
      return v === undefined ? [] : [sample('stack-1', 'nox_mg', v, t)];
    };
    const cfg: AnalyticsConfigInput = {
      alarms: [{ device: 'stack-1', metric: 'nox_mg', severity: 'critical', high: 100, hysteresis: 10 }],
    };
    const { q, events } = await run(cfg, make, start, start + values.length * STEP);
    const rows = await q(`SELECT "active", "value", "limit", "severity", "message" FROM "alarms"`);
    expect(rows.map((r) => [r['time'], r['active'], r['value']])).toEqual([
      [start + 1 * STEP, true, 105],
      [start + 5 * STEP, false, 89],
      [start + 6 * STEP, true, 101],
      [start + 8 * STEP, false, 80],
    ]);
    expect(rows[0]).toMatchObject({
      limit: 100,
      severity: 'critical',
      message: 'nox_mg 105 above high limit 100',
    });
    const alarmEvents = events.filter((e) => e.type === 'alarm');
    expect(alarmEvents.map((e) => (e.type === 'alarm' ? [e.active, e.raisedAt] : []))).toEqual([
      [true, start + STEP],
      [false, start + STEP],
      [true, start + 6 * STEP],
      [false, start + 6 * STEP],
    ]);
  });

  it('books micro-stops per ISO 22400 or Nakajima, and derives MTBF and MTTR from real failures', async () => {
    const code = (t: number) =>
      (t >= at('08:20:00') && t < at('08:30:00')) || (t >= at('09:10:00') && t < at('09:15:00'))
        ? 3
        : t >= at('08:40:00') && t < at('08:41:00')
          ? 3
          : 1;
    const make = (t: number) => [
      sample('m1', 'state_code', code(t), t),
      sample('m1', 'part_count', Math.floor(t / 5_000), t),
    ];
    const base = (lossBooking: 'iso22400' | 'nakajima'): AnalyticsConfigInput => ({
      timezone: 'Asia/Shanghai',
      lossBooking,
      calendar: { shifts: [{ name: 'A', start: '08:00', end: '10:00' }] },
      machines: [
        {
          device: 'm1',
          state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '3': 'down' } },
          total: { metric: 'part_count' },
          idealCycle: '4s',
        },
      ],
    });
    const select = `SELECT "run_s", "down_s", "micro_s", "availability", "performance", "oee", "failures", "mtbf_s", "mttr_s" FROM "oee" WHERE "period" = 'day' AND "level" = 'machine'`;
    const iso =
      (await (await run(base('iso22400'), make, at('07:59:50'), at('10:01:00'))).q(select))[0] ?? {};
    const nak =
      (await (await run(base('nakajima'), make, at('07:59:50'), at('10:01:00'))).q(select))[0] ?? {};
    expect(iso).toMatchObject({ run_s: 7200 - 960, down_s: 960, micro_s: 60 });
    expect(nak).toMatchObject({ run_s: 7200 - 900, down_s: 900, micro_s: 60 });
    expect(Number(nak['availability'])).toBeGreaterThan(Number(iso['availability']));
    expect(Number(nak['performance'])).toBeLessThan(Number(iso['performance']));
    expect(nak['oee']).toBeCloseTo(Number(iso['oee']), 12);
    // Two failures (the 1-minute micro-stop is not one): MTTR (600 + 300) / 2; MTBF = running time / 2.
    expect(iso).toMatchObject({ failures: 2, mttr_s: 450, mtbf_s: (7200 - 960) / 2 });
  });
});
