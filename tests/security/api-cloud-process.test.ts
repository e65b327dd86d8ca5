/**
 * The real `plantpulse cloud` process (built CLI): the encoded-path bypass is closed there too, and its audit log
 * records the configuration it started with (SHA-256 of the file), the refusal and the login — in a 0600 file.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../config/password-hash.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { until } from '../helpers/until.js';
import { bearer, FAST, raw, VIEWER } from './api-harness.js';

let dir: string;
let cloud: CliProcess;
let base: string;
let configFile: string;
const auditPath = () => join(dir, 'audit', 'audit.jsonl');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-cloud-sec-'));
  const db = await freshDatabase('cloudsec');
  configFile = join(dir, 'cloud.yaml');
  await writeFile(
    configFile,
    [
      'broker:',
      '  port: 0',
      '  users:',
      '    - { username: ingest, password: "${env:PP_TEST_INGEST_PW}" }',
      'mqtt: { username: ingest, password: "${env:PP_TEST_INGEST_PW}", hostId: sec-test }',
      `influx: { url: ${influxUrl()}, database: ${db} }`,
      `spool: { path: ${join(dir, 'data')} }`,
      'api:',
      '  port: 0',
      '  tokens:',
      `    - { name: control-room, role: viewer, id: wall01, tokenHash: "${hashSecret(VIEWER, FAST)}" }`,
      `audit: { path: ${auditPath()} }`,
      'log: { level: info }',
      '',
    ].join('\n'),
  );
  cloud = spawnCli(['cloud', '-c', configFile], { env: { PP_TEST_INGEST_PW: 'ingest-test-pw-1' } });
  const line = await cloud.waitFor((l) => l['msg'] === 'API and dashboard listening', 60_000);
  base = String(line['url']);
});

afterAll(async () => {
  await cloud?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('plantpulse cloud', () => {
  it('refuses the encoded path without a token and serves it with one', async () => {
    for (const path of [
      '/%61pi/v1/devices',
      '/%61pi/v1/live',
      '/api//v1/devices',
      '/API/v1/devices',
      '/docs/json',
    ]) {
      expect((await raw(base, path)).status, path).toBe(401);
    }
    expect((await raw(base, '/%61pi/v1/me', { headers: bearer(VIEWER) })).body).toBe(
      JSON.stringify({ name: 'control-room', role: 'viewer' }),
    );
  });

  it('audits the configuration loaded, the refusal and the login, in a private file', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(configFile))
      .digest('hex');
    const events = await until('the audit events', async () => {
      const text = await readFile(auditPath(), 'utf8').catch(() => '');
      const all = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const types = new Set(all.map((e) => e['type']));
      return types.has('config.loaded') && types.has('api.refused') && types.has('api.login')
        ? all
        : undefined;
    });
    expect(events.find((e) => e['type'] === 'config.loaded')).toMatchObject({ file: configFile, sha256 });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'api.refused', route: '/api/v1/devices', reason: 'missing' }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'api.login', tokenName: 'control-room' }));
    expect((await stat(auditPath())).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'audit'))).mode & 0o777).toBe(0o700);
    expect(await readFile(auditPath(), 'utf8')).not.toContain(VIEWER);
  });
});
