/// <reference lib="dom" />
/**
 * The energy tree page (能源平衡) in Debian chromium, in both languages, against a metering tree the analytics engine
 * computed into the real InfluxDB: the tree with each node's kWh and tce, the unmetered share at the incomer, tce per
 * good part, GB 17167 coverage with the level that falls short and where its required rate comes from, and, with no
 * electricity equal value (等价值) set, no equal-value tce but what to set.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApiServer } from '../../cloud/api/server.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { TREE_SITE, TREE_TO, writeEnergyTreeFixture } from '../integration/api/energy-tree-fixture.js';
import {
  type Chromium,
  launchChromium,
  openPage,
  screenshotPath,
  startViewerApi,
} from './browser-harness.js';

const VIEWER = 'browser-viewer-token-0001';
let app: ReturnType<typeof createApiServer>;
let base: string;
let browser: Chromium;

const open = (lang: 'zh-CN' | 'en') => openPage(browser, { base, token: VIEWER, lang, route: 'energy-tree' });

beforeAll(async () => {
  const db = await freshDatabase('browser_energy_tree');
  await writeEnergyTreeFixture(influxUrl(), db);
  ({ app, base } = await startViewerApi({
    database: db,
    site: TREE_SITE,
    now: TREE_TO + 60_000,
    tokenName: 'energy-manager',
    token: VIEWER,
  }));
  browser = await launchChromium({ viewport: { width: 1366, height: 768 } });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const text = async (page: Page, sel: string) =>
  ((await page.locator(sel).first().textContent()) ?? '').trim();

describe('energy tree page', () => {
  it('zh-CN: the tree with kWh and tce, 20 % unmetered at the incomer, coverage below GB 17167 for equipment', async () => {
    const page = await open('zh-CN');
    expect(await page.locator('#tabs a[data-page="energy-tree"]').textContent()).toBe('能源平衡');
    expect(await text(page, '[data-testid="tree-kwh"]')).toContain('400');
    expect(await text(page, '[data-testid="tree-tce"]')).toContain('0.049');
    // the plant has not set the electricity equal value: no figure, and what to set
    expect(await text(page, '[data-testid="tree-tce-equal"]')).toBe('–');
    const missing = await text(page, '[data-testid="tree-equal-missing"]');
    expect(missing).toContain('请设置电力等价值');
    expect(missing).toContain('上年电厂发电标准煤耗');
    expect(await text(page, '[data-testid="tree-unmetered"]')).toContain('20.0');
    const rows = page.locator('[data-testid="energy-tree"] tbody tr');
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-node')))).toEqual([
      'plant',
      'compressor',
      'machining',
      'stamping',
      'press-1',
    ]);
    const plant = page.locator('tr[data-node="plant"]');
    expect(await plant.locator('td').first().textContent()).toContain('重庆工厂');
    expect(await plant.locator('[data-testid="unmetered"]').textContent()).toContain('20.0%');
    expect(await page.locator('tr[data-node="stamping"] td').nth(1).textContent()).toBe('车间');
    const equipment = page.locator(
      '[data-testid="coverage"] tr[data-level="equipment"][data-carrier="electricity"]',
    );
    expect(await equipment.locator('td').first().textContent()).toBe('主要用能设备');
    expect(await equipment.locator('[data-testid="cov-rate"]').textContent()).toBe('50.0%');
    expect(await equipment.locator('[data-testid="cov-status"]').textContent()).toBe('低于要求');
    expect(await equipment.locator('[data-testid="cov-source"]').textContent()).toBe(
      'GB 17167-2006 表1（默认）',
    );
    expect(await equipment.locator('[data-testid="cov-source"]').getAttribute('title')).toContain(
      'secondary transcription',
    );
    const org = page.locator('[data-testid="coverage"] tr[data-level="organisation"]');
    expect(await org.locator('[data-testid="cov-status"]').textContent()).toBe('符合要求');
    await page.screenshot({ path: await screenshotPath('energy-tree-1366-zh'), fullPage: true });
    await page.close();
  });

  it('en: the same figures in English', async () => {
    const page = await open('en');
    expect(await page.locator('#tabs a[data-page="energy-tree"]').textContent()).toBe('Energy tree');
    expect(await page.locator('tr[data-node="press-1"] td').nth(1).textContent()).toBe('Equipment');
    expect(await text(page, '[data-testid="tree-per-part"]')).toMatch(/^\d/);
    expect(await text(page, '[data-testid="tree-equal-missing"]')).toContain(
      'set the electricity equal value (等价值; GB/T 2589-2020: the previous year’s 发电标准煤耗)',
    );
    const equipment = page.locator('[data-testid="coverage"] tr[data-level="equipment"]');
    expect(await equipment.locator('[data-testid="cov-status"]').textContent()).toBe(
      'Below the required rate',
    );
    expect(await equipment.first().locator('[data-testid="cov-source"]').textContent()).toBe(
      'GB 17167-2006 Table 1 (default)',
    );
    await page.screenshot({ path: await screenshotPath('energy-tree-1366-en'), fullPage: true });
    await page.close();
  });
});
