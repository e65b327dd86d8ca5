/// <reference lib="dom" />
/**
 * The dashboard in Debian chromium against fixture data in the real InfluxDB (24 h, six machines) and live events
 * published on the LiveBus: every page shows the data, live state changes reach the overview without a reload,
 * the language switch works and is remembered. Screenshots at 1366×768 and 390×844 go to
 * test-artifacts/screenshots/.
 */

import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../cloud/api/device-registry.js';
import { LiveBus, type LiveEvent, parseEventId } from '../../cloud/api/live-bus.js';
import { createApiServer } from '../../cloud/api/server.js';
import { hashSecret } from '../../config/password-hash.js';
import { apiConfig } from '../helpers/configs.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { type Fixture, MACHINES, SITE, writeFixture } from '../integration/api/plant-fixture.js';
import { type Chromium, launchChromium, screenshotPath } from './browser-harness.js';

const ADMIN = 'browser-admin-token-0001';
const live = new LiveBus();
let fx: Fixture;
let app: ReturnType<typeof createApiServer>;
let base: string;
let desktop: Chromium;

async function open(path: string, opts: { lang?: 'zh-CN' | 'en'; browser?: Chromium } = {}): Promise<Page> {
  const page = await (opts.browser ?? desktop).context.newPage();
  await page.addInitScript(
    ([token, lang]) => {
      localStorage.setItem('plantpulse.token', token);
      // once per tab: a reload keeps what the user chose since
      if (lang && !sessionStorage.getItem('plantpulse.test.lang')) {
        localStorage.setItem('plantpulse.lang', lang);
        sessionStorage.setItem('plantpulse.test.lang', '1');
      }
    },
    [ADMIN, opts.lang ?? ''] as const,
  );
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.stack ?? String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${base}/${path}`);
  const name = path.replace(/^#\//, '').split('/')[0] || 'overview';
  await page.waitForSelector(`main[data-ready="${name}"]`, { timeout: 20_000 }).catch((err) => {
    throw new Error(`${path} did not render: ${errors.join('; ')} ${String(err)}`);
  });
  expect(errors).toEqual([]);
  return page;
}

beforeAll(async () => {
  const db = await freshDatabase('browser');
  fx = await writeFixture(influxUrl(), db);
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [{ name: 'shift-lead', role: 'admin', tokenHash: hashSecret(ADMIN, { N: 1024, r: 8, p: 1 }) }],
    }),
    influx: { url: influxUrl(), database: db },
    live,
    log: pino({ level: 'silent' }),
    site: SITE,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}`;
  desktop = await launchChromium({ viewport: { width: 1366, height: 768 } });
});

afterAll(async () => {
  await desktop?.close();
  await app?.close();
});

