/**
 * Emitted mass per outlet and pollutant through the real InfluxDB: HJ 212 real-time readings stored as telemetry,
 * `/api/v1/emissions/mass` integrates concentration × flow per hour, in kg, with each outlet's units (the births'
 * when known, the factor table's when the registry was filled from InfluxDB).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { createApiServer } from '../../../cloud/api/server.js';
import { hashSecret } from '../../../config/password-hash.js';
import { apiConfig } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';

const VIEWER = 'viewer-token-0123456789';
const FAST = { N: 1024, r: 8, p: 1 };
const T0 = Date.UTC(2026, 11, 6, 1, 0, 0); // 09:00 Beijing
const H = 3_600_000;

let app: ReturnType<typeof createApiServer>;
const registry = new DeviceRegistry();

beforeAll(async () => {
  const db = await freshDatabase('api_stack_mass');
  const lines: string[] = [];
  for (let t = T0; t < T0 + 2 * H; t += 30_000) {
    // boiler stack: SO2 50 mg/m³ at 20,000 m³/h given in m³/s (the standard's unit); NOx 100 mg/m³
    lines.push(
      `telemetry,site=cq,device=boiler-1-stack a21026_rtd=50,a21002_rtd=100,a00000_rtd=${20_000 / 3600},a19001_rtd=6.5 ${t}`,
    );
    // wastewater: COD 40 mg/L at 10 L/s
    lines.push(`telemetry,site=cq,device=ww-outlet w01018_rtd=40,w00000_rtd=10 ${t}`);
    // a stack whose datalogger reports flow in m³/h: the birth says so
    lines.push(`telemetry,site=cq,device=boiler-2-stack a21026_rtd=50,a00000_rtd=20000 ${t}`);
  }
  const res = await fetch(`${influxUrl()}/write?db=${db}&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  expect(res.status).toBe(204);
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [{ name: 'control-room', role: 'viewer', tokenHash: hashSecret(VIEWER, FAST) }],
    }),
    influx: { url: influxUrl(), database: db },
    live: new LiveBus(),
    log: pino({ level: 'silent' }),
    registry,
    clock: () => T0 + 2 * H,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
};

type Total = { device: string; code: string; kg: number; en: string; zh: string };

describe('/api/v1/emissions/mass', () => {
  it('gives kg per hour and over the range for each outlet and pollutant', async () => {
    registry.upsertBirth({
      site: 'cq',
      node: 'gw',
      device: 'boiler-2-stack',
      metrics: [
        { name: 'a21026_rtd', kind: 'double', unit: 'mg/m³' },
        { name: 'a00000_rtd', kind: 'double', unit: 'm³/h' },
      ],
    });
    const { status, body } = await get(`/api/v1/emissions/mass?site=cq&from=${T0}&to=${T0 + 2 * H}`);
    expect(status).toBe(200);
    const totals = body['totals'] as Total[];
    const kg = (device: string, code: string) =>
      totals.find((t) => t.device === device && t.code === code)?.kg;
    // 50 mg/m³ × 20,000 m³/h = 1 kg/h, for two hours
    expect(kg('boiler-1-stack', 'a21026')).toBeCloseTo(2, 6);
    expect(kg('boiler-1-stack', 'a21002')).toBeCloseTo(4, 6);
    expect(kg('boiler-2-stack', 'a21026')).toBeCloseTo(2, 6);
    // 40 mg/L × 10 L/s × 3600 s = 1.44 kg/h
    expect(kg('ww-outlet', 'w01018')).toBeCloseTo(2.88, 6);
    // O2 is no mass
    expect(totals.some((t) => t.code === 'a19001')).toBe(false);
    expect(totals.find((t) => t.code === 'a21026')).toMatchObject({
      zh: '二氧化硫',
      en: 'sulphur dioxide (SO2)',
    });
    const rows = (body['rows'] as { time: number; device: string; code: string; kg: number }[]).filter(
      (r) => r.device === 'boiler-1-stack' && r.code === 'a21026',
    );
    expect(rows.map((r) => r.time)).toEqual([T0, T0 + H]);
    for (const r of rows) expect(r.kg).toBeCloseTo(1, 6);
  });

  it('refuses a range over 31 days', async () => {
    const { status, body } = await get(
      `/api/v1/emissions/mass?site=cq&from=${T0 - 40 * 86_400_000}&to=${T0}`,
    );
    expect(status).toBe(400);
    expect(String(body['message'])).toMatch(/31 days/);
  });
});
