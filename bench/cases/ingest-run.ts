/**
 * The ingest measurement shared by rows 4 and 7: Sparkplug B births and DDATA (encoded ahead by the agent's own
 * EdgeNode) are published at QoS 1 to Mosquitto as fast as the broker acknowledges; `plantpulse cloud` ingester(s)
 * write them to InfluxDB; the rate is values stored over the span from the first data publish until InfluxDB holds
 * them all. The baseline writes the same `telemetry` lines straight to InfluxDB's /write at the same batch size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { EdgeNode } from '../../agent/publish/edge-node.js';
import type { OutMsg } from '../../agent/publish/edge-node-types.js';
import { telemetryPoint } from '../../protocols/influx/sample-points.js';
import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';
import { pollUntil, startMosquitto } from '../../scripts/services/index.js';
import { type CliChild, spawnCliChild } from './cli-child.js';
import { writeCloudConfig } from './pipeline-config.js';
import { UsageMeter } from './proc-usage.js';
import { type BenchServices, countValues, freshBenchDatabase } from './services.js';

export const INGEST_BATCH_LINES = 5000;
/** publisher's lead over what InfluxDB holds, in messages (below Mosquitto's per-client queue of 1000) */
const MAX_LEAD_MESSAGES = 600;

export interface IngestLoad {
  devices: number;
  metricsPerMessage: number;
  messagesPerDevice: number;
}

export function ingestLoad(smoke: boolean): IngestLoad {
  return smoke
    ? { devices: 4, metricsPerMessage: 50, messagesPerDevice: 25 }
    : { devices: 20, metricsPerMessage: 50, messagesPerDevice: 100 };
}

export const loadValues = (l: IngestLoad) => l.devices * l.metricsPerMessage * l.messagesPerDevice;

function samplesOf(l: IngestLoad, site: string): { metrics: MetricInfo[]; batches: [string, Sample[]][] } {
  const metrics: MetricInfo[] = Array.from({ length: l.metricsPerMessage }, (_, i) => ({
    name: `m${i}`,
    kind: 'double',
  }));
  const t0 = Date.now() - 3_600_000;
  const batches: [string, Sample[]][] = [];
  for (let k = 0; k < l.messagesPerDevice; k++) {
    for (let d = 0; d < l.devices; d++) {
      const device = `${site}-d${d}`;
      batches.push([
        device,
        metrics.map((m, i) => ({
          device,
          metric: m.name,
          value: k + i / 100,
          timestamp: t0 + k * 10,
          quality: 'good',
        })),
      ]);
    }
  }
  return { metrics, batches };
}

/**
 * Raw InfluxDB: the same values as `telemetry` lines, `INGEST_BATCH_LINES` lines per POST /write, one request at a
 * time — one line per value (`grouped: false`, how the ingester wrote before issue 16) or one line per device and
 * timestamp with all its fields (`grouped: true`, what the ingester writes now and InfluxDB recommends).
 */
