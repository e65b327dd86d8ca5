/**
 * The metering tree end to end: meter registers and a part counter go through the analytics engine, its points into
 * the real InfluxDB, and `/api/v1/energy/tree` serves each node's kWh, tce, tce per good part, the balance of the
 * incomer against its lines (the unmetered share) and GB 17167 coverage with the source of each required rate; the
 * equal-value tce only where the plant set the electricity equal value (等价值).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { cst } from '../../unit/analytics/support.js';
import { TREE_FROM as FROM, TREE_TO as TO, writeEnergyTreeFixture } from './energy-tree-fixture.js';

const VIEWER = 'viewer-token-0123456789';
const FAST = { N: 1024, r: 8, p: 1 };
const at = (hms: string) => cst(`2026-11-25T${hms}`);

let app: ReturnType<typeof createApiServer>;
/** the same plant with its equal value and its own required rate for equipment electricity */
let withSettings: ReturnType<typeof createApiServer>;

const start = async (db: string) => {
  const server = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [{ name: 'control-room', role: 'viewer', tokenHash: hashSecret(VIEWER, FAST) }],
    }),
    influx: { url: influxUrl(), database: db },
    live: new LiveBus(),
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    clock: () => TO + 60_000,
  });
  await server.ready();
  return server;
};

beforeAll(async () => {
  const db = await freshDatabase('api_energy_tree');
  const dbSet = await freshDatabase('api_energy_tree_set');
  await Promise.all([
    writeEnergyTreeFixture(influxUrl(), db),
    writeEnergyTreeFixture(influxUrl(), dbSet, {
      standardCoal: {
        electricityEqualValue: { value: 0.3, unit: 'kgce/kWh', source: 'test 2024', year: 2024 },
      },
      requiredRates: { electricity: { equipment: 50 } },
    }),
  ]);
  [app, withSettings] = await Promise.all([start(db), start(dbSet)]);
});

afterAll(async () => {
  await app?.close();
  await withSettings?.close();
});

interface Reply {
  nodes: {
    id: string;
    name: string;
    parent: string | null;
    level: string;
    kwh: number;
    tce: number;
    kgce_equal_value: number | null;
    good_count: number;
    kgce_per_good_part: number;
    balance: {
      carrier: string;
      unmetered: number;
      unmetered_pct: number;
      parent: number;
      children: number;
    }[];
  }[];
  coverage: {
    level: string;
    carrier: string;
    rate_pct: number;
    required_pct: number | null;
    required_source: string | null;
    required_source_note: string | null;
    compliant: boolean | null;
  }[];
  notes: { code: string; message: string }[];
}

const get = async (url: string, server = app) => {
  const res = await server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Reply;
};

describe('/api/v1/energy/tree', () => {
  it('serves the tree with kWh, tce, tce per good part and the unmetered share, summed over the hours asked', async () => {
    const r = await get(`/api/v1/energy/tree?site=cq&period=1h&from=${FROM}&to=${TO}`);
    expect(r.nodes.map((n) => [n.id, n.parent])).toEqual([
      ['plant', null],
      ['compressor', 'plant'],
      ['machining', 'plant'],
      ['stamping', 'plant'],
      ['press-1', 'stamping'],
    ]);
    const plant = r.nodes.find((n) => n.id === 'plant');
    expect(plant?.name).toBe('重庆工厂');
    expect(plant?.kwh).toBeCloseTo(400, 3); // 200 kW × 2 h
    expect(plant?.tce).toBeCloseTo(0.04916, 5); // × 0.1229 kgce/kWh
    // no electricity equal value set: no equal-value tce, and the reply says what to set
    expect(r.nodes.map((n) => n.kgce_equal_value)).toEqual([null, null, null, null, null]);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]?.code).toBe('EQUAL_VALUE_MISSING');
    expect(r.notes[0]?.message).toContain('analytics.standardCoal.electricityEqualValue');
    expect(r.notes[0]?.message).toContain('发电标准煤耗');
    const bal = plant?.balance.find((b) => b.carrier === 'electricity');
    expect(bal?.parent).toBeCloseTo(400, 3);
    expect(bal?.children).toBeCloseTo(320, 3);
    expect(bal?.unmetered).toBeCloseTo(80, 3);
    expect(bal?.unmetered_pct).toBeCloseTo(20, 3);
    const press = r.nodes.find((n) => n.id === 'press-1');
    // 720 parts an hour (the counter's first and last increments spread across the range edges)
    expect(press?.good_count).toBeGreaterThanOrEqual(1436);
    expect(press?.good_count).toBeLessThanOrEqual(1440);
    expect(press?.kgce_per_good_part).toBeCloseTo((160 * 0.1229) / (press?.good_count ?? 1), 9);
    const stamping = r.nodes.find((n) => n.id === 'stamping');
    expect(stamping?.balance[0]?.unmetered_pct).toBeCloseTo(20, 3);
    const cov = (level: string) => r.coverage.find((c) => c.level === level && c.carrier === 'electricity');
    expect(cov('organisation')).toMatchObject({ rate_pct: 100, required_pct: 100, compliant: true });
    expect(cov('sub_unit')).toMatchObject({ rate_pct: 100, compliant: true });
    expect(cov('equipment')).toMatchObject({
      rate_pct: 50,
      required_pct: 95,
      required_source: 'gb17167-2006',
      compliant: false,
    });
    // the default's provenance, stated: a secondary transcription of the 2006 table
    expect(cov('equipment')?.required_source_note).toMatch(
      /GB 17167-2006 表1 \(secondary transcription;.*2025/,
    );
  });

  it("gives the equal-value tce and judges coverage by the plant's own rate once the plant sets them", async () => {
    const r = await get(`/api/v1/energy/tree?site=cq&period=1h&from=${FROM}&to=${TO}`, withSettings);
    expect(r.notes).toEqual([]);
    const plant = r.nodes.find((n) => n.id === 'plant');
    expect(plant?.tce).toBeCloseTo(0.04916, 5); // the equivalent value is the same either way
    expect(plant?.kgce_equal_value).toBeCloseTo(120, 3); // 400 kWh × 0.3
    expect(r.nodes.find((n) => n.id === 'stamping')?.kgce_equal_value).toBeCloseTo(60, 3); // 200 kWh × 0.3
    const cov = (level: string) => r.coverage.find((c) => c.level === level && c.carrier === 'electricity');
    expect(cov('equipment')).toMatchObject({
      rate_pct: 50,
      required_pct: 50,
      required_source: 'plant',
      compliant: true,
    });
    expect(cov('equipment')?.required_source_note).toMatch(/plant setting/);
    // a level the plant left out keeps the default, and says so
    expect(cov('organisation')).toMatchObject({ required_pct: 100, required_source: 'gb17167-2006' });
  });

  it('gives the day the same totals, and is in the OpenAPI document', async () => {
    const day = await get(
      `/api/v1/energy/tree?site=cq&period=day&from=${at('00:00:00')}&to=${at('23:59:00')}`,
    );
    expect(day.nodes.find((n) => n.id === 'plant')?.kwh).toBeCloseTo(400, 3);
    const doc = await app.inject({
      method: 'GET',
      url: '/docs/json',
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    expect(doc.json().paths['/api/v1/energy/tree']).toBeDefined();
  });
});
