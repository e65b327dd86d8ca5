/**
 * A real ingester under attack: `startCloud` with its embedded broker (aedes, deny by default) and a fresh database
 * in the run's InfluxDB, a gateway (`gw1`, edge node `plant1/gw1`) publishing hand-made Sparkplug B messages, and
 * what a test reads back: InfluxDB rows, the dead-letter files, the log, and `/metrics`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StaticEncode } from '@sinclair/typebox';
import mqtt, { type MqttClient } from 'mqtt';
import { type RunningCloud, startCloud } from '../../cloud/cloud.js';
import type { IngestSettings } from '../../config/schemas/ingest.js';
import { queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import { DataType, encodePayload, type SpbMetric } from '../../protocols/sparkplug/index.js';
import { cloudConfig } from '../helpers/configs.js';
import { captureLog } from '../helpers/log-capture.js';
import { type PromFamily, parsePrometheus } from '../helpers/prometheus-text.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { until } from '../helpers/until.js';

export const SITE = 'plant1';
export const NODE = 'gw1';
const GW_PASSWORD = 'gw1-test-password-7';
const INGEST_PASSWORD = 'ingest-test-password-9';

export interface DeadLetterEntry {
  at: string;
  kind: string;
  code?: string;
  reason: string;
  data: string;
}

export interface IngestRig {
  cloud: RunningCloud;
  dataDir: string;
  logLines: Record<string, unknown>[];
  /** publishes one Sparkplug message of node plant1/gw1 (QoS 1); `seq` is counted for NBIRTH/DBIRTH/DDATA */
  publish(
    type: 'NBIRTH' | 'DBIRTH' | 'DDATA',
    device: string | undefined,
    metrics: SpbMetric[],
  ): Promise<Uint8Array>;
  /** publishes raw bytes on a topic of the gateway's own node */
  publishRaw(topic: string, payload: Uint8Array): Promise<void>;
  /** `telemetry` values of a device's metric in InfluxDB, oldest first */
  values(device: string, metric: string): Promise<{ time: number; value: unknown }[]>;
  /** the metric's latest value in InfluxDB (`last()`: what a "current value" query shows) */
  latest(device: string, metric: string): Promise<unknown>;
  /**
   * Waits until InfluxDB holds `value` for the metric, then returns all its values. Publish that value last: the
   * spool drains in order, so whatever came before it is in InfluxDB by then too.
   */
  stored(device: string, metric: string, value: unknown): Promise<{ time: number; value: unknown }[]>;
  /** waits until the dead-letter file holds `n` entries, and returns them */
  deadLettered(n: number, file?: string): Promise<DeadLetterEntry[]>;
  /** the entries of one dead-letter file (`dead-letter.jsonl`, or a rotated one) */
  deadLetters(file?: string): Promise<DeadLetterEntry[]>;
  metrics(): Promise<Map<string, PromFamily>>;
  close(): Promise<void>;
}

/** A Double metric with a value and a timestamp. */
export const metric = (name: string, value: number, timestamp: number): SpbMetric => ({
  name,
  datatype: DataType.Double,
  value,
  timestamp,
});

export async function startIngestRig(
  name: string,
  ingest: StaticEncode<typeof IngestSettings> = {},
): Promise<IngestRig> {
  const dataDir = await mkdtemp(join(tmpdir(), `pp-${name}-`));
  const db = await freshDatabase(name);
  const { log, lines } = captureLog('info');
  const cloud = await startCloud(
    cloudConfig({
      broker: {
        port: 0,
        users: [
          { username: NODE, password: GW_PASSWORD },
          { username: 'ingest', password: INGEST_PASSWORD },
        ],
      },
      mqtt: { username: 'ingest', password: INGEST_PASSWORD, clientId: `${name}-ingest` },
      influx: { url: influxUrl(), database: db, batchSize: 100, flushInterval: '100ms' },
      spool: { path: dataDir },
      ingest,
      http: { port: 0 },
    }),
    log,
  );
  let gw: MqttClient | undefined;
  try {
    gw = await mqtt.connectAsync(cloud.brokerUrl ?? '', {
      username: NODE,
      password: GW_PASSWORD,
      reconnectPeriod: 0,
    });
    // The host's STATE online follows its SUBSCRIBE on the same connection: once seen, nothing published is missed.
    const online = new Promise<void>((resolve) => {
      gw?.on('message', (_t, p) => {
        if ((JSON.parse(p.toString()) as { online?: boolean }).online === true) resolve();
      });
    });
    await gw.subscribeAsync('spBv1.0/STATE/+', { qos: 1 });
    await online;
  } catch (err) {
    await gw?.endAsync();
    await cloud.stop();
    throw err;
  }
  const client = gw;
  let seq = 0;
  const deadLetters = async (file = 'dead-letter.jsonl') => {
    const text = await readFile(join(dataDir, file), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as DeadLetterEntry);
  };
  const query = (device: string, m: string) =>
    queryInfluxQL(influxUrl(), {
      db,
      q: `SELECT "${m}" FROM telemetry WHERE site = '${SITE}' AND device = '${device}'`,
    }).then((rows) => rows.map((r) => ({ time: Number(r['time']), value: r[m] })));
  return {
    cloud,
    dataDir,
    logLines: lines,
    async publish(type, device, metrics) {
      if (type === 'NBIRTH') seq = 0;
      const metricsWithBdSeq =
        type === 'NBIRTH'
          ? [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n, timestamp: Date.now() }, ...metrics]
          : metrics;
      const payload = encodePayload({ timestamp: Date.now(), seq, metrics: metricsWithBdSeq });
      seq = (seq + 1) & 0xff;
      const topic = `spBv1.0/${SITE}/${type}/${NODE}${device === undefined ? '' : `/${device}`}`;
      await client.publishAsync(topic, Buffer.from(payload), { qos: 1 });
      return payload;
    },
    async publishRaw(topic, payload) {
      await client.publishAsync(topic, Buffer.from(payload), { qos: 1 });
    },
    values: query,
    latest: (device, m) =>
      queryInfluxQL(influxUrl(), {
        db,
        q: `SELECT last("${m}") FROM telemetry WHERE site = '${SITE}' AND device = '${device}'`,
      }).then((rows) => rows[0]?.['last']),
    stored: (device, m, value) =>
      until(`${device}.${m} = ${String(value)} in InfluxDB`, async () => {
        const rows = await query(device, m);
        return rows.some((r) => r.value === value) ? rows : undefined;
      }),
    deadLettered(n, file) {
      return until(`${n} dead letters`, async () => {
        const entries = await deadLetters(file);
        return entries.length >= n ? entries : undefined;
      });
    },
    deadLetters,
    async metrics() {
      const res = await fetch(`${cloud.httpUrl}/metrics`);
      return parsePrometheus(await res.text());
    },
    async close() {
      await client.endAsync().catch(() => undefined);
      await cloud.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The payload a dead letter kept, as published. */
export function deadLetterPayload(e: DeadLetterEntry): { topic: string; payload: Buffer } {
  const d = JSON.parse(e.data) as { topic: string; payloadBase64: string };
  return { topic: d.topic, payload: Buffer.from(d.payloadBase64, 'base64') };
}
