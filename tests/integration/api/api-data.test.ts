/** The API's answers against a 24-hour fixture plant in the real InfluxDB, checked against independent sums. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { type Fixture, MACHINES, SITE, writeFixture } from './plant-fixture.js';

const VIEWER = 'viewer-token-0123456789';
const ADMIN = 'admin-token-9876543210';
const FAST = { N: 1024, r: 8, p: 1 };

let fx: Fixture;
let db: string;
let app: ReturnType<typeof createApiServer>;
const live = new LiveBus();

const get = async (url: string, token: string | null = VIEWER) => {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: res.statusCode,
    body: res.json() as Record<string, unknown> & unknown[],
    headers: res.headers,
  };
};

beforeAll(async () => {
  db = await freshDatabase('api');
  fx = await writeFixture(influxUrl(), db);
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [
        { name: 'control-room', role: 'viewer', tokenHash: hashSecret(VIEWER, FAST) },
        { name: 'shift-lead', role: 'admin', tokenHash: hashSecret(ADMIN, FAST) },
      ],
    }),
    influx: { url: influxUrl(), database: db },
    live,
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    clock: () => fx.now + 1000,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

describe('plant structure', () => {
  it('lists the site with its lines, from InfluxDB when no birth arrived', async () => {
    const r = await get('/api/v1/sites');
    expect(r.body).toEqual([
      { site: SITE, lines: fx.lines, devices: MACHINES.length, online: MACHINES.length },
    ]);
  });

  it('lists devices with line, kind, status and metrics', async () => {
    const r = await get(`/api/v1/devices?site=${SITE}&line=line3`);
    const devs = r.body as unknown as {
      device: string;
      line: string;
      tags: Record<string, string>;
      online: boolean;
      metrics: { name: string }[];
    }[];
    expect(devs.map((d) => d.device)).toEqual(['cnc-01', 'lathe-03', 'press-07']);
    const press = devs.find((d) => d.device === 'press-07');
    expect(press?.tags['kind']).toBe('press');
    expect(press?.online).toBe(true);
    expect(press?.metrics.map((m) => m.name)).toEqual(['oil_temp_c', 'part_count', 'power_kw']);
  });

  it('answers 404 for an unknown device', async () => {
    const r = await get('/api/v1/devices/nope-9');
    expect(r.status).toBe(404);
    expect(r.body['code']).toBe('PP_API_NOT_FOUND');
  });
});

describe('telemetry', () => {
  it('returns the latest value of each metric', async () => {
    const r = await get('/api/v1/devices/press-07/latest');
    const power = (r.body as unknown as { metric: string; value: number; time: number }[]).find(
      (v) => v.metric === 'power_kw',
    );
    const last = fx.power.get('press-07')?.at(-1);
    expect(power).toEqual({ metric: 'power_kw', value: last?.[1], time: last?.[0] });
  });

  it('aggregates history per step with InfluxQL', async () => {
    const from = Math.ceil(fx.start / 3_600_000) * 3_600_000;
    const to = from + 3 * 3_600_000;
    const r = await get(
      `/api/v1/devices/cnc-01/metrics/power_kw/history?from=${from}&to=${to}&step=1h&aggregate=max`,
    );
    const pts = r.body['points'] as [number, number][];
    expect(pts).toHaveLength(3);
    const samples = fx.power.get('cnc-01') ?? [];
    pts.forEach(([t, v]) => {
      const inHour = samples.filter(([st]) => st >= t && st < t + 3_600_000).map(([, p]) => p);
      expect(v).toBeCloseTo(Math.max(...inHour), 9);
    });
  });
});

describe('production', () => {
  it('gives the overview tiles: state, OEE, power, alarms', async () => {
    const r = await get('/api/v1/overview');
    const tiles = r.body['tiles'] as {
      device: string;
      state: string;
      powerKw: number;
      activeAlarms: number;
      worstSeverity: string | null;
      oee: { period: string; oee: number } | null;
    }[];
    expect(tiles).toHaveLength(MACHINES.length);
    const molder = tiles.find((t) => t.device === 'molder-02');
    expect(molder?.state).toBe('down');
    expect(molder?.activeAlarms).toBe(1);
    expect(molder?.worstSeverity).toBe('critical');
    expect(molder?.powerKw).toBe(fx.power.get('molder-02')?.at(-1)?.[1]);
    expect(tiles.find((t) => t.device === 'lathe-03')?.state).toBe('idle');
    const shiftRow = fx.oeeRows.filter((o) => o.device === 'press-07' && o.period === 'shift').at(-1);
    const press = tiles.find((t) => t.device === 'press-07');
    expect(press?.oee?.period).toBe('shift');
    expect(press?.oee?.oee).toBeCloseTo(
      ((shiftRow?.run_s ?? 0) / (shiftRow?.planned_s ?? 1)) *
        (shiftRow?.performance ?? 0) *
        ((shiftRow?.good_count ?? 0) / (shiftRow?.total_count ?? 1)),
      9,
    );
  });

  it('returns the state timeline seeded with the state before the range', async () => {
    const from = fx.start + 6 * 3_600_000 + 30_000;
    const to = fx.start + 14 * 3_600_000;
    const r = await get(`/api/v1/devices/press-07/states?from=${from}&to=${to}`);
    const spans = r.body['spans'] as { state: string; start: number; end: number }[];
    const states = fx.states.filter((s) => s.device === 'press-07');
    const before = states.filter((s) => s.time <= from).at(-1);
    expect(spans[0]).toMatchObject({ state: before?.state, start: from });
    expect(spans.at(-1)?.end).toBe(to);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.start).toBe(spans[i - 1]?.end);
    const totals = r.body['totals'] as Record<string, number>;
    expect(Object.values(totals).reduce((a, b) => a + b, 0)).toBeCloseTo((to - from) / 1000, 6);
    const expected: Record<string, number> = {};
    states.forEach((s, i) => {
      const a = Math.max(s.time, from);
      const b = Math.min(states[i + 1]?.time ?? fx.now + 1000, to);
      if (b > a) expected[s.state] = (expected[s.state] ?? 0) + (b - a) / 1000;
    });
    expect(totals).toEqual(expected);
  });

  it('rolls OEE up per line by summing components, never averaging ratios', async () => {
    const r = await get(`/api/v1/oee?period=1h&groupBy=line&from=${fx.start}&to=${fx.now}`);
    const groups = r.body['groups'] as {
      key: string;
      devices: string[];
      totals: Record<string, number>;
      windows: unknown[];
    }[];
    const line3 = groups.find((g) => g.key === 'line3');
    expect(line3?.devices).toEqual(['cnc-01', 'lathe-03', 'press-07']);
    const rows = fx.oeeRows.filter(
      (o) => o.period === '1h' && ['cnc-01', 'lathe-03', 'press-07'].includes(o.device),
    );
    const sum = (f: (o: (typeof rows)[number]) => number) => rows.reduce((s, o) => s + f(o), 0);
    const A = sum((o) => o.run_s) / sum((o) => o.planned_s);
    const P = sum((o) => o.performance * o.run_s) / sum((o) => o.run_s);
    const Q = sum((o) => o.good_count) / sum((o) => o.total_count);
    expect(line3?.totals['availability']).toBeCloseTo(A, 9);
    expect(line3?.totals['performance']).toBeCloseTo(P, 9);
    expect(line3?.totals['quality']).toBeCloseTo(Q, 9);
    expect(line3?.totals['oee']).toBeCloseTo(A * P * Q, 9);
    expect(line3?.windows).toHaveLength(24);
    const naive =
      rows.reduce(
        (s, o) => s + (o.run_s / o.planned_s) * o.performance * (o.good_count / o.total_count || 1),
        0,
      ) / rows.length;
    expect(Math.abs((line3?.totals['oee'] ?? 0) - naive)).toBeGreaterThan(1e-6);
  });

  it("rolls the site up from machine windows only, ignoring analytics' own line roll-ups", async () => {
    const r = await get(`/api/v1/oee?period=shift&groupBy=site&from=${fx.start}&to=${fx.now}`);
    const [site] = r.body['groups'] as { key: string; devices: string[]; totals: Record<string, number> }[];
    const rows = fx.oeeRows.filter((o) => o.period === 'shift');
    expect(site?.devices).toEqual([...new Set(rows.map((o) => o.device))].sort());
    expect(site?.totals['planned_s']).toBe(rows.reduce((s, o) => s + o.planned_s, 0));
    expect(site?.totals['good_count']).toBe(rows.reduce((s, o) => s + o.good_count, 0));
  });

  it('totals cost by tariff period from the 15-minute windows, whatever period is asked for', async () => {
    type TariffTotal = { tariff: string | null; carrier: string; consumption: number; cost: number };
    const hourly = await get(`/api/v1/energy?period=1h&from=${fx.start}&to=${fx.now}`);
    const byTariff = (hourly.body['totals'] as { byTariff: TariffTotal[] }).byTariff;
    const quarters = fx.energyRows.filter((e) => e.period === '15m' && e.time >= fx.start && e.time < fx.now);
    for (const name of ['peak', 'flat', 'valley'] as const) {
      const rows = quarters.filter((e) => e.tariff === name);
      const got = byTariff.find((t) => t.tariff === name && t.carrier === 'electricity');
      expect(got?.consumption).toBeCloseTo(
        rows.reduce((s, e) => s + e.consumption, 0),
        6,
      );
      expect(got?.cost).toBeCloseTo(
        rows.reduce((s, e) => s + e.cost, 0),
        6,
      );
    }
    // the fixture's gas has hourly windows only (no 15-minute windows): no period to report
    expect(byTariff.map((t) => t.tariff)).toEqual(['peak', 'flat', 'valley']);
  });

  it("passes a machine's MTBF and MTTR through, but not on roll-ups", async () => {
    const one = await get(`/api/v1/oee?period=day&device=press-07&from=${fx.start}&to=${fx.now}`);
    const [g] = one.body['groups'] as { windows: Record<string, number>[] }[];
    expect(g?.windows[0]).toMatchObject({ failures: 3, mtbf_s: 25_200, mttr_s: 340 });
    const line = await get(`/api/v1/oee?period=day&groupBy=line&from=${fx.start}&to=${fx.now}`);
    const windows = (line.body['groups'] as { windows: Record<string, number>[] }[]).flatMap(
      (x) => x.windows,
    );
    expect(windows.some((w) => 'mtbf_s' in w)).toBe(false);
  });

  it('totals energy per carrier and tariff and finds the peak demand', async () => {
    const r = await get(`/api/v1/energy?period=15m&from=${fx.start}&to=${fx.now}`);
    const totals = r.body['totals'] as {
      byCarrier: { carrier: string; consumption: number }[];
      byTariff: { tariff: string; cost: number }[];
      peak: { kw: number; device: string };
    };
    const rows = fx.energyRows.filter((e) => e.period === '15m');
    expect(totals.byCarrier).toHaveLength(1);
    expect(totals.byCarrier[0]?.consumption).toBeCloseTo(
      rows.reduce((s, e) => s + e.consumption, 0),
      6,
    );
    const peakCost = rows.filter((e) => e.tariff === 'peak').reduce((s, e) => s + e.cost, 0);
    expect(totals.byTariff.find((t) => t.tariff === 'peak')?.cost).toBeCloseTo(peakCost, 6);
    expect(totals.peak.kw).toBe(Math.max(...rows.map((e) => e.peak_kw)));
  });

  it('totals emissions by scope', async () => {
    const r = await get(`/api/v1/emissions?from=${fx.start}&to=${fx.now}`);
    const totals = r.body['totals'] as { co2e_kg: number; byScope: { scope: string; co2e_kg: number }[] };
    expect(totals.co2e_kg).toBeCloseTo(
      fx.emissionRows.reduce((s, e) => s + e.co2e_kg, 0),
      6,
    );
    expect(totals.byScope.map((s) => s.scope).sort()).toEqual(['1', '2']);
  });

  it('returns KPI windows', async () => {
    const r = await get(`/api/v1/kpi?device=press-07&from=${fx.start}&to=${fx.now}`);
    const rows = r.body['rows'] as { kwh_per_good_part: number }[];
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.every((x) => x.kwh_per_good_part > 0)).toBe(true);
  });
});

describe('alarms', () => {
  it('lists active alarms, most severe first', async () => {
    const r = await get('/api/v1/alarms');
    const alarms = r.body as unknown as {
      device: string;
      severity: string;
      acked: boolean;
      ackedBy: string | null;
    }[];
    expect(alarms.map((a) => [a.device, a.severity])).toEqual([
      ['molder-02', 'critical'],
      ['press-07', 'warning'],
    ]);
    expect(alarms[1]).toMatchObject({ acked: true, ackedBy: 'shift-lead' });
  });

  it('reconstructs the alarm history over a range', async () => {
    const r = await get(`/api/v1/alarms?status=all&from=${fx.start}&to=${fx.now}`);
    const alarms = r.body as unknown as {
      device: string;
      active: boolean;
      clearedAt: number | null;
      raisedAt: number;
    }[];
    expect(alarms).toHaveLength(4);
    const nox = alarms.find((a) => a.device === 'stack-01');
    expect(nox?.active).toBe(false);
    expect((nox?.clearedAt ?? 0) - (nox?.raisedAt ?? 0)).toBe(3_600_000);
  });

  it('acknowledges an alarm (admin), stores it in InfluxDB and announces it live', async () => {
    const sub = live.subscribe({ filter: (e) => e.type === 'alarm' });
    const [critical] = (await get('/api/v1/alarms')).body as unknown as { id: string; acked: boolean }[];
    expect(critical?.acked).toBe(false);
    const r = await app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${encodeURIComponent(critical?.id ?? '')}/ack`,
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { comment: 'heater band replaced' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      acked: true,
      ackedBy: 'shift-lead',
      ackComment: 'heater band replaced',
      active: true,
    });
    const again = (await get('/api/v1/alarms')).body as unknown as { id: string; acked: boolean }[];
    expect(again.find((a) => a.id === critical?.id)?.acked).toBe(true);
    const batch = await sub.take(AbortSignal.timeout(5000));
    expect(batch?.events[0]).toMatchObject({
      type: 'alarm',
      device: 'molder-02',
      acked: true,
      ackedBy: 'shift-lead',
    });
    sub.close();
  });

  it('answers 404 for an alarm that was never raised and 400 for a malformed id', async () => {
    const post = (id: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/alarms/${encodeURIComponent(id)}/ack`,
        headers: { authorization: `Bearer ${ADMIN}` },
        payload: {},
      });
    expect((await post(`${SITE}~press-07~oil_temp_c~warning~12345`)).statusCode).toBe(404);
    const bad = await post('garbage');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not an alarm id/);
  });

  it('lists metric limits from alarm points', async () => {
    const r = await get('/api/v1/limits');
    expect(r.body).toContainEqual({
      device: 'stack-01',
      metric: 'nox_mg_m3',
      limit: 100,
      severity: 'high',
      unit: null,
    });
  });
});