describe('dashboard pages show the plant from InfluxDB', () => {
  it('overview: a tile per machine with state, OEE, power and alarms', async () => {
    const page = await open('#/overview', { lang: 'zh-CN' });
    await expect.poll(() => page.locator('[data-testid="tile"]').count()).toBe(MACHINES.length);
    const molder = page.locator('[data-device="molder-02"]');
    expect(await molder.getAttribute('data-state')).toBe('down');
    expect(await molder.locator('[data-testid="tile-state"]').textContent()).toBe('故障停机');
    expect(await molder.locator('[data-testid="tile-alarms"]').textContent()).toContain('1');
    const power = fx.power.get('press-07')?.at(-1)?.[1] ?? 0;
    expect(await page.locator('[data-device="press-07"] [data-testid="tile-power"]').textContent()).toContain(
      power.toFixed(1),
    );
    expect(await page.locator('[data-testid="kpi-alarms"]').textContent()).toBe('2');
    await page.screenshot({ path: await screenshotPath('overview-1366-zh'), fullPage: true });
    await page.close();
  });

  it('machine detail: trend, timeline, OEE with losses, energy', async () => {
    const page = await open('#/machine/press-07', { lang: 'zh-CN' });
    expect(await page.locator('[data-testid="machine-name"]').textContent()).toBe('press-07');
    const shift = fx.oeeRows.filter((o) => o.device === 'press-07' && o.period === 'shift').at(-1);
    expect(await page.locator('[data-testid="count-total"]').textContent()).toBe(
      new Intl.NumberFormat('zh-CN').format(shift?.total_count ?? -1),
    );
    expect(await page.locator('[data-testid="reliability"]').textContent()).toContain('7小时0分');
    await expect.poll(() => page.locator('#timeline canvas').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#losses canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: await screenshotPath('machine-1366-zh'), fullPage: true });
    await page.close();
  });

  it('energy: consumption, demand against peak, cost by tariff', async () => {
    const page = await open('#/energy', { lang: 'zh-CN' });
    // the page asks for the last 24 h: every hourly window but the fixture's first (which began just before)
    const kwh = fx.energyRows
      .filter((e) => e.period === '1h' && e.carrier === 'electricity' && e.time > fx.start)
      .reduce((s, e) => s + e.consumption, 0);
    expect(await page.locator('[data-testid="energy-total"]').textContent()).toContain(
      new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 }).format(kwh),
    );
    expect(await page.locator('[data-testid="carriers"] tbody tr').count()).toBe(MACHINES.length + 1);
    // cost by tariff period, by the names of the `tariff` tag (peak/flat/valley), most expensive first
    const tariffRows = page.locator('[data-testid="tariffs"] tbody tr');
    expect(await tariffRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tariff')))).toEqual([
      'peak',
      'flat',
      'valley',
    ]);
    expect(await tariffRows.locator('td:first-child').allTextContents()).toEqual(['峰', '平', '谷']);
    await page.screenshot({ path: await screenshotPath('energy-1366-zh'), fullPage: true });
    // the 7-day view reads the daily windows
    await page.click('[data-testid="range"] [data-range="7d"]');
    await page.waitForSelector('[data-testid="range"] [data-range="7d"].active');
    await page.waitForSelector('main[data-ready="energy"]');
    const week = fx.energyRows
      .filter((e) => e.period === 'day' && e.carrier === 'electricity')
      .reduce((s, e) => s + e.consumption, 0);
    expect(await page.locator('[data-testid="energy-total"]').textContent()).toContain(
      new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 }).format(week),
    );
    await page.close();
    const en = await open('#/energy', { lang: 'en' });
    expect(await en.locator('[data-testid="tariffs"] tbody td:first-child').allTextContents()).toEqual([
      'Peak',
      'Flat',
      'Valley',
    ]);
    await en.close();
  });

  it('emissions: CO2e by scope, stack pollutants against limits', async () => {
    const page = await open('#/emissions', { lang: 'zh-CN' });
    const total = fx.emissionRows.filter((e) => e.time > fx.start).reduce((s, e) => s + e.co2e_kg, 0) / 1000;
    expect(await page.locator('[data-testid="em-total"]').textContent()).toContain(total.toFixed(2));
    await expect.poll(() => page.locator('[data-testid="stack"] canvas').count()).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: await screenshotPath('emissions-1366-zh'), fullPage: true });
    await page.close();
  });

  it('alarms: active and history, acknowledge as admin', async () => {
    const page = await open('#/alarms', { lang: 'en' });
    const rows = page.locator('[data-testid="active-alarms"] tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute('class')).toContain('sev-critical');
    await page.screenshot({ path: await screenshotPath('alarms-1366-en'), fullPage: true });
    await rows.first().locator('button[data-ack]').click();
    await expect
      .poll(() => rows.first().locator('[data-testid="acked"]').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await rows.first().locator('[data-testid="acked"]').textContent()).toContain('shift-lead');
    await page.close();
  });
});

