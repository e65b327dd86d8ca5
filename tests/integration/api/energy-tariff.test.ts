/**
 * Cost and consumption by tariff period, end to end: the analytics engine computes energy windows from meter
 * samples, its points go into the real InfluxDB, and `/api/v1/energy` totals them by the period names of the
 * tariff config (Chinese names here), per carrier, whatever window period is asked for.
 */
import type { Point } from '@influxdata/influxdb-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnalyticsConfigInput,
  createAnalytics,
  type HostSample,
} from '../../../cloud/analytics/index.js';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { analyticsConfig, apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import {
  cst,
  drive,
  everyStep,
  PointStore,
  sample,
  silentLog,
  toLine,
} from '../../unit/analytics/support.js';

const VIEWER = 'viewer-token-0123456789';
const FAST = { N: 1024, r: 8, p: 1 };
const at = (hms: string) => cst(`2026-11-25T${hms}`);
const FROM = at('09:30:00');
const TO = at('12:30:00');

const cfg: AnalyticsConfigInput = {
  timezone: 'Asia/Shanghai',
  meters: [
    { device: 'press-1', carrier: 'electricity', rate: { metric: 'power_kw' }, tariff: 'cq-tou' },
    { device: 'press-2', carrier: 'electricity', rate: { metric: 'power_kw' }, tariff: 'cq-tou' },
    { device: 'boiler-1', carrier: 'natural_gas', rate: { metric: 'gas_m3h' }, tariff: 'gas' },
  ],
  tariffs: [
    {
      name: 'cq-tou',
      currency: 'CNY',
      defaultPrice: 0.6,
      periods: [
        { name: '平', start: '07:00', end: '10:00', price: 0.7 },
        { name: '峰', start: '10:00', end: '11:30', price: 1.1 },
        { name: '尖峰', start: '11:30', end: '12:00', price: 1.4 },
      ],
    },
    // the same period name on another carrier's tariff stays apart (other unit, other price)
    {
      name: 'gas',
      currency: 'CNY',
      defaultPrice: 3.1,
      periods: [{ name: '峰', start: '10:00', end: '12:00', price: 3.5 }],
    },
  ],
};

/** Records the line protocol of everything the engine writes. */
class LineRecorder extends PointStore {
  readonly lines: string[] = [];
  override add(points: readonly Point[]): void {
    super.add(points);
    for (const p of points) {
      const l = toLine(p);
      if (l) this.lines.push(l);
    }
  }
}

let app: ReturnType<typeof createApiServer>;

const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });
  expect(res.statusCode).toBe(200);
  return res.json() as { rows: Record<string, unknown>[]; totals: { byTariff: Record<string, unknown>[] } };
};

