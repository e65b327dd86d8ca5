import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ShiftCalendar } from '../../../cloud/analytics/calendar.js';
import {
  counterDelta,
  forEachIncrease,
  integrateRate,
  spreadIncrease,
} from '../../../cloud/analytics/counters.js';
import { loadFactorTable, parseFactorTable } from '../../../cloud/analytics/emission-factors.js';
import { AnalyticsConfigError } from '../../../cloud/analytics/errors.js';
import { analyticsConfigProblems, createAnalytics } from '../../../cloud/analytics/index.js';
import { total } from '../../../cloud/analytics/intervals.js';
import { Series } from '../../../cloud/analytics/series.js';
import { createStateMapping } from '../../../cloud/analytics/state-map.js';
import { TariffClock } from '../../../cloud/analytics/tariff.js';
import { TimeZone } from '../../../cloud/analytics/time-zone.js';
import { AnalyticsConfig } from '../../../config/schemas/analytics.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, silentLog } from './support.js';

function series(points: [number, number][]): Series {
  const s = new Series();
  for (const [t, v] of points) s.insert(t, v);
  return s;
}

describe('counters', () => {
  it('follows the Flux increase() reset example: 1, 2, 8, 10, 0, 4 → 13', () => {
    const s = series([1, 2, 8, 10, 0, 4].map((v, i) => [i * 1000, v]));
    let sum = 0;
    forEachIncrease(s, 0, 10_000, {}, (_t, d) => {
      sum += d;
    });
    expect(sum).toBe(13);
  });

  it('tells a wrap of an n-bit register from a reset, and quarantines implausible jumps', () => {
    expect(counterDelta(65_530, 4, { bits: 16 })).toEqual({ delta: 10, kind: 'wrap' });
    expect(counterDelta(30_000, 4, { bits: 16 })).toEqual({ delta: 4, kind: 'reset' });
    expect(counterDelta(65_530, 4, {})).toEqual({ delta: 4, kind: 'reset' });
    expect(counterDelta(10, 5_000, { maxDelta: 1000 })).toEqual({ delta: 0, kind: 'quarantined' });
  });

  it('spreads a register increase over the time between readings and integrates rates by trapezoids', () => {
    const reg = series([
      [0, 100],
      [600_000, 110],
    ]);
    expect(spreadIncrease(reg, 0, 300_000, {})).toBeCloseTo(5, 9);
    expect(spreadIncrease(reg, 300_000, 600_000, {})).toBeCloseTo(5, 9);
    const kw = series([
      [0, 0],
      [3_600_000, 10],
    ]);
    expect(integrateRate(kw, 0, 3_600_000, 4_000_000)).toBeCloseTo(5, 9);
    expect(integrateRate(kw, 1_800_000, 3_600_000, 4_000_000)).toBeCloseTo(3.75, 9);
    // A gap longer than maxGap is not bridged, nor a span next to a bad reading.
    expect(integrateRate(kw, 0, 3_600_000, 60_000)).toBe(0);
    const withBad = series([
      [0, 10],
      [1_800_000, 10],
      [3_600_000, 10],
    ]);
    withBad.insert(1_800_000, null);
    expect(integrateRate(withBad, 0, 3_600_000, 4_000_000)).toBe(0);
    withBad.insert(1_800_000, 10);
    expect(integrateRate(withBad, 0, 3_600_000, 4_000_000)).toBeCloseTo(10, 9);
  });

  it('keeps one value per timestamp, so a redelivered reading does not count twice', () => {
    const s = series([
      [0, 1],
      [1000, 5],
    ]);
    expect(s.insert(1000, 5)).toBe(false);
    expect(s.length).toBe(2);
  });
});

describe('state mapping', () => {
  it('maps PackML states by number and name, with overrides', () => {
    const m = createStateMapping('packml', { '11': 'planned_stop' });
    expect(m.map(6)).toEqual({ state: 'running', code: 6 });
    expect(m.map('Execute')).toEqual({ state: 'running' });
    expect(m.map(5)?.state).toBe('idle');
    expect(m.map(9)?.state).toBe('down');
    expect(m.map(11)?.state).toBe('planned_stop');
    expect(m.map(42)).toBeUndefined();
  });

  it("maps the agent's derived states for dumb equipment", () => {
    const m = createStateMapping('derived');
    expect(m.map('running')?.state).toBe('running');
    expect(m.map('idle')?.state).toBe('idle');
    expect(m.map('off')?.state).toBe('down');
    expect(m.map('unknown')?.state).toBe('offline');
  });
});

