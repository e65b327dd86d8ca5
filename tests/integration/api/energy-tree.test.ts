/**
 * The metering tree end to end: meter registers and a part counter go through the analytics engine, its points into
 * the real InfluxDB, and `/api/v1/energy/tree` serves each node's kWh, tce, tce per good part, the balance of the
 * incomer against its lines (the unmetered share) and GB 17167 coverage.
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

beforeAll(async () => {
  const db = await freshDatabase('api_energy_tree');
  await writeEnergyTreeFixture(influxUrl(), db);
  app = createApiServer({
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
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

interface Reply {
  nodes: {
    id: string;
    name: string;
    parent: string | null;
    level: string;
    kwh: number;
    tce: number;
    kgce_equal_value: number;
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
    compliant: boolean | null;
  }[];
}

const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });
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
    expect(plant?.kgce_equal_value).toBeCloseTo(126, 3); // × 0.3150
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
    expect(cov('equipment')).toMatchObject({ rate_pct: 50, required_pct: 95, compliant: false });
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
