/// <reference lib="dom" />
/**
 * The whole pipeline into the browser: a simulated press (Modbus TCP) ← edge agent → Sparkplug B over the cloud's
 * embedded MQTT broker → ingester, analytics, InfluxDB → API and live stream → the dashboard in Debian chromium.
 * A state change in the simulator must reach the machine's tile on the overview, without a reload, within a
 * bound (the wait's deadline; the measured latency is printed).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningAgent, startAgent } from '../../agent/agent.js';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import { type RunningCloud, startCloud } from '../../cloud/cloud.js';
import { loadCloudConfig } from '../../config/load.js';
import { type ModbusSimulator, startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { agentPoints } from '../../simulators/modbus/profile.js';
import { PRESS_STATES, pressProfile } from '../../simulators/modbus/profiles/press.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { type Chromium, launchChromium, screenshotPath } from './browser-harness.js';

/** how long a state change may take from the simulator's register to the tile on screen */
const STATE_BOUND_MS = 15_000;

let dir: string;
let sim: ModbusSimulator;
let cloud: RunningCloud;
let agent: RunningAgent;
let browser: Chromium;
let page: Page;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-pipeline-'));
  const log = pino({ level: 'warn' }, pino.destination({ dest: join(dir, 'plantpulse.log'), sync: true }));
  const db = await freshDatabase('pipeline');
  const press = pressProfile();
  // frozen: the test decides when the press changes state
  sim = await startModbusSimulator({ profile: press, port: 0, host: '127.0.0.1', animate: false });
  // plain passwords must come from references: one file per secret, as the demo does
  const agentPw = join(dir, 'agent-password');
  const ingestPw = join(dir, 'ingest-password');
  await writeFile(agentPw, `agent-${randomBytes(9).toString('base64url')}\n`, { mode: 0o600 });
  await writeFile(ingestPw, `ingest-${randomBytes(9).toString('base64url')}\n`, { mode: 0o600 });
  await writeFile(
    join(dir, 'cloud.yaml'),
    stringify({
      broker: {
        host: '127.0.0.1',
        port: 0,
        users: [
          { username: 'gw-1', password: `\${file:${agentPw}}` },
          { username: 'ingest', password: `\${file:${ingestPw}}` },
        ],
      },
      mqtt: { username: 'ingest', password: `\${file:${ingestPw}}`, clientId: 'pipeline-ingest' },
      influx: { url: influxUrl(), database: db },
      spool: { path: join(dir, 'cloud-data'), sync: 'normal' },
      api: { host: '127.0.0.1', port: 0, anonymous: 'viewer' },
      analytics: {
        machines: [
          {
            device: 'press-01',
            line: 'stamping',
            state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '2': 'idle', '3': 'down' } },
            total: { metric: 'part_count', bits: 32 },
            idealCycle: '2s',
          },
        ],
        meters: [{ device: 'press-01', carrier: 'electricity', rate: { metric: 'power_kw' } }],
        alarms: [{ device: 'press-01', metric: 'power_kw', severity: 'warning', high: 60 }],
      },
    }),
  );
  cloud = await startCloud(
    (await loadCloudConfig(join(dir, 'cloud.yaml'))).config,
    log.child({ process: 'cloud' }),
  );
  if (!cloud.brokerUrl || !cloud.apiUrl) throw new Error('cloud without broker or API');
  await writeFile(
    join(dir, 'agent.yaml'),
    stringify({
      site: 'cq-plant1',
      node: 'gw-1',
      mqtt: { url: cloud.brokerUrl, username: 'gw-1', password: `\${file:${agentPw}}` },
      outbox: { path: join(dir, 'agent-data'), sync: 'normal' },
      devices: [
        {
          id: 'press-01',
          tags: { line: 'stamping', kind: 'press' },
          modbus: { url: sim.url, unitId: 1, timeout: '1s' },
          poll: [{ every: '500ms', points: agentPoints(press) }],
        },
      ],
    }),
  );
  agent = await startAgent(
    (await loadAgentConfig(join(dir, 'agent.yaml'))).config,
    log.child({ process: 'agent' }),
  );
  browser = await launchChromium({ viewport: { width: 1366, height: 768 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await cloud?.stop();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('simulated plant → dashboard', () => {
  it('shows the press on the overview, running, with its live power', async () => {
    page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? String(e)));
    // the registry learns the press from its DBIRTH: poll the API (with a deadline) until it is known
    await expect
      .poll(
        async () => {
          const res = await fetch(`${cloud.apiUrl}/api/v1/devices`);
          return ((await res.json()) as { device: string }[]).map((d) => d.device);
        },
        { timeout: 60_000, interval: 250 },
      )
      .toContain('press-01');
    await page.goto(`${cloud.apiUrl}/#/overview`);
    await page.waitForSelector('main[data-ready="overview"]', { timeout: 20_000 });
    await page.waitForSelector('#live[data-state="on"]');
    // one machine: the edge node's own status series (device `_node`) is not a tile
    expect(await page.locator('[data-testid="tile"]').count()).toBe(1);
    await page.waitForSelector('[data-device="press-01"][data-state="running"]', { timeout: 30_000 });
    await expect
      .poll(() => page.locator('[data-device="press-01"] [data-testid="tile-power"]').textContent(), {
        timeout: 20_000,
      })
      .toMatch(/4[0-9]\.[0-9]kW/);
    expect(errors).toEqual([]);
  });

  it('a state change in the simulator reaches the overview tile within the bound, without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const t0 = Date.now();
    sim.set('state_code', PRESS_STATES.down);
    sim.set('power_kw', 0.4);
    await page.waitForSelector('[data-device="press-01"][data-state="down"]', { timeout: STATE_BOUND_MS });
    const latency = Date.now() - t0;
    console.info(`simulator state change → dashboard tile: ${latency} ms (bound ${STATE_BOUND_MS} ms)`);
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    expect(await page.locator('[data-device="press-01"] [data-testid="tile-state"]').textContent()).toBe(
      '故障停机',
    );
    await page.screenshot({ path: await screenshotPath('pipeline-overview-down') });

    sim.set('state_code', PRESS_STATES.running);
    await page.waitForSelector('[data-device="press-01"][data-state="running"]', { timeout: STATE_BOUND_MS });
  });

  it('serves the alarm rules as limits for the charts', async () => {
    const res = await fetch(`${cloud.apiUrl}/api/v1/limits`);
    expect(await res.json()).toContainEqual({
      device: 'press-01',
      metric: 'power_kw',
      limit: 60,
      severity: 'warning',
      unit: null,
    });
  });

  it('the machine page shows the press from InfluxDB: latest values and its state timeline', async () => {
    await page.goto(`${cloud.apiUrl}/#/machine/press-01`);
    await page.waitForSelector('main[data-ready="machine"]', { timeout: 20_000 });
    expect(await page.locator('[data-testid="latest"] [data-metric="power_kw"]').count()).toBe(1);
    // the timeline comes from machine_state (analytics); the few seconds of `down` may be booked as a micro-stop,
    // so only the running time is certain
    const totals = await page.locator('[data-testid="state-totals"] .chip').allTextContents();
    expect(totals.some((t) => t.startsWith('运行'))).toBe(true);
    await page.screenshot({ path: await screenshotPath('pipeline-machine'), fullPage: true });
  });
});
