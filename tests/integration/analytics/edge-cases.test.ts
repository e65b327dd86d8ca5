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
const dbs: string[] = [];
afterAll(async () => {
  await Promise.allSettled(dbs.map(dropDatabase));
});

const STATES = { '1': 'running', '2': 'idle', '3': 'down' } as const;

function machineCfg(extra: Partial<AnalyticsConfigInput> = {}, bits?: 16): AnalyticsConfigInput {
  return {
    timezone: 'Asia/Shanghai',
    machines: [
      {
        device: 'm1',
        state: { metric: 'state_code', kind: 'code', map: { ...STATES } },
        total: bits ? { metric: 'part_count', bits } : { metric: 'part_count' },
        idealCycle: '2s',
      },
    ],
    ...extra,
  };
}

async function run(cfg: AnalyticsConfigInput, make: (t: number) => HostSample[], from: number, to: number) {
  const url = influxUrl();
  const db = await freshDatabase('analytics_edge');
  dbs.push(db);
  const clock = { now: from };
  const engine = createAnalytics(analyticsConfig(cfg), {
    log: silentLog,
    query: influxQuery(url, db),
    clock: () => clock.now,
  });
  await engine.rebuild(from);
  await driveInflux(engine, clock, everyStep(from, to, STEP, make), { url, db, tickMs: 60_000, until: to });
  const q = async (statement: string) => queryInfluxQL(url, { db, q: statement });
  return { q, engine };
}

