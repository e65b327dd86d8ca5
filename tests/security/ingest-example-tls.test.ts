/**
 * `config/examples/cloud.yaml` works as shipped: its ingester reaches the embedded TLS broker and verifies it by the
 * name on the broker's certificate (`mqtt.cq-plant1.example`, which resolves nowhere here), not by the listen
 * address. Only what must differ on a test machine is changed: file paths, ports (0), the listen address (loopback
 * only in tests) and the database.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCloud, startCloud } from '../../cloud/cloud.js';
import { loadCloudConfig } from '../../config/load.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { until } from '../helpers/until.js';
import { makeTestPki, type TestPki } from './api-tls-certs.js';

const EXAMPLE = join(import.meta.dirname, '../../config/examples/cloud.yaml');
const NAME = 'mqtt.cq-plant1.example';

/** `text` with `from` replaced by `to`, where `from` must occur exactly `times` times (the example changed if not). */
function swap(text: string, from: string, to: string, times = 1): string {
  const parts = text.split(from);
  if (parts.length - 1 !== times) throw new Error(`${from} occurs ${parts.length - 1} times in the example`);
  return parts.join(to);
}

describe('config/examples/cloud.yaml', () => {
  let pki: TestPki;
  let dir: string;
  let cloud: RunningCloud | undefined;
  beforeAll(async () => {
    pki = makeTestPki({ serverDns: NAME });
    dir = await mkdtemp(join(tmpdir(), 'pp-example-tls-'));
  });
  afterAll(async () => {
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true });
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  it('connects its ingester to the embedded TLS broker by the certificate’s name', async () => {
    for (const f of ['broker', 'api']) {
      await copyFile(pki.certPath, join(pki.dir, `${f}.crt`));
      await copyFile(pki.keyPath, join(pki.dir, `${f}.key`));
    }
    const db = await freshDatabase('pp_example_tls');
    let yaml = await readFile(EXAMPLE, 'utf8');
    yaml = swap(yaml, '/etc/plantpulse/', `${pki.dir}/`, 8); // 5 in use, 3 commented out
    yaml = swap(yaml, 'host: 0.0.0.0', 'host: 127.0.0.1');
    yaml = swap(yaml, 'port: 8883', 'port: 0');
    yaml = swap(yaml, 'port: 8443', 'port: 0');
    yaml = swap(yaml, '{ port: 9101 }', '{ port: 0 }');
    yaml = swap(yaml, 'url: http://127.0.0.1:8086', `url: ${influxUrl()}`);
    yaml = swap(yaml, 'database: plantpulse', `database: ${db}`);
    yaml = swap(yaml, '/var/lib/plantpulse/spool', join(dir, 'spool'));
    yaml = swap(yaml, '/var/log/plantpulse/audit.jsonl', join(dir, 'audit.jsonl'));
    const file = join(dir, 'cloud.yaml');
    await writeFile(file, yaml);
    const { config } = await loadCloudConfig(file, {
      env: { PLANTPULSE_INGEST_PASSWORD: 'ingest-example-pw', INFLUX_TOKEN: 'unused-by-influxdb-1' },
    });
    cloud = await startCloud(config, pino({ level: 'silent' }));
    expect(cloud.brokerUrl).toMatch(new RegExp(`^mqtts://${NAME.replaceAll('.', '\\.')}:\\d+$`));
    const running = cloud;
    await until('the ingester connected', () => (running.snapshot().consumer.connected ? true : undefined));
    expect(running.snapshot().broker?.clients).toBe(1);
  }, 120_000);
});