describe('live updates and language', () => {
  it('a state change published live reaches the overview tile without a reload', async () => {
    const page = await open('#/overview', { lang: 'en' });
    await page.waitForSelector('#live[data-state="on"]');
    const marker = await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
      return true;
    });
    expect(marker).toBe(true);
    live.publish({
      type: 'state',
      site: SITE,
      device: 'molder-02',
      state: 'running',
      previous: 'down',
      timestamp: Date.now(),
    });
    await page.waitForSelector('[data-device="molder-02"][data-state="running"]', { timeout: 5000 });
    expect(await page.locator('[data-device="molder-02"] [data-testid="tile-state"]').textContent()).toBe(
      'Running',
    );
    live.publish({
      type: 'value',
      site: SITE,
      device: 'press-07',
      metric: 'power_kw',
      value: 123.4,
      quality: 'good',
      timestamp: Date.now(),
    });
    await expect
      .poll(() => page.locator('[data-device="press-07"] [data-testid="tile-power"]').textContent())
      .toContain('123.4');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.close();
  });

  it('switches between Chinese and English and remembers the choice', async () => {
    const page = await open('#/overview', { lang: 'zh-CN' });
    expect(await page.locator('#tabs a[data-page="energy"]').textContent()).toBe('能源管控');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.click('#lang');
    await page.waitForSelector('main[data-ready="overview"]');
    expect(await page.locator('#tabs a[data-page="energy"]').textContent()).toBe('Energy');
    await page.screenshot({ path: await screenshotPath('overview-1366-en'), fullPage: true });
    await page.reload();
    await page.waitForSelector('main[data-ready="overview"]');
    expect(await page.locator('#tabs a[data-page="energy"]').textContent()).toBe('Energy');
    expect(await page.evaluate(() => localStorage.getItem('plantpulse.lang'))).toBe('en');
    await page.close();
  });

  it('asks for a token when there is none and accepts a valid one', async () => {
    const page = await desktop.context.newPage();
    await page.goto(`${base}/`);
    await page.evaluate(() => localStorage.removeItem('plantpulse.token'));
    await page.reload();
    await page.waitForSelector('#login[open]');
    await page.fill('#token', 'wrong-token');
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#login-error:not([hidden])');
    await page.fill('#token', ADMIN);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('main[data-ready="overview"]');
    await page.close();
  });

  it('renders every page of a brand-new plant (births, no history yet) without errors', async () => {
    const registry = new DeviceRegistry();
    registry.upsertBirth({
      site: 'new-site',
      node: 'gw',
      device: 'press-01',
      metrics: [{ name: 'power_kw', kind: 'float', unit: 'kW' }],
    });
    const empty = createApiServer({
      config: apiConfig({ port: 0, anonymous: 'viewer' }),
      influx: { url: influxUrl(), database: await freshDatabase('browser_empty') },
      live,
      log: pino({ level: 'silent' }),
      site: 'new-site',
      registry,
    });
    await empty.listen({ port: 0, host: '127.0.0.1' });
    const addr = empty.server.address();
    const emptyBase = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
    try {
      for (const path of ['#/overview', '#/machine/press-01', '#/energy', '#/emissions', '#/alarms']) {
        const page = await desktop.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.stack ?? String(e)));
        await page.goto(`${emptyBase}/${path}`);
        const name = path.replace(/^#\//, '').split('/')[0] ?? '';
        await page.waitForSelector(`main[data-ready="${name}"]`, { timeout: 20_000 });
        expect(errors, path).toEqual([]);
        if (name === 'overview') {
          expect(await page.locator('[data-device="press-01"]').getAttribute('data-state')).toBe('unknown');
        }
        await page.close();
      }
    } finally {
      await empty.close();
    }
  });

  it('is usable on a phone (390×844)', async () => {
    const phone = await launchChromium({ viewport: { width: 390, height: 844 }, mobile: true });
    try {
      for (const path of ['#/overview', '#/machine/molder-02', '#/energy', '#/emissions', '#/alarms']) {
        const page = await open(path, { lang: 'zh-CN', browser: phone });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
        const name = path.replace(/^#\//, '').split('/')[0];
        await page.screenshot({ path: await screenshotPath(`${name}-390-zh`), fullPage: true });
        await page.close();
      }
    } finally {
      await phone.close();
    }
  });
});

/**
 * The gap between a page's snapshot and the live stream (issue: a running machine shown as unknown for hours).
 * Each case holds one snapshot response in the browser after the server computed it, publishes a change, then
 * releases the (now stale) snapshot: the page must still show the change. The event's seq is checked to be after
 * the snapshot's Live-Event-Id, so the change really fell in the gap.
 */
