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
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
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
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

export type { Browser };