describe('shift calendar', () => {
  const tz = new TimeZone('Asia/Shanghai');
  const cal = new ShiftCalendar(
    {
      shifts: [
        {
          name: 'day',
          start: '08:00',
          end: '16:00',
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          breaks: [{ start: '12:00', end: '12:30' }],
        },
        { name: 'night', start: '22:00', end: '06:00', breaks: [{ start: '02:00', end: '02:30' }] },
      ],
      nonWorkingDates: ['2026-10-01'],
      plannedStops: [{ from: '2026-11-25T09:00', to: '2026-11-25T10:00', devices: ['press-07'] }],
    },
    tz,
  );
  it('subtracts breaks, device planned stops, weekends and holidays', () => {
    const wed = (hm: string) => cst(`2026-11-25T${hm}:00`);
    expect(total(cal.planned('press-07', wed('08:00'), wed('16:00')))).toBe(6.5 * 3_600_000);
    expect(total(cal.planned('lathe-03', wed('08:00'), wed('16:00')))).toBe(7.5 * 3_600_000);
    const sat = cst('2026-11-28T08:00:00');
    expect(total(cal.planned('lathe-03', sat, sat + 8 * 3_600_000))).toBe(0);
    const holiday = cst('2026-10-01T00:00:00');
    expect(cal.shifts(holiday, holiday + 24 * 3_600_000).map((s) => s.name)).toEqual(['night']);
  });

  it('assigns the hours after midnight to the night shift of the evening before', () => {
    const t = cst('2026-11-26T03:00:00');
    const s = cal.shiftAt(t);
    expect(s?.name).toBe('night');
    expect(s?.start).toBe(cst('2026-11-25T22:00:00'));
    expect(total(s?.working ?? [])).toBe(7.5 * 3_600_000);
  });
});

describe('time of use and time zones', () => {
  it('prices a period crossing midnight and honours its weekdays', () => {
    const tz = new TimeZone('Asia/Shanghai');
    const tariff = new TariffClock(
      {
        name: 't',
        currency: 'CNY',
        defaultPrice: 0.6,
        periods: [
          { name: 'valley', start: '23:00', end: '07:00', price: 0.3 },
          {
            name: 'peak',
            start: '09:00',
            end: '11:00',
            price: 1.1,
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          },
        ],
      },
      tz,
    );
    expect(tariff.priceAt(cst('2026-11-25T23:30:00'))).toBe(0.3);
    expect(tariff.priceAt(cst('2026-11-26T06:45:00'))).toBe(0.3);
    expect(tariff.priceAt(cst('2026-11-25T10:00:00'))).toBe(1.1);
    expect(tariff.priceAt(cst('2026-11-28T10:00:00'))).toBe(0.6);
  });

  it('rejects an unknown time zone with a coded error', () => {
    expect(() => new TimeZone('Mars/Olympus')).toThrow(AnalyticsConfigError);
  });

  it('handles a DST zone: a local day can be 23 hours long', () => {
    const tz = new TimeZone('Europe/Berlin');
    const day = tz.startOfDay(Date.parse('2026-03-29T12:00:00Z'));
    const next = tz.toUtc(tz.addDays(tz.parts(day), 1), 0);
    expect(next - day).toBe(23 * 3_600_000);
  });
});

describe('emission factor table', () => {
  it('cites a source and a year for every default factor, and has the MEE 2023 national average', async () => {
    const table = await loadFactorTable();
    expect(table.size).toBeGreaterThan(20);
    for (const f of table.values()) {
      expect(f.source.length, f.key).toBeGreaterThan(10);
      expect(f.year, f.key).toBeGreaterThanOrEqual(2006);
    }
    expect(table.get('cn-national-2023')).toMatchObject({ value: 0.5306, per: 'kWh', year: 2023 });
    expect(table.get('cn-southwest-2023')?.value).toBe(0.2472);
    expect(table.get('ipcc2006-ng-cn-ncv')?.value).toBe(2.184);
  });

  it('rejects a factor without provenance', () => {
    expect(() => parseFactorTable('factors:\n  x: { value: 1, unit: kg/kWh, per: kWh }\n')).toThrow(
      AnalyticsConfigError,
    );
  });
});

