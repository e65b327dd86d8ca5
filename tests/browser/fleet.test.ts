/// <reference lib="dom" />
/**
 * The fleet page in Debian chromium against a running ingester (embedded broker, Sparkplug host, API): three
 * gateways over real MQTT — one current with an empty outbox, one on an old version delivering late data with its
 * outbox backing up, one gone (its will, NDEATH) — are listed with their flags and outbox depth in Chinese and in
 * English, the flagged ones first.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningCloud, startCloud } from '../../cloud/cloud.js';
import { loadCloudConfig } from '../../config/load.js';
import { packageVersion } from '../../protocols/package-version.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { type HandMadeGateway, startHandMadeGateway } from '../helpers/sparkplug-gateway.js';
import { until } from '../helpers/until.js';
import { type Chromium, launchChromium, screenshotPath } from './browser-harness.js';

let dir: string;
let cloud: RunningCloud;
let browser: Chromium;
const gateways: HandMadeGateway[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-fleet-page-'));
  const log = pino({ level: 'warn' }, pino.destination({ dest: join(dir, 'plantpulse.log'), sync: true }));
  const pw = join(dir, 'password');
  const secret = `gw-${randomBytes(9).toString('base64url')}`;
  await writeFile(pw, `${secret}\n`, { mode: 0o600 });
  const names = ['gw-new', 'gw-old', 'gw-gone'];
  await writeFile(
    join(dir, 'cloud.yaml'),
    stringify({
      broker: {
        host: '127.0.0.1',
        port: 0,
        users: [...names, 'ingest'].map((username) => ({ username, password: `\${file:${pw}}` })),
      },
      mqtt: { username: 'ingest', password: `\${file:${pw}}`, clientId: 'fleet-page-ingest' },
      influx: { url: influxUrl(), database: await freshDatabase('fleet_page') },
      spool: { path: join(dir, 'cloud-data'), sync: 'normal' },
      api: { host: '127.0.0.1', port: 0, anonymous: 'viewer' },
    }),
  );
  cloud = await startCloud((await loadCloudConfig(join(dir, 'cloud.yaml'))).config, log);
  const url = cloud.brokerUrl as string;
  const gw = (node: string, version: string, outbox: [number, number, number]) =>
    startHandMadeGateway({
      url,
      username: node,
      password: secret,
      site: 'cq-plant1',
      node,
      device: `${node}-meter`,
      metric: 'kwh',
      properties: { Version: version, Started: new Date(Date.now() - 3 * 3_600_000).toISOString() },
      nodeMetrics: { outbox_messages: outbox[0], outbox_bytes: outbox[1], outbox_oldest_age_ms: outbox[2] },
    });
  const fresh = await gw('gw-new', packageVersion(), [0, 0, 0]);
  // 1,200 batches, 2.5 MiB, the oldest stored 25 minutes ago: backing up
  const old = await gw('gw-old', '0.0.9', [1200, 2.5 * 1024 * 1024, 25 * 60_000]);
  const gone = await gw('gw-gone', packageVersion(), [0, 0, 0]);
  gateways.push(fresh, old);
  await fresh.data(1, Date.now());
  await old.data(2, Date.now() - 15 * 60_000);
  await gone.close();
  browser = await launchChromium({ viewport: { width: 1366, height: 768 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const g of gateways) await g.close().catch(() => undefined);
  await cloud?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fleet page', () => {
  it('lists the gateways with their flags, flagged first, in Chinese and English', async () => {
    // the ingester learns them from their births and deaths: poll the API (with a deadline) until all are known
    await until('three gateways, one offline', async () => {
      const res = await fetch(`${cloud.apiUrl}/api/v1/fleet`);
      const body = (await res.json()) as {
        gateways: { node: string; flags: string[]; lagMs: number | null }[];
      };
      const gone = body.gateways.find((g) => g.node === 'gw-gone');
      const lagging = body.gateways.find((g) => g.node === 'gw-old')?.lagMs;
      return body.gateways.length === 3 && gone?.flags.includes('offline') && lagging ? true : undefined;
    });
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? String(e)));
    await page.goto(`${cloud.apiUrl}/#/fleet`);
    await page.waitForSelector('main[data-ready="fleet"]', { timeout: 20_000 });
    const rows = page.locator('[data-testid="fleet"] tbody tr');
    expect(
      await rows.evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-gateway'), tr.getAttribute('data-flags')]),
      ),
    ).toEqual([
      ['gw-old', 'lagging old-version backlog'],
      ['gw-gone', 'offline'],
      ['gw-new', ''],
    ]);
    expect(await page.locator('[data-gateway="gw-old"] [data-flag]').allTextContents()).toEqual([
      '延迟',
      '版本过旧',
      '缓存积压',
    ]);
    // the outbox column: batches waiting, their size and how long the oldest has waited; 0 for a gateway keeping up
    const oldOutbox = page.locator('[data-gateway="gw-old"] [data-outbox]');
    expect(await oldOutbox.getAttribute('data-outbox')).toBe('1200');
    expect(await oldOutbox.textContent()).toMatch(/1,200\s*2\.5 MiB · 最早 25分钟/);
    expect(await page.locator('[data-gateway="gw-new"] [data-outbox]').textContent()).toBe('0');
    expect(await page.locator('[data-gateway="gw-gone"] [data-flag]').allTextContents()).toEqual(['离线']);
    expect(await page.locator('[data-gateway="gw-new"]').textContent()).toContain('3小时');
    // its own outbox metrics (telemetry of a device named after the node) do not make the node one of its devices
    expect(await page.locator('[data-gateway="gw-new"]').textContent()).toContain('1/1');
    expect(await page.locator('[data-testid="fleet-summary"]').textContent()).toContain('2 个需要处理');
    await page.screenshot({ path: await screenshotPath('fleet-1366-zh') });
    await page.click('#lang');
    await page.waitForSelector('main[data-ready="fleet"] [data-flag="old-version"]');
    await expect
      .poll(() => page.locator('[data-gateway="gw-old"] [data-flag]').allTextContents())
      .toEqual(['Lagging', 'Old version', 'Backing up']);
    expect(await page.locator('[data-gateway="gw-old"] [data-outbox]').textContent()).toMatch(
      /1,200\s*2\.5 MiB · oldest 25 min/,
    );
    expect(await page.locator('thead').textContent()).toContain('Outbox');
    await page.screenshot({ path: await screenshotPath('fleet-1366-en') });
    expect(errors).toEqual([]);
  });
});
