/**
 * Headless Debian chromium through playwright-core, launched the way the project's tests must (root, no sandbox, no
 * GPU, no background networking, fresh profile), plus screenshot saving to test-artifacts/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DeviceRegistry } from '../../cloud/api/device-registry.js';
import { LiveBus } from '../../cloud/api/live-bus.js';
import { createApiServer } from '../../cloud/api/server.js';
import { hashSecret } from '../../config/password-hash.js';
import { ensureDebianPackages } from '../../scripts/services/debian-packages.js';
import { apiConfig } from '../helpers/configs.js';
import { influxUrl } from '../helpers/services.js';

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-artifacts/screenshots');

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian chromium, and a CJK font so zh-CN labels render (and screenshots show them) instead of empty boxes. */
export const BROWSER_PACKAGES = ['chromium', 'fonts-wqy-microhei'];

export async function launchChromium(opts: {
  viewport: { width: number; height: number };
  mobile?: boolean;
}): Promise<Chromium> {
  await ensureDebianPackages(BROWSER_PACKAGES);
  const profile = await mkdtemp(join(tmpdir(), 'pp-chromium-'));
  const faked = fakedClock();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    // chromium does not run under libfaketime (its pages never load): it gets a clean environment, and its pages
    // the test process's clock (below)
    ...(faked ? { env: faked.env } : {}),
    headless: true,
    viewport: opts.viewport,
    deviceScaleFactor: 1,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  if (faked) await shiftPageClocks(context);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Under `npm run test:repeat -- --faketime` (libfaketime preloaded): the environment without it. */
function fakedClock(): { env: Record<string, string> } | undefined {
  const preload = process.env['LD_PRELOAD'] ?? '';
  if (!preload.includes('faketime')) return undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')) env[k] = v;
  }
  return { env };
}

/**
 * Gives every page the test process's (faked) wall clock: `Date` shifted by the offset between the two clocks.
 * (Playwright's own clock API left the pages on the real time when the driver's clock was faked.)
 */
async function shiftPageClocks(context: BrowserContext): Promise<void> {
  const probe = await context.newPage();
  const offset = Date.now() - (await probe.evaluate(() => Date.now()));
  await probe.close();
  await context.addInitScript((off: number) => {
    const Real = Date;
    const Shifted = function (this: unknown, ...args: unknown[]) {
      if (!new.target) return new Real(Real.now() + off).toString();
      return args.length === 0
        ? new Real(Real.now() + off)
        : new (Real as unknown as new (...a: unknown[]) => Date)(...args);
    } as unknown as DateConstructor;
    Object.defineProperty(Shifted, 'prototype', { value: Real.prototype });
    Shifted.now = () => Real.now() + off;
    Shifted.parse = Real.parse;
    Shifted.UTC = Real.UTC;
    (globalThis as { Date: DateConstructor }).Date = Shifted;
  }, offset);
}

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

export type { Browser };

/**
 * The API and dashboard on a free loopback port, reading `database`, with one viewer token (the way a plant engineer
 * opens a page), at a fixed `now`: for a page test over a fixture in the real InfluxDB.
 */
export async function startViewerApi(o: {
  database: string;
  site: string;
  now: number;
  tokenName: string;
  token: string;
}): Promise<{ app: ReturnType<typeof createApiServer>; base: string }> {
  const app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [
        { name: o.tokenName, role: 'viewer', tokenHash: hashSecret(o.token, { N: 1024, r: 8, p: 1 }) },
      ],
    }),
    influx: { url: influxUrl(), database: o.database },
    live: new LiveBus(),
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    site: o.site,
    clock: () => o.now,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return { app, base: `http://127.0.0.1:${addr.port}` };
}

/**
 * A new page signed in with `token` in language `lang`, opened at `#/<route>` and waited for until it says it is
 * ready (`main[data-ready="<route>"]`); a page error fails the test.
 */
export async function openPage(
  browser: Chromium,
  o: { base: string; token: string; lang: 'zh-CN' | 'en'; route: string },
): Promise<Page> {
  const page = await browser.context.newPage();
  await page.addInitScript(
    ([token, l]) => {
      localStorage.setItem('plantpulse.token', token);
      localStorage.setItem('plantpulse.lang', l);
    },
    [o.token, o.lang] as const,
  );
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.stack ?? String(e)));
  await page.goto(`${o.base}/#/${o.route}`);
  await page.waitForSelector(`main[data-ready="${o.route}"]`, { timeout: 20_000 }).catch((err) => {
    throw new Error(`the ${o.route} page did not render: ${errors.join('; ')} ${String(err)}`);
  });
  expect(errors).toEqual([]);
  return page;
}