describe('analytics edge cases through a real InfluxDB', () => {
  it('counts parts across a 16-bit counter rollover and a PLC counter reset', async () => {
    const at = (hms: string) => cst(`2026-11-25T${hms}`);
    const parts = (t: number) => Math.max(0, Math.floor((t - at('08:00:00')) / 2_000));
    const resetAfter = at('08:29:50');
    const raw = (t: number) =>
      t <= resetAfter ? (65_000 + parts(t)) % 65_536 : parts(t) - parts(resetAfter);
    const cfg = machineCfg({ calendar: { shifts: [{ name: 'A', start: '08:00', end: '16:00' }] } }, 16);
    const { q, engine } = await run(
      cfg,
      (t) => [sample('m1', 'state_code', 1, t), sample('m1', 'part_count', raw(t), t)],
      at('07:59:50'),
      at('09:02:00'),
    );
    const rows = await q(
      `SELECT "total_count", "run_s", "performance" FROM "oee" WHERE "period" = '1h' AND "level" = 'machine' AND time = ${at('08:00:00')}ms`,
    );
    expect(rows[0]?.['total_count']).toBe(parts(at('08:59:50')));
    expect(rows[0]?.['run_s']).toBe(3600);
    expect(rows[0]?.['performance']).toBeCloseTo((1795 * 2) / 3600, 6);
    expect(engine.stats().counterWraps).toBe(1);
    expect(engine.stats().counterResets).toBe(1);
  });

  it('splits a state that spans window boundaries exactly between the windows it touches', async () => {
    const at = (hms: string) => cst(`2026-11-25T${hms}`);
    const down: [number, number] = [at('10:58:30'), at('11:03:30')];
    const code = (t: number) => (t >= down[0] && t < down[1] ? 3 : 1);
    // State samples on a 10 s grid miss the exact edges: send the edges themselves too, as a PLC would on change.
    const make = (t: number) => {
      const out = [
        sample('m1', 'state_code', code(t), t),
        sample('m1', 'part_count', Math.floor(t / 2_000), t),
      ];
      for (const edge of down)
        if (edge > t && edge < t + STEP) out.push(sample('m1', 'state_code', code(edge), edge));
      return out;
    };
    const { q } = await run(machineCfg(), make, at('09:59:50'), at('11:32:00'));
    const hours = await q(
      `SELECT "down_s", "run_s", "planned_s" FROM "oee" WHERE "period" = '1h' AND "level" = 'machine' AND time >= ${at('10:00:00')}ms`,
    );
    expect(hours.map((r) => [r['time'], r['down_s']])).toEqual([
      [at('10:00:00'), 90],
      [at('11:00:00'), 210],
    ]);
    const minutes = await q(
      `SELECT "down_s" FROM "oee" WHERE "period" = '1m' AND "level" = 'machine' AND time >= ${at('10:58:00')}ms AND time <= ${at('11:04:00')}ms`,
    );
    expect(minutes.map((r) => r['down_s'])).toEqual([30, 60, 60, 60, 60, 30, 0]);
    const states = await q(`SELECT "state", "duration_s" FROM "machine_state" WHERE "state" = 'down'`);
    expect(states).toEqual([{ time: down[0], state: 'down', duration_s: 300 }]);
  });

  it('books a night shift that crosses midnight, with a break across it, into the right shift and days', async () => {
    const d = (day: string, hm: string) => cst(`2026-11-${day}T${hm}:00`);
    const down: [number, number] = [d('25', '23:50'), d('26', '00:10')];
    const code = (t: number) => (t >= down[0] && t < down[1] ? 3 : 1);
    const cfg = machineCfg({
      calendar: {
        shifts: [
          { name: 'day', start: '08:00', end: '20:00' },
          { name: 'night', start: '20:00', end: '08:00', breaks: [{ start: '00:00', end: '00:30' }] },
        ],
      },
    });
    const { q } = await run(
      cfg,
      (t) => [sample('m1', 'state_code', code(t), t), sample('m1', 'part_count', Math.floor(t / 2_000), t)],
      d('25', '19:00'),
      d('26', '08:10'),
    );
    const night = await q(
      `SELECT "shift", "planned_s", "run_s", "down_s" FROM "oee" WHERE "period" = 'shift' AND "level" = 'machine' AND "shift" = 'night'`,
    );
    expect(night).toEqual([
      { time: d('25', '20:00'), shift: 'night', planned_s: 41_400, run_s: 40_800, down_s: 600 },
    ]);
    const days = await q(
      `SELECT "planned_s", "run_s", "down_s" FROM "oee" WHERE "period" = 'day' AND "level" = 'machine' AND time >= ${d('25', '00:00')}ms`,
    );
    // Nov 25: the previous night's 00:30–08:00, the day shift 08:00–20:00 (both offline: the first data is at
    // 19:00) and this night's 20:00–24:00 with 10 minutes down.
    expect(days[0]).toMatchObject({
      time: d('25', '00:00'),
      planned_s: 27_000 + 43_200 + 14_400,
      down_s: 27_000 + 39_600 + 600,
    });
    // Nov 26 up to 08:10: night 00:30–08:00 and 10 minutes of the day shift.
    expect(days[1]).toMatchObject({
      time: d('26', '00:00'),
      planned_s: 27_000 + 600,
      run_s: 27_600,
      down_s: 0,
    });
    const hourAtMidnight = await q(
      `SELECT "planned_s", "run_s", "down_s", "shift" FROM "oee" WHERE "period" = '1h' AND "level" = 'machine' AND time = ${d('26', '00:00')}ms`,
    );
    expect(hourAtMidnight).toEqual([
      { time: d('26', '00:00'), planned_s: 1800, run_s: 1800, down_s: 0, shift: 'night' },
    ]);
  });

  it('rolls lines and sites up by summing components, never by averaging ratios', async () => {
    // m1: fast (ideal 1 s), runs the whole hour, makes 1800 parts → OEE 0.5. m2: slow (ideal 30 s), down half the
    // hour, makes 60 parts → 60 × 30 / 3600 = 0.5. m3 (another line) is planned 08:30–09:00 only: 360 parts × 2 s
    // / 1800 s = 0.4.
    const at = (hms: string) => cst(`2026-11-25T${hms}`);
    const start = at('08:00:00');
    const m2Down = (t: number) => t >= at('08:30:00');
    const make = (t: number) => {
      const k = Math.max(0, Math.floor((t - start) / STEP) + 1);
      return [
        sample('m1', 'state_code', 1, t),
        sample('m1', 'part_count', k * 5, t),
        sample('m2', 'state_code', m2Down(t) ? 3 : 1, t),
        sample('m2', 'part_count', Math.min(k, 180) / 3, t),
        sample('m3', 'state_code', 1, t),
        sample(
          'm3',
          'part_count',
          t >= at('08:30:00') ? (Math.floor((t - at('08:30:00')) / STEP) + 1) * 2 : 0,
          t,
        ),
      ];
    };
    const machine = (device: string, line: string, ideal: string) => ({
      device,
      line,
      state: { metric: 'state_code', kind: 'code' as const, map: { ...STATES } },
      total: { metric: 'part_count' },
      idealCycle: ideal,
    });
    const cfg: AnalyticsConfigInput = {
      timezone: 'Asia/Shanghai',
      calendar: {
        shifts: [{ name: 'A', start: '08:00', end: '09:00' }],
        // m3 is planned for half the hour only: planned times differ, so a mean of ratios would be wrong.
        plannedStops: [{ from: '2026-11-25T08:00', to: '2026-11-25T08:30', devices: ['m3'] }],
      },
      machines: [machine('m1', 'l1', '1s'), machine('m2', 'l1', '30s'), machine('m3', 'l2', '2s')],
    };
    const { q } = await run(cfg, make, start - STEP, at('09:01:00'));
    const rows = await q(
      `SELECT "device", "level", "planned_s", "run_s", "ideal_s", "oee", "availability", "performance" FROM "oee" WHERE "period" = 'shift'`,
    );
    const by = (device: string) => rows.find((r) => r['device'] === device) ?? {};
    expect(by('m1')['oee']).toBeCloseTo(0.5, 9);
    expect(by('m2')['oee']).toBeCloseTo(0.5, 9);
    expect(by('m3')['oee']).toBeCloseTo(0.4, 9);
    const l1 = by('l1');
    expect(l1['level']).toBe('line');
    expect(l1['planned_s']).toBe(7200);
    expect(l1['run_s']).toBe(3600 + 1800);
    expect(l1['oee']).toBeCloseTo((1800 + 1800) / 7200, 9);
    // Availability and performance of the line come from the sums, not the mean of the machines' ratios.
    expect(l1['availability']).toBeCloseTo(5400 / 7200, 9);
    expect(l1['performance']).toBeCloseTo(3600 / 5400, 9);
    const site = by('cq');
    expect(site['level']).toBe('site');
    expect(site['planned_s']).toBe(3600 + 3600 + 1800);
    expect(site['oee']).toBeCloseTo((1800 + 1800 + 720) / 9000, 9);
    expect(site['oee']).not.toBeCloseTo((0.5 + 0.5 + 0.4) / 3, 3);
  });
});
