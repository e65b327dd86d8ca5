/**
 * The ingester's MQTT session over mutual TLS (README "Security / Ingester"): against a real Mosquitto whose TLS
 * listener has `require_certificate true`, the ingester presents `mqtt.cert`/`mqtt.key` and stores what a gateway
 * publishes; an ingester without a certificate never gets a session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCloud, startCloud } from '../../cloud/cloud.js';
import { queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import { DataType, encodePayload } from '../../protocols/sparkplug/index.js';
import { type MosquittoService, startMosquitto } from '../../scripts/services/mosquitto.js';
import { cloudConfig } from '../helpers/configs.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { until } from '../helpers/until.js';
import { makeTestPki, type TestPki } from './api-tls-certs.js';

const SITE = 'certsite';
const NODE = 'certgw';

describe('ingester with a client certificate', () => {
  let pki: TestPki;
  let broker: MosquittoService;
  let dir: string;
  const clouds: RunningCloud[] = [];
  beforeAll(async () => {
    pki = makeTestPki();
    broker = await startMosquitto({
      extraUsers: [{ username: 'gw' }],
      tls: { ca: pki.caPath, cert: pki.certPath, key: pki.keyPath, requireCertificate: true },
    });
    dir = await mkdtemp(join(tmpdir(), 'pp-ingest-cert-'));
  }, 60_000);
  afterAll(async () => {
    for (const c of clouds) await c.stop().catch(() => undefined);
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  const ingester = async (name: string, db: string, cert: boolean) => {
    const cloud = await startCloud(
      cloudConfig({
        mqtt: {
          url: broker.tlsUrl ?? '',
          username: broker.username,
          password: broker.password,
          clientId: `cert-test-${name}`,
          ca: pki.caPath,
          ...(cert ? { cert: pki.client.certPath, key: pki.client.keyPath } : {}),
        },
        influx: { url: influxUrl(), database: db, batchSize: 100, flushInterval: '100ms' },
        spool: { path: join(dir, name) },
      }),
      pino({ level: 'silent' }),
    );
    clouds.push(cloud);
    return cloud;
  };
  const mqttHealth = (cloud: RunningCloud) => cloud.snapshot().components.find((c) => c.component === 'mqtt');

  it('connects with its certificate and stores what the gateway publishes', async () => {
    const db = await freshDatabase('pp_ingest_cert');
    const cloud = await ingester('with-cert', db, true);
    await until('the ingester connected over mutual TLS', () =>
      cloud.snapshot().consumer.connected ? true : undefined,
    );
    // the gateway waits for the host's STATE online: its subscription is in place by then
    const gw = await mqtt.connectAsync(broker.url, { ...userOf(broker, 'gw'), reconnectPeriod: 0 });
    try {
      const online = new Promise<void>((resolve) => gw.on('message', () => resolve()));
      await gw.subscribeAsync('spBv1.0/STATE/plantpulse-cloud', { qos: 1 });
      await online;
      const now = Date.now();
      const bd = { name: 'bdSeq', datatype: DataType.Int64, value: 0n, timestamp: now };
      const temp = (value: number) => ({ name: 'temp', datatype: DataType.Double, value, timestamp: now });
      const send = (type: string, seq: number, metrics: object[], device = '') =>
        gw.publishAsync(
          `spBv1.0/${SITE}/${type}/${NODE}${device}`,
          Buffer.from(encodePayload({ timestamp: now, seq, metrics: metrics as never })),
          { qos: 1 },
        );
      await send('NBIRTH', 0, [bd]);
      await send('DBIRTH', 1, [temp(20)], '/oven-1');
      const rows = await until('the value in InfluxDB', async () => {
        const r = await queryInfluxQL(influxUrl(), {
          db,
          q: `SELECT temp FROM telemetry WHERE site = '${SITE}'`,
        });
        return r.length > 0 ? r : undefined;
      });
      expect(rows.map((r) => r['temp'])).toEqual([20]);
    } finally {
      await gw.endAsync();
    }
    expect(mqttHealth(cloud)?.status).toBe('ok');
  }, 120_000);

  it('gets no session without a certificate', async () => {
    const db = await freshDatabase('pp_ingest_nocert');
    const cloud = await ingester('without-cert', db, false);
    // the broker ends the handshake: the consumer reports why and stays down
    const health = await until('the refused handshake', () => {
      const h = mqttHealth(cloud);
      return h && h.detail !== 'not connected: connecting' ? h : undefined;
    });
    expect(health.status).toBe('down');
    // TLS 1.3: the broker's alert 116 (certificate required) after the handshake, or the reset that ends it
    expect(health.detail).toMatch(/certificate required|ECONNRESET/);
    expect(cloud.snapshot().consumer.connects).toBe(0);
  }, 120_000);
});

function userOf(b: MosquittoService, name: string): { username: string; password: string } {
  const u = b.users.find((x) => x.username === name);
  if (!u) throw new Error(`no user ${name}`);
  return u;
}
