/**
 * Tariff periods on energy windows: every 15-minute `energy` point of a metered (tariffed) meter carries a `tariff`
 * tag naming its time-of-use period, the same tag whenever the window is recomputed; cost and consumption per
 * period add up to the priced totals.
 */
import { describe, expect, it } from 'vitest';
import { ShiftCalendar } from '../../../cloud/analytics/calendar.js';
import {
  type AnalyticsConfigInput,
  createAnalytics,
  type HostSample,
} from '../../../cloud/analytics/index.js';
import { TariffClock } from '../../../cloud/analytics/tariff.js';
import { TimeZone } from '../../../cloud/analytics/time-zone.js';
import { WindowClock } from '../../../cloud/analytics/windows.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, type Delivery, drive, everyStep, PointStore, sample, silentLog } from './support.js';

const at = (hms: string) => cst(`2026-11-25T${hms}`);
const QUARTER = 15 * 60_000;
const STEP = 10_000;
/** 120 kW steady: 0.5 kWh per minute, 30 kWh per quarter hour. */
const KW = 120;

const TARIFF = {
  name: 'cq-tou',
  currency: 'CNY',
  defaultPrice: 0.6,
  periods: [
    { name: 'valley', start: '23:00', end: '07:00', price: 0.3 },
    { name: 'flat', start: '07:00', end: '10:00', price: 0.7 },
    { name: 'peak', start: '10:00', end: '11:30', price: 1.1 },
    { name: 'sharp', start: '11:30', end: '12:00', price: 1.4 },
  ],
};

function config(): AnalyticsConfigInput {
  return {
    timezone: 'Asia/Shanghai',
    meters: [
      { device: 'meter-1', carrier: 'electricity', rate: { metric: 'power_kw' }, tariff: 'cq-tou' },
      // no tariff: no cost, no period tag
      { device: 'meter-2', carrier: 'electricity', rate: { metric: 'power_kw' } },
    ],
    tariffs: [TARIFF],
  };
}

const make = (t: number): HostSample[] => [
  sample('meter-1', 'power_kw', KW, t),
  sample('meter-2', 'power_kw', KW, t),
];

async function run(deliveries: Delivery[], from: number, until: number, store?: PointStore) {
  const clock = { now: from };
  const engine = createAnalytics(analyticsConfig(config()), {
    log: silentLog,
    query: async () => [],
    clock: () => clock.now,
  });
  await engine.rebuild(from);
  return drive(engine, clock, deliveries, { tickMs: 60_000, until, ...(store ? { store } : {}) }).store;
}

/** The expected period name of a local time in the test tariff. */
function expectedPeriod(t: number): string {
  if (t >= at('07:00:00') && t < at('10:00:00')) return 'flat';
  if (t >= at('10:00:00') && t < at('11:30:00')) return 'peak';
  if (t >= at('11:30:00') && t < at('12:00:00')) return 'sharp';
  return 'default';
}

const PRICE: Record<string, number> = { flat: 0.7, peak: 1.1, sharp: 1.4, default: 0.6 };

