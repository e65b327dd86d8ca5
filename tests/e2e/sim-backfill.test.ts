/**
 * `plantpulse sim backfill` against a real broker (the run's Mosquitto): a Sparkplug session whose births name every
 * scenario device, DDATA flagged is_historical covering the requested hours, a clean NDEATH, and totals on stdout
 * that match what a subscriber received.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload } from '../../protocols/sparkplug/index.js';
import { bundledScenarioPath } from '../../simulators/scenario/load-scenario.js';
import { spawnCli } from '../helpers/cli-process.js';
import { mosquitto, mosquittoUser } from '../helpers/services.js';

describe('plantpulse sim backfill', () => {
  let dir: string;
  let sub: mqtt.MqttClient;
  const node = `bf-${randomBytes(4).toString('hex')}`;
  const got: { type: string; device?: string; historical: boolean[]; times: number[]; metrics: number }[] =
    [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-backfill-'));
    const broker = mosquitto();
    sub = await mqtt.connectAsync(broker.url, { username: broker.username, password: broker.password });
    sub.on('message', (topic, payload) => {
      const [, , type, , device] = topic.split('/');
      const p = decodePayload(payload);
      got.push({
        type: type ?? '',
        ...(device === undefined ? {} : { device }),
        historical: p.metrics.map((m) => m.isHistorical === true),
        times: p.metrics.map((m) => Number(m.timestamp ?? 0)),
        metrics: p.metrics.length,
      });
    });
    await sub.subscribeAsync(`spBv1.0/cq-autoparts/+/${node}/#`, { qos: 1 });
  });

  afterAll(async () => {
    await sub?.endAsync();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes the history as Sparkplug historical data and says how much', async () => {
    const writer = mosquittoUser('writer');
    const pwFile = join(dir, 'pw');
    await writeFile(pwFile, writer.password, { mode: 0o600 });
    const started = Date.now();
    const run = spawnCli([
      'sim',
      'backfill',
      '-s',
      bundledScenarioPath(),
      '--hours',
      '0.5',
      '--mqtt-url',
      mosquitto().url,
      '--username',
      writer.username,
      '--password-file',
      pwFile,
      '--node',
      node,
      '--seed',
      '5',
    ]);
    expect(await run.exited).toBe(0);
    const done = run.lines.find((l) => l['event'] === 'backfilled');
    expect(done, run.stderr()).toBeDefined();
    expect(run.stderr()).toMatch(/100%/);

    // everything was acknowledged before the command ended; give the subscriber its last deliveries
    const deadline = Date.now() + 10_000;
    while (!got.some((g) => g.type === 'NDEATH') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    const births = got.filter((g) => g.type === 'DBIRTH').map((g) => g.device);
    expect(births.sort()).toEqual(
      [
        'boiler-01',
        'boiler-01-gas',
        'boiler-01-stack',
        'cnc-01',
        'cnc-02',
        'compressor-01',
        'imm-01',
        'lathe-01',
        'meter-main',
        'press-01',
        'dtu-incomer',
        'ws-stamping',
        'ws-machining',
        'ws-moulding',
        'press-02',
      ].sort(),
    );
    expect(got.some((g) => g.type === 'NBIRTH')).toBe(true);
    expect(got.some((g) => g.type === 'NDEATH')).toBe(true);
    const data = got.filter((g) => g.type === 'DDATA');
    expect(data.length).toBe(Number(done?.['messages']));
    expect(data.reduce((s, g) => s + g.metrics, 0)).toBe(Number(done?.['samples']));
    expect(data.every((g) => g.historical.every((h) => h))).toBe(true);
    const times = data.flatMap((g) => g.times);
    const from = Number(done?.['from']);
    const to = Number(done?.['to']);
    expect(to - from).toBe(1_800_000);
    expect(to).toBeGreaterThanOrEqual(started - 1000);
    expect(Math.min(...times)).toBe(from);
    expect(Math.max(...times)).toBeLessThan(to);
    // every device has data over the whole half hour
    for (const device of births) {
      const t = data.filter((g) => g.device === device).flatMap((g) => g.times);
      expect(Math.max(...t) - Math.min(...t), device).toBeGreaterThan(1_700_000);
    }
  }, 120_000);
});
