/**
 * The ingester's configuration reload (SIGHUP): a changed `analytics` section is applied live (a new engine rebuilt
 * from InfluxDB); a changed section that only a restart applies (`api`) is refused as a whole, naming it; a file
 * with problems is refused; through all of it the ingester keeps running and serving.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';

const env = { INGEST_MQTT_PASSWORD: 'ingest-secret-reload' };

describe('cloud configuration reload', () => {
  let dir: string;
  let cloud: CliProcess;
  let db: string;
  const yaml = (idealCycle: string, apiPort = 0) =>
    [
      'broker:',
      '  port: 0',
      '  users:',
      '    - { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}" }',
      'mqtt: { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}", clientId: reload-ingest }',
      `influx: { url: "${influxUrl()}", database: ${db} }`,
      `spool: { path: ${join(dir, 'cloud-data')} }`,
      `api: { host: 127.0.0.1, port: ${apiPort}, anonymous: viewer }`,
      'analytics:',
      '  machines:',
      '    - device: press-07',
      '      state: { metric: state_code, kind: code, map: { "1": running, "2": idle, "3": down } }',
      '      total: { metric: part_count, bits: 32 }',
      `      idealCycle: ${idealCycle}`,
    ].join('\n');
  const hup = async (start: string) => {
    const before = cloud.lines.length;
    cloud.child.kill('SIGHUP');
    return cloud.waitFor(
      (l) => cloud.lines.indexOf(l) >= before && String(l['msg']).startsWith(start),
      60_000,
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-cloud-reload-'));
    db = await freshDatabase('cloud_reload');
    await writeFile(join(dir, 'cloud.yaml'), yaml('2s'));
    cloud = spawnCli(['cloud', '-c', join(dir, 'cloud.yaml')], { env });
    await cloud.waitFor((l) => l['msg'] === 'plantpulse cloud running', 120_000);
  }, 150_000);

  afterAll(async () => {
    await cloud?.stop('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies analytics, refuses restart-only sections and bad files, and keeps running', async () => {
    await writeFile(join(dir, 'cloud.yaml'), yaml('3s'));
    const applied = await hup('configuration reloaded');
    expect(applied['changed']).toEqual(['analytics']);

    await writeFile(join(dir, 'cloud.yaml'), yaml('3s', 1));
    const refused = await hup('configuration reload refused');
    expect(refused['needRestart']).toEqual(['api']);

    await writeFile(join(dir, 'cloud.yaml'), `${yaml('3s')}\nnoSuchSection: 1`);
    const bad = await hup('configuration reload refused');
    expect(String(bad['problems'])).toMatch(/noSuchSection/);

    // still running, the same API as before: the refused port change did not apply
    const api = String((await cloud.waitFor((l) => l['msg'] === 'API and dashboard listening'))['url']);
    const res = await fetch(`${api}/`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect(cloud.child.exitCode).toBeNull();
  }, 200_000);
});