describe('tariff periods on 15-minute energy windows', () => {
  it('tags each 15-minute window with its period, and cost by period adds up', async () => {
    const from = at('09:29:50');
    const to = at('12:31:00');
    const store = await run(everyStep(from, to, STEP, make), from, to);

    const quarters = store
      .find('energy', { device: 'meter-1', period: '15m' })
      .filter((p) => p.time >= at('09:30:00') && p.time < at('12:30:00'))
      .sort((a, b) => a.time - b.time);
    expect(quarters).toHaveLength(12);
    const byPeriod = new Map<string, { consumption: number; cost: number }>();
    for (const q of quarters) {
      const name = expectedPeriod(q.time);
      expect(q.tags['tariff']).toBe(name);
      expect(q.fields['consumption']).toBeCloseTo(KW / 4, 6);
      expect(q.fields['cost']).toBeCloseTo((KW / 4) * (PRICE[name] ?? Number.NaN), 6);
      expect(q.fields).not.toHaveProperty('tariff');
      const acc = byPeriod.get(name) ?? { consumption: 0, cost: 0 };
      acc.consumption += q.fields['consumption'] as number;
      acc.cost += q.fields['cost'] as number;
      byPeriod.set(name, acc);
    }
    // 09:30–10:00 flat, 10:00–11:30 peak, 11:30–12:00 sharp (尖峰), 12:00–12:30 outside every period
    expect([...byPeriod.keys()].sort()).toEqual(['default', 'flat', 'peak', 'sharp']);
    expect(byPeriod.get('peak')?.consumption).toBeCloseTo(KW * 1.5, 6);
    expect(byPeriod.get('peak')?.cost).toBeCloseTo(KW * 1.5 * 1.1, 6);
    expect(byPeriod.get('sharp')?.cost).toBeCloseTo(KW * 0.5 * 1.4, 6);

    // the hour 11:00–12:00 spans peak and sharp: its cost is priced per minute, and it carries no period tag
    const hour = store.one('energy', { device: 'meter-1', period: '1h' }, at('11:00:00'));
    expect(hour.tags).not.toHaveProperty('tariff');
    expect(hour.fields['cost']).toBeCloseTo(KW * 0.5 * 1.1 + KW * 0.5 * 1.4, 6);

    // a meter without a tariff has neither cost nor period
    for (const q of store.find('energy', { device: 'meter-2', period: '15m' })) {
      expect(q.tags).not.toHaveProperty('tariff');
      expect(q.fields).not.toHaveProperty('cost');
    }
  });

  it('gives a recomputed window the same tag, so late data overwrites the window instead of adding a series', async () => {
    const from = at('10:59:50');
    const to = at('12:01:00');
    // 11:20–11:40 arrives late (at 11:55), after its windows were first written without it
    const late = (t: number) => t >= at('11:20:00') && t < at('11:40:00');
    const live = everyStep(from, to, STEP, make).filter((d) => !late(d.samples[0]?.timestamp ?? 0));
    const replay: Delivery = {
      at: at('11:55:00'),
      samples: everyStep(at('11:20:00'), at('11:40:00'), STEP, make).flatMap((d) => d.samples),
    };
    const store = await run([...live, replay], from, to);

    const quarters = store
      .find('energy', { device: 'meter-1', period: '15m' })
      .filter((p) => p.time >= at('11:00:00') && p.time < at('12:00:00'));
    // one stored point per window (PointStore keys on measurement, tags and time, like InfluxDB)
    expect(quarters.map((q) => q.time).sort((a, b) => a - b)).toEqual([
      at('11:00:00'),
      at('11:15:00'),
      at('11:30:00'),
      at('11:45:00'),
    ]);
    for (const q of quarters) {
      expect(q.tags['tariff']).toBe(expectedPeriod(q.time));
      // the late samples were booked into the recomputed windows
      expect(q.fields['consumption']).toBeCloseTo(KW / 4, 6);
    }

    // a second engine fed the same data in order writes exactly the same windows and tags
    const again = await run(everyStep(from, to, STEP, make), from, to, new PointStore());
    const tagsOf = (s: PointStore) =>
      s
        .find('energy', { device: 'meter-1', period: '15m' })
        .map((q) => `${q.time} ${q.tags['tariff']}`)
        .sort();
    expect(tagsOf(again)).toEqual(tagsOf(store));
  });
});

describe('a 15-minute window never spans two tariff periods', () => {
  it('has one period for every minute of every quarter, across DST and midnight-crossing weekday periods', () => {
    // Europe/Berlin: DST ends 2026-10-25 (03:00 CEST → 02:00 CET); a valley crossing midnight on weekdays only
    const tz = new TimeZone('Europe/Berlin');
    const tariff = new TariffClock(
      {
        name: 't',
        currency: 'CNY',
        defaultPrice: 0.2,
        periods: [
          { name: 'valley', start: '22:15', end: '02:45', price: 0.1, days: ['fri', 'sat'] },
          { name: 'peak', start: '02:30', end: '03:15', price: 0.5 },
          { name: 'flat', start: '03:15', end: '22:15', price: 0.3 },
        ],
      },
      tz,
    );
    const windows = new WindowClock(tz, new ShiftCalendar(undefined, tz));
    const from = Date.parse('2026-10-23T12:00:00Z');
    const to = Date.parse('2026-10-26T12:00:00Z');
    const names = new Set<string>();
    let checked = 0;
    for (const w of windows.overlapping('15m', from, to)) {
      expect(w.end - w.start).toBe(QUARTER);
      const name = tariff.periodNameAt(w.start);
      names.add(name);
      for (let t = w.start; t < w.end; t += 60_000) {
        if (tariff.periodNameAt(t) !== name)
          throw new Error(
            `window ${new Date(w.start).toISOString()} spans ${name} and ${tariff.periodNameAt(t)}`,
          );
      }
      checked++;
    }
    // elapsed time, so the repeated local hour at the DST change is four windows like any other
    expect(checked).toBe((to - from) / QUARTER);
    expect([...names].sort()).toEqual(['default', 'flat', 'peak', 'valley']);
  });
});
