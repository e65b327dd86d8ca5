/// <reference lib="dom" />
/**
 * The emitted-mass table of the emissions page (各排放口污染物排放量) in Debian chromium, in both languages, against
 * HJ 212 real-time data stored in the real InfluxDB: two hours of a boiler stack (SO2 50 mg/m³ and NOx 100 mg/m³ at
 * 20,000 m³/h, given in m³/s as the standard's a00000 unit) and a wastewater outlet (COD 40 mg/L at 10 L/s). The
 * page shows one row per outlet and pollutant with the kg the API integrates: SO2 2.00, NOx 4.00, COD 2.88; O2 and
 * the flows themselves are no mass and have no row.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApiServer } from '../../cloud/api/server.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import {
  type Chromium,
  launchChromium,
  openPage,
  screenshotPath,
  startViewerApi,
} from './browser-harness.js';

const VIEWER = 'browser-viewer-token-mass1';
const SITE = 'cq';
const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 6, 1, 0, 0); // 09:00 Beijing
let app: ReturnType<typeof createApiServer>;
let base: string;
let browser: Chromium;

beforeAll(async () => {
  const db = await freshDatabase('browser_emissions_mass');
  const lines: string[] = [];
  for (let t = T0; t < T0 + 2 * H; t += 30_000) {
    lines.push(
      `telemetry,site=${SITE},device=boiler-1-stack a21026_rtd=50,a21002_rtd=100,a00000_rtd=${20_000 / 3600},a19001_rtd=6.5 ${t}`,
    );
    lines.push(`telemetry,site=${SITE},device=ww-outlet w01018_rtd=40,w00000_rtd=10 ${t}`);
  }
  const res = await fetch(`${influxUrl()}/write?db=${db}&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  expect(res.status).toBe(204);
  // the page asks for the last 24 h: they end with the fixture's two hours (a reading is held until the next one,
  // so a later "now" would add the last reading's hold to the totals)
  ({ app, base } = await startViewerApi({
    database: db,
    site: SITE,
    now: T0 + 2 * H,
    tokenName: 'env-officer',
    token: VIEWER,
  }));
  browser = await launchChromium({ viewport: { width: 1366, height: 768 } });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const open = (lang: 'zh-CN' | 'en') => openPage(browser, { base, token: VIEWER, lang, route: 'emissions' });

/** Every row of the mass table: outlet, pollutant cell, kg cell, as the user reads them. */
const massRows = (page: Page) =>
  page
    .locator('[data-testid="em-mass"] tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [
        r.getAttribute('data-device'),
        r.getAttribute('data-code'),
        ...Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim()),
      ]),
    );

const sorted = (rows: (string | null)[][]) =>
  [...rows].sort((a, b) => `${a[0]}|${a[1]}`.localeCompare(`${b[0]}|${b[1]}`));

describe('emissions page: emitted mass by outlet', () => {
  it('zh-CN: one row per outlet and pollutant with its kg, Chinese names, no row for O2 or the flows', async () => {
    const page = await open('zh-CN');
    const table = page.locator('[data-testid="em-mass"]');
    expect(await table.locator('thead th').allTextContents()).toEqual(['排放口', '污染物', 'kg']);
    expect(await page.locator('section:has([data-testid="em-mass"]) h2').textContent()).toContain(
      '各排放口污染物排放量',
    );
    expect(sorted(await massRows(page))).toEqual([
      ['boiler-1-stack', 'a21002', 'boiler-1-stack', '氮氧化物 a21002', '4.00'],
      ['boiler-1-stack', 'a21026', 'boiler-1-stack', '二氧化硫 a21026', '2.00'],
      ['ww-outlet', 'w01018', 'ww-outlet', '化学需氧量 w01018', '2.88'],
    ]);
    await page.screenshot({ path: await screenshotPath('emissions-mass-1366-zh'), fullPage: true });
    await page.close();
  });

  it('en: the same rows with English names', async () => {
    const page = await open('en');
    expect(await page.locator('[data-testid="em-mass"] thead th').allTextContents()).toEqual([
      'Outlet',
      'Pollutant',
      'kg',
    ]);
    expect(sorted(await massRows(page))).toEqual([
      ['boiler-1-stack', 'a21002', 'boiler-1-stack', 'nitrogen oxides (NOx) a21002', '4.00'],
      ['boiler-1-stack', 'a21026', 'boiler-1-stack', 'sulphur dioxide (SO2) a21026', '2.00'],
      ['ww-outlet', 'w01018', 'ww-outlet', 'chemical oxygen demand (COD) w01018', '2.88'],
    ]);
    await page.screenshot({ path: await screenshotPath('emissions-mass-1366-en'), fullPage: true });
    await page.close();
  });
});
