/**
 * Headless Debian chromium through playwright-core, launched the way the project's tests must (root, no sandbox, no
 * GPU, no background networking, fresh profile), plus screenshot saving to test-artifacts/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { ensureDebianPackages } from '../../scripts/services/debian-packages.js';

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
