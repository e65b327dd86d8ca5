/**
 * The pipeline reports on itself (docs/metrics.md): a real `plantpulse agent` polling the press simulator and a dead
 * device, a real `plantpulse cloud` (embedded broker, API, analytics) writing to InfluxDB through a TCP proxy that
 * refuses for a while, both serving /healthz, /readyz and /metrics. Their metrics are exactly the documented ones,
 * and Debian's VictoriaMetrics, scraping both, answers every PromQL query of
 * grafana/plantpulse-pipeline-health.json with data.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentHealth } from '../../protocols/health/component-health.js';
import type { HealthBody } from '../../protocols/health/health-server.js';
import { pollUntil } from '../../scripts/services/poll-until.js';
import {
  startVictoriaMetrics,
  type VictoriaMetricsService,
} from '../../scripts/services/victoria-metrics.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { type PromFamily, parsePrometheus, seriesValue } from '../helpers/prometheus-text.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const SITE = 'plant1';
const NODE = 'gw-health';
const ROOT = resolve(import.meta.dirname, '../..');
const env = { AGENT_MQTT_PASSWORD: 'agent-secret-1', INGEST_MQTT_PASSWORD: 'ingest-secret-2' };

interface Documented {
  type: string;
  labels: string[];
}

/** The metric table of one `### <heading>` section of docs/metrics.md: name → type and label names. */
function documented(markdown: string, heading: 'Agent' | 'Ingester'): Map<string, Documented> {
  const start = markdown.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`docs/metrics.md has no "### ${heading}" section`);
  const end = markdown.indexOf('\n#', start + 5);
  const out = new Map<string, Documented>();
  for (const line of markdown.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| `(plantpulse_[a-z0-9_]+)` \| (\w+) \| ([^|]+) \|/.exec(line);
    if (!m) continue;
    const [, name = '', type = '', labels = ''] = m;
    if (out.has(name)) throw new Error(`${name} documented twice under ${heading}`);
    out.set(name, { type, labels: [...labels.matchAll(/`([a-z_]+)`/g)].map((x) => x[1] ?? '') });
  }
  return out;
}

/** What differs between what a process emits and what docs/metrics.md says, one line per problem. */
function undocumented(families: Map<string, PromFamily>, docs: Map<string, Documented>): string[] {
  const problems: string[] = [];
  for (const [name, f] of families) {
    const d = docs.get(name);
    if (!d) {
      problems.push(`${name} is emitted but not documented`);
      continue;
    }
    if (d.type !== f.type) problems.push(`${name} is a ${f.type}, documented as a ${d.type}`);
    for (const s of f.samples) {
      const labels = Object.keys(s.labels)
        .filter((k) => !(f.type === 'histogram' && k === 'le'))
        .sort();
      if (labels.join(',') !== [...d.labels].sort().join(','))
        problems.push(`${s.name} has labels {${labels.join(',')}}, documented {${d.labels.join(',')}}`);
    }
  }
  for (const name of docs.keys())
    if (!families.has(name)) problems.push(`${name} is documented but not emitted`);
  return [...new Set(problems)];
}