describe('analytics config schema', () => {
  it('accepts a full example and rejects typos', () => {
    const ok = {
      timezone: 'Asia/Shanghai',
      calendar: { shifts: [{ name: 'A', start: '08:00', end: '16:00' }] },
      machines: [
        {
          device: 'press-07',
          state: { metric: 'state_code', kind: 'code', map: { '1': 'running' } },
          total: { metric: 'part_count', bits: 32 },
          idealCycle: '2.5s',
        },
      ],
      meters: [{ device: 'meter-07', carrier: 'electricity', counter: { metric: 'energy_kwh' } }],
      emissions: { factors: { electricity: 'cn-southwest-2023' } },
    };
    expect(Value.Check(AnalyticsConfig, ok)).toBe(true);
    expect(Value.Check(AnalyticsConfig, { ...ok, lossbooking: 'iso22400' })).toBe(false);
    expect(
      Value.Check(AnalyticsConfig, {
        ...ok,
        tariffs: [
          { name: 't', defaultPrice: 1, periods: [{ name: 'p', start: '08:10', end: '09:00', price: 1 }] },
        ],
      }),
    ).toBe(false);
  });
});

describe('analytics config semantic checks', () => {
  it('reports every cross-reference problem at once, before anything runs', () => {
    const cfg = {
      meters: [
        { device: 'm', carrier: 'electricity' as const },
        { device: 'm', carrier: 'electricity' as const, counter: { metric: 'e' }, tariff: 'nope' },
      ],
      alarms: [{ device: 's', metric: 'nox', severity: 'warning' as const }],
    };
    const problems = [
      'analytics.meters[0]: give exactly one of counter (a register) or rate (kW, m3/h …)',
      'analytics.meters[1].tariff: no tariff named nope in analytics.tariffs',
      'analytics.meters[1]: a second electricity meter on m needs its own name',
      'analytics.alarms[0]: give a high or a low limit (or both)',
    ];
    // the loader (plantpulse check, plantpulse cloud) refuses it with these messages …
    let refused: unknown;
    try {
      analyticsConfig(cfg);
    } catch (err) {
      refused = err;
    }
    expect((refused as Error).message.split('\n').sort()).toEqual(
      problems.map((p) => `analytics ${p.slice('analytics.'.length)}`).sort(),
    );
    // … and so does the engine, for a config built past the loader, with the same function
    const resolved = Value.Decode(AnalyticsConfig, cfg);
    expect(analyticsConfigProblems(resolved)).toEqual(problems);
    expect(() => createAnalytics(resolved, { log: silentLog, query: async () => [] })).toThrow(
      AnalyticsConfigError,
    );
  });
});

describe('engine lifecycle errors', () => {
  const cfg = {
    machines: [
      {
        device: 'm1',
        state: { metric: 's', kind: 'derived' as const },
        total: { metric: 'c' },
        idealCycle: '1s',
      },
    ],
  };

  it('refuses ingest and tick before rebuild, with a coded error', () => {
    const engine = createAnalytics(analyticsConfig(cfg), { log: silentLog, query: async () => [] });
    expect(() => engine.ingest([])).toThrow(expect.objectContaining({ code: 'ANALYTICS_STATE' }));
    expect(() => engine.tick(0)).toThrow(expect.objectContaining({ code: 'ANALYTICS_STATE' }));
  });

  it('reports an unreachable InfluxDB during rebuild as a retryable error with the failing query', async () => {
    const engine = createAnalytics(analyticsConfig(cfg), {
      log: silentLog,
      query: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    await expect(engine.rebuild(Date.parse('2026-11-25T00:00:00Z'))).rejects.toMatchObject({
      code: 'ANALYTICS_REBUILD',
      retryable: true,
      message: expect.stringContaining('FROM "telemetry"'),
    });
    // The ingester may go on from empty state: the engine works after a failed rebuild.
    expect(engine.ingest([]).points).toEqual([]);
  });
});
