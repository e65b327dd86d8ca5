/**
 * The fleet view's outbox columns through real processes (README "Fleet view"): a simulated press → `plantpulse
 * agent` → a TCP proxy → `plantpulse cloud` (embedded broker, API) → InfluxDB. The proxy cuts the agent's uplink
 * (refuses and resets): the fleet shows the gateway offline while its outbox fills (the agent's own /metrics says
 * so). When the link is back, the NBIRTH brings the depth: `GET /api/v1/fleet` shows batches waiting and flags the
 * gateway `backlog`; once the backlog drains, the next periodic NDATA brings the depth back to 0 and the flag goes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { parsePrometheus, seriesValue } from '../helpers/prometheus-text.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const SITE = 'cq-plant1';
const NODE = 'gw-1';
const env = { AGENT_PW: 'agent-secret-1', INGEST_PW: 'ingest-secret-2' };

interface Gateway {
  node: string;
  online: boolean | null;
  outbox: { messages: number; bytes: number; oldestAgeMs: number; at: number } | null;
  devices: { total: number; online: number; offline: string[] };
  flags: string[];
}

let dir: string;
let db: string;
let sim: CliProcess;
let cloud: CliProcess;
let agent: CliProcess;
let proxy: TcpProxy;
let api: string;
let agentHttp: string;

/** gw-1 as the fleet API says, by default with the backlog threshold at 1 s (the outage below lasts longer); null: the API's default */
async function gateway(backlogThreshold: string | null = '1s'): Promise<Gateway | undefined> {
  const query = backlogThreshold === null ? '' : `?backlogThreshold=${backlogThreshold}`;
  const res = await fetch(`${api}/api/v1/fleet${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { backlogThresholdMs: number; gateways: Gateway[] };
  expect(body.backlogThresholdMs).toBe(backlogThreshold === null ? 60_000 : 1000);
  return body.gateways.find((g) => g.node === NODE);
}

/** batches in the agent's outbox, from its own /metrics */
async function agentOutbox(): Promise<number> {
  const families = parsePrometheus(await (await fetch(`${agentHttp}/metrics`)).text());
  return seriesValue(families, 'plantpulse_outbox_messages') ?? 0;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-fleet-outbox-'));
  db = await freshDatabase('e2e_fleet_outbox');
  sim = spawnCli(['sim', '--profile', 'press', '--port', '0']);
  const listening = await sim.waitFor((l) => l['event'] === 'listening');
  await writeFile(
    join(dir, 'cloud.yaml'),
    [
      'broker:',
      '  port: 0',
      '  users:',
      `    - { username: ${NODE}, password: "\${env:AGENT_PW}" }`,
      '    - { username: ingest, password: "${env:INGEST_PW}" }',
      'mqtt: { username: ingest, password: "${env:INGEST_PW}", clientId: e2e-fleet-outbox-ingest }',
      `influx: { url: "${influxUrl()}", database: ${db}, flushInterval: 200ms }`,
      `spool: { path: "${join(dir, 'cloud-data')}", sync: normal }`,
      'api: { host: 127.0.0.1, port: 0, anonymous: viewer }',
    ].join('\n'),
  );
  cloud = spawnCli(['cloud', '-c', join(dir, 'cloud.yaml')], { env });
  const broker = new URL(
    String(
      (await cloud.waitFor((l) => String(l['msg']).startsWith('embedded MQTT broker listening')))['url'],
    ),
  );
  api = String((await cloud.waitFor((l) => l['msg'] === 'API and dashboard listening'))['url']);
  proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port) });
  await writeFile(
    join(dir, 'agent.yaml'),
    [
      `site: ${SITE}`,
      `node: ${NODE}`,
      `mqtt: { url: "mqtt://127.0.0.1:${proxy.port}", username: ${NODE}, password: "\${env:AGENT_PW}" }`,
      `outbox: { path: "${join(dir, 'agent-data')}", sync: normal }`,
      'http: { host: 127.0.0.1, port: 0 }',
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
  agentHttp = String(
    (await agent.waitFor((l) => l['msg'] === 'health and metrics endpoint listening'))['url'],
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([agent?.stop(), cloud?.stop(), sim?.stop()]);
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fleet view: the agent’s outbox', () => {
  it('shows an empty outbox for a gateway that keeps up', async () => {
    // what the agent read before its first connection may still wait in the NBIRTH's figures; a later NDATA shows
    // the steady state: at most the batch being published right now. Default threshold (1 min): no flag.
    const g = await until('gw-1 online with an outbox keeping up', async () => {
      const x = await gateway(null);
      return x?.online === true && x.outbox !== null && x.outbox.messages <= 1 ? x : undefined;
    });
    expect(g.outbox?.bytes).toBeLessThan(10_000);
    expect(g.flags).toEqual([]);
  });

  it('shows the backlog after an uplink outage, then 0 once it has drained', async () => {
    proxy.refuse();
    proxy.reset();
    await until('gw-1 offline (the broker published its will)', async () =>
      (await gateway())?.online === false ? true : undefined,
    );
    // the agent keeps reading into its outbox meanwhile
    const waiting = await until('batches waiting in the agent’s outbox', async () => {
      const n = await agentOutbox();
      return n >= 4 ? n : undefined;
    });
    proxy.pass();

    // the NBIRTH of the new session carries the depth as it was at reconnect
    const backedUp = await until('gw-1 back online with a backlog', async () => {
      const x = await gateway();
      return x?.online === true && x.outbox !== null && x.outbox.messages > 0 ? x : undefined;
    });
    expect(backedUp.outbox?.messages).toBeGreaterThanOrEqual(waiting);
    expect(backedUp.outbox?.bytes).toBeGreaterThan(0);
    expect(backedUp.outbox?.oldestAgeMs).toBeGreaterThan(1000);
    expect(backedUp.flags).toEqual(['backlog']);

    // the backlog drains (replayed as historical), and a later NDATA says so
    const drained = await until(
      'gw-1 outbox back to 0',
      async () => {
        const x = await gateway();
        return x?.outbox?.messages === 0 ? x : undefined;
      },
      90_000,
    );
    expect(drained.outbox?.at).toBeGreaterThan(backedUp.outbox?.at ?? Number.POSITIVE_INFINITY);
    expect(drained).toMatchObject({ online: true, flags: [], outbox: { bytes: 0, oldestAgeMs: 0 } });
  });

  it('keeps the outbox figures in InfluxDB too, as metrics of the node, not of a machine', async () => {
    const rows = await until('outbox_messages of gw-1 in InfluxDB', async () => {
      const r = await queryInfluxQL(influxUrl(), {
        db,
        q: `SELECT max("outbox_messages") FROM "telemetry" WHERE "node" = '${NODE}' AND "device" = '${NODE}'`,
      });
      return r.length > 0 && Number(r[0]?.['max']) > 0 ? r : undefined;
    });
    expect(Number(rows[0]?.['max'])).toBeGreaterThan(0);
    // the device list, filled from InfluxDB as well as from births, does not take the node for a machine
    const res = await fetch(`${api}/api/v1/devices?site=${SITE}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { device: string }[]).map((d) => d.device)).toEqual(['press-07']);
    expect((await gateway())?.devices).toEqual({ total: 1, online: 1, offline: [] });
  });
});