describe('pipeline health: the agent and the ingester report on themselves', () => {
  let dir: string;
  let proxy: TcpProxy;
  let sim: CliProcess;
  let cloud: CliProcess;
  let agent: CliProcess;
  let vm: VictoriaMetricsService | undefined;
  let cloudHttp: string;
  let agentHttp: string;
  let apiUrl: string;
  let brokerUrl: string;
  let db: string;
  const live = new AbortController();

  const body = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as HealthBody };
  };
  const scrape = async (base: string) => parsePrometheus(await (await fetch(`${base}/metrics`)).text());
  const component = (b: HealthBody, name: string) => b.components.find((c) => c.component === name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-health-'));
    db = await freshDatabase('pipeline_health');
    const influx = new URL(influxUrl());
    proxy = await startTcpProxy({ host: influx.hostname, port: Number(influx.port) });

    sim = spawnCli(['sim', '--profile', 'press', '--port', '0']);
    const simUrl = String((await sim.waitFor((l) => l['event'] === 'listening'))['url']);

    await writeFile(
      join(dir, 'cloud.yaml'),
      [
        'broker:',
        '  port: 0',
        '  users:',
        `    - { username: ${NODE}, password: "\${env:AGENT_MQTT_PASSWORD}" }`,
        '    - { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}" }',
        'mqtt: { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}", clientId: health-ingest }',
        `influx: { url: "http://127.0.0.1:${proxy.port}", database: ${db}, flushInterval: 200ms }`,
        `spool: { path: ${join(dir, 'cloud-data')}, sync: normal }`,
        'http: { port: 0 }',
        'api: { host: 127.0.0.1, port: 0, anonymous: viewer }',
        'lifecycle: {}',
        'analytics:',
        '  machines:',
        '    - device: press-07',
        '      state: { metric: state_code, kind: code, map: { "1": running, "2": idle, "3": down } }',
        '      total: { metric: part_count, bits: 32 }',
        '      idealCycle: 2s',
      ].join('\n'),
    );
    cloud = spawnCli(['cloud', '-c', join(dir, 'cloud.yaml')], { env });
    const msg = (text: string) => (l: Record<string, unknown>) =>
      typeof l['msg'] === 'string' && l['msg'].startsWith(text);
    brokerUrl = String((await cloud.waitFor(msg('embedded MQTT broker listening'), 120_000))['url']);
    apiUrl = String((await cloud.waitFor(msg('API and dashboard listening'), 120_000))['url']);
    cloudHttp = String((await cloud.waitFor(msg('health and metrics endpoint listening'), 120_000))['url']);

    await writeFile(
      join(dir, 'agent.yaml'),
      [
        `site: ${SITE}`,
        `node: ${NODE}`,
        `mqtt: { url: "${brokerUrl}", username: ${NODE}, password: "\${env:AGENT_MQTT_PASSWORD}" }`,
        `outbox: { path: ${join(dir, 'agent-data')}, sync: normal }`,
        'http: { port: 0 }',
        'devices:',
        '  - id: press-07',
        `    modbus: { url: "${simUrl}", unitId: 1, timeout: 1s }`,
        '    poll:',
        '      - every: 500ms',
        '        points:',
        '          - { name: state_code, table: holding, address: 100, type: uint16 }',
        '          - { name: part_count, table: holding, address: 102, type: uint32, order: CDAB }',
        '  - id: dead-01 # nothing listens there: errors by code, unreachable',
        '    modbus: { url: "tcp://127.0.0.1:1", unitId: 1, timeout: 200ms }',
        '    poll: [ { every: 500ms, points: [ { name: x, table: holding, address: 0, type: uint16 } ] } ]',
      ].join('\n'),
    );
    agent = spawnCli(['agent', '-c', join(dir, 'agent.yaml')], { env });
    agentHttp = String((await agent.waitFor(msg('health and metrics endpoint listening'), 120_000))['url']);

    // Data flows end to end before the faults.
    await pollUntil(
      async () =>
        (seriesValue(await scrape(cloudHttp), 'plantpulse_influx_points_total') ?? 0) > 0 ? true : undefined,
      { timeoutMs: 90_000, what: 'points stored in InfluxDB' },
    );

    // A message no host can decode: a Sparkplug problem and a dead letter.
    const rogue = await mqtt.connectAsync(brokerUrl, {
      username: NODE,
      password: env.AGENT_MQTT_PASSWORD,
      clientId: 'health-rogue',
      reconnectPeriod: 0,
    });
    await rogue.publishAsync(`spBv1.0/${SITE}/DDATA/${NODE}/press-07`, Buffer.from([0xff, 0xff, 0xff]), {
      qos: 1,
    });
    await rogue.endAsync();

    // The API answers and a live client stays connected.
    expect((await fetch(`${apiUrl}/api/v1/overview`)).status).toBe(200);
    expect((await fetch(`${apiUrl}/api/v1/nope`)).status).toBe(404);
    const stream = await fetch(`${apiUrl}/api/v1/live`, { signal: live.signal });
    expect(stream.status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    live.abort();
    await vm?.stop();
    await Promise.all([agent?.stop(), cloud?.stop(), sim?.stop()]);
    await proxy?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('/healthz and /readyz list every component of both processes; an InfluxDB outage is down, not unready', async () => {
    const a = await pollUntil(
      async () => {
        const r = await body(`${agentHttp}/readyz`);
        return r.status === 200 ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: 'agent ready' },
    );
    const kinds = (b: HealthBody) =>
      b.components.map((c: ComponentHealth) => `${c.component}:${c.id}`).sort();
    expect(kinds(a)).toEqual(
      [
        'outbox:sqlite',
        'poll:dead-01',
        'poll:press-07',
        `sparkplug:${SITE}/${NODE}`,
        `uplink:plantpulse-${SITE}-${NODE}`,
      ].sort(),
    );
    expect(a.status).toBe('down'); // dead-01
    expect(a.components.find((c) => c.id === 'dead-01')?.detail).toMatch(/unreachable|connecting/);

    const c = await body(`${cloudHttp}/readyz`);
    expect(c.status).toBe(200);
    expect(kinds(c.body)).toEqual(
      [
        'analytics:analytics',
        `api:${apiUrl}`,
        'broker:embedded',
        `influxdb:${db}`,
        'mqtt:health-ingest',
        'spool:spool',
      ].sort(),
    );
    expect((await fetch(`${cloudHttp}/healthz`)).status).toBe(200);

    // InfluxDB unreachable: the writer is down and says why, the ingester stays ready (its spool holds the data).
    proxy.refuse();
    try {
      const during = await pollUntil(
        async () => {
          const r = await body(`${cloudHttp}/readyz`);
          return component(r.body, 'influxdb')?.status === 'down' ? r : undefined;
        },
        { timeoutMs: 60_000, what: 'influxdb component down' },
      );
      expect(during.status).toBe(200);
      expect(component(during.body, 'influxdb')?.detail).toMatch(/SINK_UNAVAILABLE/);
      const m = await scrape(cloudHttp);
      expect(
        seriesValue(m, 'plantpulse_influx_write_errors_total', { code: 'SINK_UNAVAILABLE' }),
      ).toBeGreaterThan(0);
      expect(seriesValue(m, 'plantpulse_component_status', { component: 'influxdb', id: db })).toBe(2);
    } finally {
      proxy.pass();
    }
    await pollUntil(
      async () =>
        component((await body(`${cloudHttp}/readyz`)).body, 'influxdb')?.status === 'ok' ? true : undefined,
      { timeoutMs: 60_000, what: 'influxdb component ok again' },
    );
  });

  it('emits exactly the metrics docs/metrics.md documents, with their types and labels', async () => {
    const docs = await readFile(join(ROOT, 'docs/metrics.md'), 'utf8');
    const agentMetrics = await scrape(agentHttp);
    const cloudMetrics = await pollUntil(
      async () => {
        const m = await scrape(cloudHttp);
        return (seriesValue(m, 'plantpulse_dead_letters_total', { kind: 'message' }) ?? 0) > 0
          ? m
          : undefined;
      },
      { timeoutMs: 30_000, what: 'the undecodable message dead-lettered' },
    );
    expect(undocumented(agentMetrics, documented(docs, 'Agent'))).toEqual([]);
    expect(undocumented(cloudMetrics, documented(docs, 'Ingester'))).toEqual([]);

    // and the numbers say what happened
    expect(seriesValue(agentMetrics, 'plantpulse_uplink_connected')).toBe(1);
    expect(
      seriesValue(agentMetrics, 'plantpulse_device_reachable', { device: 'press-07', mode: 'poll' }),
    ).toBe(1);
    expect(
      seriesValue(agentMetrics, 'plantpulse_device_reachable', { device: 'dead-01', mode: 'poll' }),
    ).toBe(0);
    expect(
      seriesValue(cloudMetrics, 'plantpulse_ingest_problems_total', { code: 'SPB_DECODE' }),
    ).toBeGreaterThan(0);
    expect(seriesValue(cloudMetrics, 'plantpulse_api_live_clients')).toBe(1);
    expect(seriesValue(cloudMetrics, 'plantpulse_api_responses_total', { code: '404' })).toBeGreaterThan(0);
    expect(seriesValue(cloudMetrics, 'plantpulse_broker_clients')).toBeGreaterThanOrEqual(2);
  });

  it('every PromQL query of grafana/plantpulse-pipeline-health.json returns data from VictoriaMetrics scraping both', async () => {
    const dash = JSON.parse(
      await readFile(join(ROOT, 'grafana/plantpulse-pipeline-health.json'), 'utf8'),
    ) as {
      panels: { title: string; type: string; targets?: { expr: string; refId: string }[] }[];
    };
    const targets = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));
    expect(targets.length).toBeGreaterThan(25);
    const hostPort = (u: string) => new URL(u).host;
    vm = await startVictoriaMetrics({
      scrapeConfig: [
        'global: { scrape_interval: 1s }',
        'scrape_configs:',
        `  - { job_name: plantpulse-agent, static_configs: [ { targets: ["${hostPort(agentHttp)}"] } ] }`,
        `  - { job_name: plantpulse-cloud, static_configs: [ { targets: ["${hostPort(cloudHttp)}"] } ] }`,
      ].join('\n'),
    });
    const service = vm;
    const query = async (expr: string) => {
      const q = expr
        .replace(/\$__rate_interval/g, '30s')
        .replace(/\$__interval/g, '5s')
        .replace(/\$__range/g, '5m');
      const res = await fetch(`${service.url}/api/v1/query?${new URLSearchParams({ query: q })}`);
      const json = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (json.status !== 'success') throw new Error(`${q}: ${json.error ?? res.status}`);
      return (json.data?.result ?? []).filter((r) => r.value[1] !== 'NaN');
    };
    // both targets up, and enough scrapes for the rate windows
    await pollUntil(async () => ((await query('sum(up)'))[0]?.value[1] === '2' ? true : undefined), {
      timeoutMs: 60_000,
      what: 'VictoriaMetrics scraping both processes',
    });
    for (const t of targets) {
      const result = await pollUntil(async () => ((await query(t.expr)).length > 0 ? true : undefined), {
        timeoutMs: 60_000,
        what: `${t.panel} ${t.refId}: ${t.expr} returns data`,
      });
      expect(result).toBe(true);
    }
  });
});