beforeAll(async () => {
  const db = await freshDatabase('api_tariff');
  // 60 kW on each press, 20 m³/h of gas, from 09:29:50 to 12:31 local time
  const make = (t: number): HostSample[] => [
    sample('press-1', 'power_kw', 60, t),
    sample('press-2', 'power_kw', 60, t),
    sample('boiler-1', 'gas_m3h', 20, t),
  ];
  const clock = { now: at('09:29:50') };
  const engine = createAnalytics(analyticsConfig(cfg), {
    log: silentLog,
    query: async () => [],
    clock: () => clock.now,
  });
  await engine.rebuild(clock.now);
  const rec = new LineRecorder();
  drive(engine, clock, everyStep(at('09:29:50'), at('12:31:00'), 10_000, make), {
    tickMs: 60_000,
    until: at('12:31:00'),
    store: rec,
  });
  // a 15-minute window stored before analytics tagged windows with their period: 0.5 per kWh, no tag, no currency
  rec.lines.push(
    `energy,carrier=electricity,device=press-old,meter=electricity,period=15m,site=cq consumption=10,cost=5,unit="kWh" ${at('11:00:00')}`,
  );
  for (let i = 0; i < rec.lines.length; i += 5000) {
    const res = await fetch(`${influxUrl()}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: rec.lines.slice(i, i + 5000).join('\n'),
    });
    expect(res.status).toBe(204);
  }
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [{ name: 'control-room', role: 'viewer', tokenHash: hashSecret(VIEWER, FAST) }],
    }),
    influx: { url: influxUrl(), database: db },
    live: new LiveBus(),
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    clock: () => at('12:31:00'),
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

/** kWh or m³ over `hours` at a constant rate, and what it costs at `price`. */
const expected = (
  tariff: string | null,
  carrier: string,
  unit: string,
  rate: number,
  hours: number,
  price: number,
  currency = 'CNY',
) => ({ tariff, carrier, unit, currency, consumption: rate * hours, cost: rate * hours * price });

describe('/api/v1/energy cost by tariff period', () => {
  const want = [
    // electricity, most expensive unit price first: 120 kW in all
    expected('尖峰', 'electricity', 'kWh', 120, 0.5, 1.4),
    expected('峰', 'electricity', 'kWh', 120, 1.5, 1.1),
    expected('平', 'electricity', 'kWh', 120, 0.5, 0.7),
    // 12:00–12:30 is outside every period: the default price
    expected('default', 'electricity', 'kWh', 120, 0.5, 0.6),
    { ...expected(null, 'electricity', 'kWh', 10, 1, 0.5, ''), price: 0.5 },
    expected('峰', 'natural_gas', 'm3', 20, 2, 3.5),
    expected('default', 'natural_gas', 'm3', 20, 1, 3.1),
  ];
  const check = (got: Record<string, unknown>[]) => {
    expect(got.map((g) => [g['tariff'], g['carrier']])).toEqual(want.map((w) => [w.tariff, w.carrier]));
    for (const [i, w] of want.entries()) {
      const g = got[i] ?? {};
      expect(g).toMatchObject({ tariff: w.tariff, carrier: w.carrier, unit: w.unit, currency: w.currency });
      expect(g['consumption']).toBeCloseTo(w.consumption, 6);
      expect(g['cost']).toBeCloseTo(w.cost, 6);
    }
  };

  it('totals the 15-minute windows by their tariff tag, per carrier', async () => {
    const r = await get(`/api/v1/energy?site=cq&period=15m&from=${FROM}&to=${TO}`);
    check(r.totals.byTariff);
    // the rows pass the tag through
    const quarter = r.rows.find((x) => x['device'] === 'press-1' && x['time'] === at('11:45:00'));
    expect(quarter?.['tariff']).toBe('尖峰');
  });

  it('gives the same totals for hourly and daily views (from the 15-minute windows underneath)', async () => {
    const hourly = await get(`/api/v1/energy?site=cq&period=1h&from=${FROM}&to=${TO}`);
    expect(hourly.rows.length).toBeGreaterThan(0);
    // hourly windows may span two periods: they name none (InfluxDB gives a missing tag as '')
    expect(hourly.rows.some((x) => (x['tariff'] ?? '') !== '')).toBe(false);
    check(hourly.totals.byTariff);
    const daily = await get(`/api/v1/energy?site=cq&period=day&from=${FROM}&to=${TO}`);
    check(daily.totals.byTariff);
  });

  it('filters by carrier and device', async () => {
    const gas = await get(`/api/v1/energy?site=cq&period=1h&carrier=natural_gas&from=${FROM}&to=${TO}`);
    expect(gas.totals.byTariff.map((t) => t['tariff'])).toEqual(['峰', 'default']);
    const one = await get(`/api/v1/energy?site=cq&period=15m&device=press-1&from=${FROM}&to=${TO}`);
    const peak = one.totals.byTariff.find((t) => t['tariff'] === '峰');
    expect(peak?.['consumption']).toBeCloseTo(60 * 1.5, 6);
    expect(peak?.['cost']).toBeCloseTo(60 * 1.5 * 1.1, 6);
  });
});