export async function rawWriteRate(s: BenchServices, l: IngestLoad, grouped = false): Promise<number> {
  const db = await freshBenchDatabase(s.influx.url, grouped ? 'rawgrouped' : 'raw');
  const { batches } = samplesOf(l, 'raw');
  const lines: string[] = [];
  for (const [, samples] of batches) {
    const points = samples.flatMap((sample) => {
      const p = telemetryPoint(sample, { site: 'raw', node: 'gw-1' });
      return p.ok ? [p.point] : [];
    });
    if (grouped && points.length > 0) {
      const all = points[0] as (typeof points)[number];
      for (const p of points.slice(1)) Object.assign(all.fields, p.fields);
      lines.push(all.toLineProtocol() ?? '');
    } else for (const p of points) lines.push(p.toLineProtocol() ?? '');
  }
  const values = loadValues(l);
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += INGEST_BATCH_LINES) {
    const res = await fetch(`${s.influx.url}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: lines.slice(i, i + INGEST_BATCH_LINES).join('\n'),
    });
    if (res.status !== 204) throw new Error(`raw write: HTTP ${res.status} ${await res.text()}`);
  }
  return (values * 1000) / (performance.now() - t0);
}

export interface IngestResult {
  valuesPerSecond: number;
  /** CPU of the ingester processes over the span, % of one core (summed) */
  cpuPercent: number;
  /** CPU of the ingester processes per value stored, µs */
  cpuMicrosPerValue: number;
  peakRssMiB: number;
}

/**
 * Publishes the load through Mosquitto to `ingesters` cloud processes and times until InfluxDB holds it all.
 * `unpaced`: through a Mosquitto of its own whose per-client queue is unbounded (`max_queued_messages 0`), so the
 * publisher need not keep its lead over what InfluxDB holds below that queue: the ingester's own pace, not the
 * harness's.
 */
export async function ingestRate(
  shared: BenchServices,
  l: IngestLoad,
  ingesters: 1 | 2,
  progress: (m: string) => void,
  sync: 'full' | 'normal' = 'full',
  opts: { unpaced?: boolean } = {},
): Promise<IngestResult> {
  const own = opts.unpaced
    ? await startMosquitto({
        readyTimeoutMs: 60_000,
        maxQueuedMessages: 0,
        extraUsers: [{ username: 'ingest0' }, { username: 'ingest1' }, { username: 'bench' }],
      })
    : undefined;
  const s: Pick<BenchServices, 'influx' | 'mosquitto' | 'user'> = own
    ? {
        influx: shared.influx,
        mosquitto: own,
        user(name) {
          const u = own.users.find((x) => x.username === name);
          if (!u) throw new Error(`no Mosquitto user ${name}`);
          return u;
        },
      }
    : shared;
  const maxLead = own ? Number.POSITIVE_INFINITY : MAX_LEAD_MESSAGES;
  try {
    return await ingestThrough(s, l, ingesters, progress, sync, maxLead, own ? 'u' : '');
  } finally {
    await own?.stop();
  }
}

async function ingestThrough(
  s: Pick<BenchServices, 'influx' | 'mosquitto' | 'user'>,
  l: IngestLoad,
  ingesters: 1 | 2,
  progress: (m: string) => void,
  sync: 'full' | 'normal',
  maxLead: number,
  tag: string,
): Promise<IngestResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pp-bench-ingest-'));
  const site = `ingest${ingesters}${sync}${tag}${process.pid}`;
  const db = await freshBenchDatabase(s.influx.url, `ingest${ingesters}`);
  const clouds: CliChild[] = [];
  const env: NodeJS.ProcessEnv = {
    BENCH_INGEST0_PASSWORD: s.user('ingest0').password,
    BENCH_INGEST1_PASSWORD: s.user('ingest1').password,
  };
  const pub = await mqtt.connectAsync(s.mosquitto.url, {
    username: 'bench',
    password: s.user('bench').password,
    clientId: `${site}-pub`,
    reconnectPeriod: 0,
  });
  try {
    for (let i = 0; i < ingesters; i++) {
      const cfg = await writeCloudConfig(join(dir, `cloud${i}.yaml`), {
        mqttUrl: s.mosquitto.url,
        username: `ingest${i}`,
        passwordEnv: `BENCH_INGEST${i}_PASSWORD`,
        clientId: `${site}-c${i}`,
        ...(ingesters > 1 ? { sharedGroup: site } : {}),
        influxUrl: s.influx.url,
        database: db,
        dir,
        sync,
      });
      const c = spawnCliChild(['cloud', '-c', cfg], env);
      clouds.push(c);
      await c.waitFor((line) => line['msg'] === 'ingester connected to MQTT broker', 60_000);
    }
    const { metrics, batches } = samplesOf(l, site);
    const devices = Array.from({ length: l.devices }, (_, d) => ({ id: `${site}-d${d}`, metrics }));
    const edge = new EdgeNode({ site, node: 'gw-1', devices });
    edge.will();
    const births = edge.onConnected();
    const data: OutMsg[] = [];
    for (const [device, samples] of batches) {
      const m = edge.data(device, samples);
      if (m) data.push(m);
    }
    for (const b of births) await pub.publishAsync(b.topic, Buffer.from(b.payload), { qos: 1 });
    const meter = new UsageMeter(clouds.map((c) => c.pid));
    const expected = loadValues(l);
    const t0 = performance.now();
    meter.start();
    // Mosquitto keeps at most max_queued_messages (1000 by default) QoS 1 messages per subscriber and drops the
    // rest: the publisher keeps its lead over what InfluxDB already holds below that, so nothing is lost.
    let stored = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        stored = await countValues(s.influx.url, db).catch(() => stored);
        if (stored >= expected) break;
        if (clouds.some((c) => c.exited())) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < data.length) {
        while (next - stored / l.metricsPerMessage > maxLead && polling) {
          await new Promise((r) => setTimeout(r, 20));
        }
        const m = data[next++];
        if (m === undefined) break; // another worker took the last one while this one waited
        await pub.publishAsync(m.topic, Buffer.from(m.payload), { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    progress(`published ${data.length} DDATA in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    try {
      await pollUntil(async () => (stored >= expected ? true : undefined), {
        timeoutMs: 300_000,
        intervalMs: 50,
        what: `InfluxDB to hold ${expected} values`,
        stop: () => clouds.find((c) => c.exited())?.tail(),
      });
    } finally {
      polling = false;
      await poller;
    }
    const t1 = performance.now();
    const usage = meter.stop();
    return {
      valuesPerSecond: (expected * 1000) / (t1 - t0),
      cpuPercent: usage.cpuPercent,
      cpuMicrosPerValue: (((usage.cpuPercent / 100) * (t1 - t0)) / 1000 / expected) * 1e6,
      peakRssMiB: usage.peakRssMiB,
    };
  } finally {
    await pub.endAsync(true);
    await Promise.all(clouds.map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}