describe('snapshot and live stream join without a gap, on every page', () => {
  async function inTheGap(opts: {
    path: string;
    /** the snapshot request to hold */
    hold: RegExp;
    publish: () => LiveEvent;
    shows: string;
  }): Promise<void> {
    const page = await desktop.context.newPage();
    await page.addInitScript((token) => localStorage.setItem('plantpulse.token', token), ADMIN);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? String(e)));
    let held = 0;
    let fetched!: () => void;
    const wasFetched = new Promise<void>((r) => {
      fetched = r;
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let snapshotId = '';
    await page.route(opts.hold, async (route) => {
      if (held++ > 0) return route.continue();
      const response = await route.fetch();
      snapshotId = response.headers()['live-event-id'] ?? '';
      fetched();
      await released;
      await route.fulfill({ response });
    });
    await page.goto(`${base}/${opts.path}`);
    await wasFetched;
    const event = opts.publish();
    live.publish(event);
    expect(event.seq).toBeGreaterThan(parseEventId(snapshotId)?.seq ?? Number.POSITIVE_INFINITY);
    release();
    const name = opts.path.replace(/^#\//, '').split('/')[0];
    await page.waitForSelector(`main[data-ready="${name}"]`, { timeout: 20_000 });
    await page.waitForSelector(opts.shows, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  }

  it('overview: a state change while the snapshot travels reaches the tile', async () => {
    await inTheGap({
      path: '#/overview',
      hold: /\/api\/v1\/overview/,
      publish: () => ({
        type: 'state',
        site: SITE,
        device: 'lathe-03',
        state: 'setup',
        timestamp: Date.now(),
      }),
      shows: '[data-device="lathe-03"][data-state="setup"]',
    });
  });

  it('overview: a state computed before the page opened, not yet in InfluxDB, is on the tile', async () => {
    live.publish({
      type: 'state',
      site: SITE,
      device: 'boiler-01',
      state: 'planned_stop',
      timestamp: Date.now(),
    });
    const page = await open('#/overview', { lang: 'en' });
    await page.waitForSelector('[data-device="boiler-01"][data-state="planned_stop"]', { timeout: 5000 });
    await page.close();
  });

  it('machine: a state change and a value while the snapshots travel', async () => {
    await inTheGap({
      path: '#/machine/cnc-01',
      hold: /\/api\/v1\/devices\/cnc-01\/states/,
      publish: () => ({ type: 'state', site: SITE, device: 'cnc-01', state: 'down', timestamp: Date.now() }),
      shows: '[data-testid="machine-state"][data-state="down"]',
    });
    await inTheGap({
      path: '#/machine/cnc-01',
      hold: /\/api\/v1\/devices\/cnc-01\/latest/,
      publish: () => ({
        type: 'value',
        site: SITE,
        device: 'cnc-01',
        metric: 'power_kw',
        value: 987.6,
        quality: 'good',
        timestamp: Date.now(),
      }),
      shows: '[data-testid="latest"] [data-metric="power_kw"] .v:has-text("987.6")',
    });
  });

  it('alarms: a raise while the snapshot travels is listed', async () => {
    const raisedAt = Date.now();
    await inTheGap({
      path: '#/alarms',
      // the page's active-alarm snapshot (the header badge asks with status=active)
      hold: /\/api\/v1\/alarms\?site=[^&]*$/,
      publish: () => ({
        type: 'alarm',
        site: SITE,
        device: 'press-07',
        metric: 'oil_temp_c',
        severity: 'critical',
        active: true,
        message: 'oil temperature above limit',
        value: 91,
        limit: 80,
        timestamp: raisedAt,
        raisedAt,
      }),
      shows: `[data-testid="active-alarms"] tr[data-alarm="${SITE}~press-07~oil_temp_c~critical~${raisedAt}"]`,
    });
  });

  it('energy: plant power now follows a value that came while the snapshot travelled', async () => {
    await inTheGap({
      path: '#/energy',
      hold: /\/api\/v1\/overview/,
      publish: () => ({
        type: 'value',
        site: SITE,
        device: 'press-07',
        metric: 'power_kw',
        value: 50_000,
        quality: 'good',
        timestamp: Date.now(),
      }),
      shows: '[data-testid="energy-power-now"]:has-text("50,")',
    });
  });

  it('emissions: a stack reading that came while the snapshot travelled', async () => {
    await inTheGap({
      path: '#/emissions',
      hold: /\/api\/v1\/devices\/stack-01\/latest/,
      publish: () => ({
        type: 'value',
        site: SITE,
        device: 'stack-01',
        metric: 'nox_mg_m3',
        value: 321.5,
        quality: 'good',
        timestamp: Date.now(),
      }),
      shows: '[data-testid="pol-now"][data-metric="nox_mg_m3"]:has-text("321.5")',
    });
  });
});
