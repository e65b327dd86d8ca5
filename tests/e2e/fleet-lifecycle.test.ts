/**
 * The fleet view and the data lifecycle through real processes (README "Operating plantpulse"): a simulated press
 * → `plantpulse agent` → `plantpulse cloud` (embedded broker, API, `lifecycle:`) → InfluxDB, plus a hand-made
 * gateway announcing an old version and sending late data. `GET /api/v1/fleet` lists both with the agent's
 * version, uptime and device health, flags the old and lagging one, then the stopped agent as offline; the cloud
 * created the retention policies, stored the telemetry in `raw`, and the history endpoint says what it read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { packageVersion } from '../../protocols/package-version.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { type HandMadeGateway, startHandMadeGateway } from '../helpers/sparkplug-gateway.js';
import { until } from '../helpers/until.js';

const SITE = 'cq-plant1';
const env = { AGENT_PW: 'agent-secret-1', OLD_PW: 'old-secret-3', INGEST_PW: 'ingest-secret-2' };

interface Gateway {
  node: string;
  online: boolean | null;
  version: string | null;
  uptimeS: number | null;
  started: number | null;
  lagMs: number | null;
  devices: { total: number; online: number; offline: string[] };
  flags: string[];
}

let dir: string;
let db: string;
let sim: CliProcess;
let cloud: CliProcess;
let agent: CliProcess;
let old: HandMadeGateway;
let api: string;
const startedAt = Date.now();

async function fleet(): Promise<Map<string, Gateway>> {
  const res = await fetch(`${api}/api/v1/fleet`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { version: string; gateways: Gateway[] };
  expect(body.version).toBe(packageVersion());
  return new Map(body.gateways.map((g) => [g.node, g]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-fleet-'));
  db = await freshDatabase('e2e_fleet');
  sim = spawnCli(['sim', '--profile', 'press', '--port', '0']);
  const listening = await sim.waitFor((l) => l['event'] === 'listening');
  await writeFile(
    join(dir, 'cloud.yaml'),
    [
      'broker:',
      '  port: 0',
      '  users:',
      '    - { username: gw-1, password: "${env:AGENT_PW}" }',
      '    - { username: gw-old, password: "${env:OLD_PW}" }',
      '    - { username: ingest, password: "${env:INGEST_PW}" }',
      'mqtt: { username: ingest, password: "${env:INGEST_PW}", clientId: e2e-fleet-ingest }',
      `influx: { url: "${influxUrl()}", database: ${db} }`,
      `spool: { path: "${join(dir, 'cloud-data')}", sync: normal }`,
      'api: { host: 127.0.0.1, port: 0, anonymous: viewer }',
      'lifecycle: { raw: 30d, rollupDelay: 5s }',
    ].join('\n'),
  );
  cloud = spawnCli(['cloud', '-c', join(dir, 'cloud.yaml')], { env });
  const broker = String(
    (await cloud.waitFor((l) => String(l['msg']).startsWith('embedded MQTT broker listening')))['url'],
  );
  api = String((await cloud.waitFor((l) => l['msg'] === 'API and dashboard listening'))['url']);
  await writeFile(
    join(dir, 'agent.yaml'),
    [
      `site: ${SITE}`,
      'node: gw-1',
      `mqtt: { url: "${broker}", username: gw-1, password: "\${env:AGENT_PW}" }`,
      `outbox: { path: "${join(dir, 'agent-data')}", sync: normal }`,
      'devices:',
      '  - id: press-07',
      `    modbus: { url: "${String(listening['url'])}", unitId: 1, timeout: 1s }`,
      '    poll:',
      '      - every: 500ms',
      '        points:',
      '          - { name: power_kw, table: input, address: 0, type: float32, scale: 0.001, unit: kW }',
    ].join('\n'),
  );
  agent = spawnCli(['agent', '-c', join(dir, 'agent.yaml')], { env });
  old = await startHandMadeGateway({
    url: broker,
    username: 'gw-old',
    password: env.OLD_PW,
    site: SITE,
    node: 'gw-old',
    device: 'boiler-meter',
    metric: 'gas_m3',
    properties: { Version: '0.0.9', 'Config Hash': 'sha256:0123abcd' },
  });
  // its outbox draining: data ten minutes old
  await old.data(12.5, Date.now() - 10 * 60_000);
}, 120_000);

afterAll(async () => {
  await old?.close().catch(() => undefined);
  await Promise.all([agent?.stop(), cloud?.stop(), sim?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fleet view', () => {
  it('lists the gateways with version, uptime and device health, flagging the old and lagging one', async () => {
    const gw = await until('both gateways in the fleet view', async () => {
      const f = await fleet();
      const a = f.get('gw-1');
      const b = f.get('gw-old');
      return a?.devices.online === 1 && a.lagMs !== null && b?.lagMs !== null && b ? { a, b } : undefined;
    });
    expect(gw.a).toMatchObject({
      online: true,
      version: packageVersion(),
      devices: { total: 1, online: 1, offline: [] },
      flags: [],
    });
    expect(gw.a.started).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(gw.a.uptimeS).toBeGreaterThanOrEqual(0);
    expect(gw.b).toMatchObject({ online: true, version: '0.0.9', configHash: 'sha256:0123abcd' });
    expect(gw.b.flags).toEqual(['lagging', 'old-version']);
    expect(gw.b.lagMs).toBeGreaterThan(9 * 60_000);
  });

  it('flags a gateway offline once its agent stops', async () => {
    expect(await agent.stop('SIGTERM')).toBe(0);
    const gw = await until('gw-1 flagged offline', async () => {
      const g = (await fleet()).get('gw-1');
      return g?.flags.includes('offline') ? g : undefined;
    });
    expect(gw).toMatchObject({ online: false, uptimeS: null, devices: { online: 0, offline: ['press-07'] } });
  });
});

describe('data lifecycle in the running ingester', () => {
  const q = (s: string) => queryInfluxQL(influxUrl(), { db, q: s });

  it('created the retention policies and keeps telemetry in raw', async () => {
    const names = (await q(`SHOW RETENTION POLICIES ON "${db}"`)).map((r) => r['name']);
    expect(names).toEqual(expect.arrayContaining(['autogen', 'raw', 'rollup_1m', 'rollup_1h']));
    await until(
      `press telemetry in raw; cloud said ${JSON.stringify(cloud.lines.filter((l) => Number(l['level']) >= 40))}`,
      async () =>
        (await q(`SELECT count("power_kw") FROM "raw"."telemetry"`))[0]?.['count'] ? true : undefined,
      30_000,
    );
    expect(await q(`SELECT count("power_kw") FROM "telemetry"`)).toEqual([]);
  });

  it('answers history with the resolution it read', async () => {
    const res = await fetch(`${api}/api/v1/devices/press-07/metrics/power_kw/history?site=${SITE}&from=-1h`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { resolution: string; points: unknown[] };
    expect(body.resolution).toBe('raw');
    expect(body.points.length).toBeGreaterThan(0);
  });
});
