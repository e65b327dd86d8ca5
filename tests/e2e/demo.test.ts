/**
 * `plantpulse demo` as a user runs it (the built CLI, from an unrelated working directory): it installs what it
 * needs, starts InfluxDB, the cloud, the simulated Chongqing plant and the agent, backfills history through MQTT,
 * and prints where everything is. Data for every device must reach InfluxDB, history included; Ctrl-C (SIGINT)
 * must stop everything and leave no child process behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/index.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { type FixedClock, fixedClock } from '../helpers/fixed-clock.js';

/** 10:30 in Chongqing (UTC+8) on Tuesday 3 March 2026: the day shift runs 08:00–20:00, lunch from 11:30 */
const SCENARIO_TIME = '2026-03-03T10:30:00+08:00';

/** pid → parent pid, from /proc. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces and parentheses: the fields after the last ')' are fixed
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(rest[1]));
    } catch {
      // the process went away while we looked
    }
  }
  return out;
}

/** Every descendant of `root` (children, grandchildren …) with its command line. */
function descendants(root: number): Map<number, string> {
  const ppid = parents();
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, parent] of ppid)
      if (frontier.includes(parent) && !found.has(pid)) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        } catch {
          // gone
        }
        found.set(pid, cmd);
        next.push(pid);
      }
    frontier = next;
  }
  return found;
}

function alive(pid: number, cmd: string): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    const now = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return now === cmd && state !== 'Z';
  } catch {
    return false;
  }
}

describe('plantpulse demo', () => {
  let cwd: string;
  let demo: CliProcess;
  let ready: Record<string, unknown>;
  let clock: FixedClock;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'pp-demo-e2e-'));
    // the scenario follows Chongqing shifts: the demo runs at a fixed time, mid day shift on a Tuesday, so the
    // hour of history is a producing hour whenever CI runs this
    clock = await fixedClock(SCENARIO_TIME);
    demo = spawnCli(['demo', '--port', '0', '--hours', '1', '--json', '--dir', join(cwd, 'run')], {
      cwd,
      env: clock.env,
    });
    ready = await demo.waitFor((l) => l['event'] === 'ready', 240_000);
  }, 260_000);

  afterAll(async () => {
    await demo?.stop('SIGKILL');
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('gets data for every device into InfluxDB, history and live', async () => {
    const influxUrl = String(ready['influxUrl']);
    const db = String(ready['database']);
    const devices = ready['devices'] as string[];
    expect(devices).toEqual(
      expect.arrayContaining([
        'press-01',
        'cnc-01',
        'cnc-02',
        'imm-01',
        'lathe-01',
        'compressor-01',
        'meter-main',
        'boiler-01',
        'boiler-01-gas',
        'boiler-01-stack',
        'dtu-incomer',
        'ws-machining',
        'boiler-01-cems',
        'ww-outlet-01',
      ]),
    );
    expect(String(ready['dashboardUrl'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const q = (text: string) => queryInfluxQL(influxUrl, { db, q: text });
    const liveFrom = Number((ready['backfill'] as Record<string, unknown>)['liveFrom']);
    expect(liveFrom).toBeGreaterThan(clock.now() - 300_000);
    expect(liveFrom).toBeLessThanOrEqual(clock.now());
    const live = `time >= ${liveFrom}ms`;
    const history = `time < ${liveFrom}ms`;

    // live: every device has samples read by the agent after the history ends (bounded wait)
    const deadline = Date.now() + 120_000;
    let missing: string[] = devices;
    while (missing.length > 0) {
      const rows = await q(`SELECT count(*) FROM telemetry WHERE ${live} GROUP BY device`).catch(() => []);
      const seen = new Set(rows.map((r) => String(r['device'])));
      missing = devices.filter((d) => !seen.has(d));
      if (missing.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(`no live data in InfluxDB for ${missing.join(', ')}; demo output:\n${demo.stderr()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }

    // history: the backfilled hour, for every device, reaching back the full hour
    const old = await q(
      `SELECT count(*) FROM telemetry WHERE ${history} AND time < ${liveFrom - 3_000_000}ms GROUP BY device`,
    );
    expect(new Set(old.map((r) => String(r['device'])))).toEqual(new Set(devices));

    // one plant, not two: the live counters and meters continue from the history (no reset at the seam)
    for (const [device, field] of [
      ['press-01', 'part_count'],
      ['cnc-01', 'part_count'],
      ['meter-main', 'import_kwh'],
      ['boiler-01-gas', 'gas_total_m3'],
      ['dtu-incomer', 'energy_kwh'],
    ] as const) {
      const [lastOld] = await q(
        `SELECT last(${field}) FROM telemetry WHERE device = '${device}' AND ${history}`,
      );
      const [firstLive] = await q(
        `SELECT first(${field}) FROM telemetry WHERE device = '${device}' AND ${live}`,
      );
      const before = Number(lastOld?.['last']);
      const after = Number(firstLive?.['first']);
      // 09:30–10:30 of a day shift: machines produced and meters ran; the live value continues from the history
      expect(before, `${device}.${field} at the end of the history`).toBeGreaterThan(0);
      expect(after, `${device}.${field} live`).toBeGreaterThanOrEqual(before);
      expect(after, `${device}.${field} live`).toBeLessThan(before * 1.1 + 10);
    }

    // analytics turned the history into OEE windows
    const oeeDeadline = Date.now() + 60_000;
    for (;;) {
      const oee = await q("SELECT count(oee) FROM oee WHERE device = 'press-01'").catch(() => []);
      if (Number(oee[0]?.['count'] ?? 0) > 0) break;
      if (Date.now() > oeeDeadline) throw new Error('no OEE windows for press-01');
      await new Promise((r) => setTimeout(r, 1000));
    }

    // and the DL/T 645 bus into the energy tree: the plant's kWh and tce, the hall's base load unmetered
    const treeDeadline = Date.now() + 60_000;
    for (;;) {
      const bal = await q(
        "SELECT max(unmetered_pct) FROM energy_balance WHERE node = 'plant' AND period = '1h'",
      ).catch(() => []);
      if (Number(bal[0]?.['max'] ?? 0) > 5) break;
      if (Date.now() > treeDeadline) throw new Error('no energy balance for the plant');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const [tce] = await q("SELECT sum(tce) FROM energy_node WHERE node = 'plant' AND period = '1h'");
    expect(Number(tce?.['sum'])).toBeGreaterThan(0);
  }, 200_000);

  it('stops everything on Ctrl-C and leaves no child process', async () => {
    const before = descendants(demo.pid);
    const commands = [...before.values()].join('\n');
    expect(commands).toMatch(/influxd/);
    expect(commands).toMatch(/socat/);
    expect(await demo.stop('SIGINT', 60_000)).toBe(0);
    const left = [...before].filter(([pid, cmd]) => alive(pid, cmd));
    expect(left).toEqual([]);
    expect(descendants(demo.pid).size).toBe(0);
  }, 90_000);
});
