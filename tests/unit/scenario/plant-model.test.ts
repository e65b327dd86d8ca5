import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config/errors.js';
import { bundledScenarioPath, loadScenario } from '../../../simulators/scenario/load-scenario.js';
import { PlantModel } from '../../../simulators/scenario/plant-model.js';
import type { Scenario } from '../../../simulators/scenario/scenario-schema.js';

const HOUR = 3_600_000;
// 2026-03-02 00:00 in Asia/Shanghai (UTC+8) = 2026-03-01T16:00Z
const EPOCH = Date.UTC(2026, 2, 1, 16, 0, 0);
const shanghai = (h: number, m = 0) => EPOCH + h * HOUR + m * 60_000;

let scenario: Scenario;
beforeAll(async () => {
  scenario = (await loadScenario(bundledScenarioPath())).config;
});

function sampleAll(plant: PlantModel, times: number[]) {
  return times.map((t) => Object.fromEntries(plant.devices().map((d) => [d.id, d.valuesAt(t)])));
}

describe('plant model', () => {
  it('is deterministic for a seed, whatever the sampling pattern', () => {
    const a = new PlantModel(scenario, { seed: 7, epoch: EPOCH });
    const b = new PlantModel(scenario, { seed: 7, epoch: EPOCH });
    // b is read densely first (as a live simulator would), a only at the checked times
    for (let t = EPOCH; t < EPOCH + 6 * HOUR; t += 7_000) for (const d of b.devices()) d.valuesAt(t);
    const times = [1, 2, 3.5, 5, 5.99].map((h) => EPOCH + h * HOUR);
    expect(sampleAll(a, times)).toEqual(sampleAll(b, times));
  });

  it('differs for another seed', () => {
    const a = new PlantModel(scenario, { seed: 7, epoch: EPOCH });
    const c = new PlantModel(scenario, { seed: 8, epoch: EPOCH });
    const t = [EPOCH + 20 * HOUR];
    expect(sampleAll(a, t)).not.toEqual(sampleAll(c, t));
  });

  it('follows the shift calendar: planned stop in breaks, running parts in shifts', () => {
    const plant = new PlantModel(scenario, { seed: 1, epoch: EPOCH });
    for (const m of plant.production) {
      expect(m.timeline.stateAt(shanghai(12, 0)), `${m.id} at lunch`).toBe('planned_stop');
      expect(m.timeline.stateAt(shanghai(0, 30)), `${m.id} at the midnight meal`).toBe('planned_stop');
      const segs = m.timeline.segments(EPOCH, EPOCH + 24 * HOUR);
      const hours = (s: string) =>
        segs.filter((x) => x.state === s).reduce((sum, x) => sum + (x.end - x.start), 0) / HOUR;
      // 24 h minus 3 h of breaks is planned; most of it running, with some loss of every kind over a day
      expect(hours('planned_stop')).toBeCloseTo(3, 1);
      expect(hours('running')).toBeGreaterThan(10);
      expect(hours('running')).toBeLessThan(21);
      expect(hours('setup') + hours('down') + hours('idle')).toBeGreaterThan(0.5);
    }
  });

  it('keeps counters and meters monotonic, and power follows state', () => {
    const plant = new PlantModel(scenario, { seed: 3, epoch: EPOCH });
    const press = plant.production.find((m) => m.id === 'press-01');
    expect(press).toBeDefined();
    const names = ['part_count', 'scrap_count', 'energy_kwh', 'import_kwh', 'gas_total_m3'];
    const last = new Map<string, number>();
    let runningKw = 0;
    let stoppedKw = 0;
    for (let t = EPOCH; t < EPOCH + 24 * HOUR; t += 60_000) {
      for (const d of plant.devices()) {
        const v = d.valuesAt(t);
        for (const n of names) {
          const x = v[n];
          if (typeof x !== 'number') continue;
          const key = `${d.id}.${n}`;
          expect(x, key).toBeGreaterThanOrEqual(last.get(key) ?? 0);
          last.set(key, x);
        }
      }
      const state = press?.timeline.stateAt(t);
      const kw = press?.powerKwAt(t) ?? 0;
      if (state === 'running') runningKw = Math.max(runningKw, kw);
      if (state === 'planned_stop') stoppedKw = Math.max(stoppedKw, kw);
    }
    expect(runningKw).toBeGreaterThan(40);
    expect(stoppedKw).toBeLessThan(1);
    const press24 = press?.valuesAt(EPOCH + 24 * HOUR);
    // ~17 h running at a 4.24 s real cycle: over ten thousand parts, about 1.2 % scrap
    expect(Number(press24?.['part_count'])).toBeGreaterThan(10_000);
    const scrapShare = Number(press24?.['scrap_count']) / Number(press24?.['part_count']);
    expect(scrapShare).toBeGreaterThan(0.005);
    expect(scrapShare).toBeLessThan(0.02);
    // the main meter sees at least every machine's energy
    const meter = plant.meters[0]?.valuesAt(EPOCH + 24 * HOUR);
    const machines = plant.production.reduce(
      (s, m) => s + Number(m.valuesAt(EPOCH + 24 * HOUR)['energy_kwh']),
      0,
    );
    expect(Number(meter?.['import_kwh'])).toBeGreaterThan(machines);
  });

  it('--speed shortens process durations but keeps the wall-clock calendar', () => {
    const slow = new PlantModel(scenario, { seed: 5, epoch: EPOCH });
    const fast = new PlantModel(scenario, { seed: 5, epoch: EPOCH, speed: 60 });
    const t = shanghai(9);
    const parts = (p: PlantModel) => Number(p.production[0]?.valuesAt(t)['part_count']);
    expect(parts(fast)).toBeGreaterThan(parts(slow) * 20);
    expect(fast.production[0]?.timeline.stateAt(shanghai(12, 10))).toBe('planned_stop');
    // failures and repairs happen within minutes, not hours
    const segs = fast.production[0]?.timeline.segments(shanghai(8), shanghai(11)) ?? [];
    expect(segs.filter((s) => s.state === 'down').length).toBeGreaterThan(3);
  });
});

describe('scenario loader', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-scenario-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every problem with its line and key path', async () => {
    const text = await readFile(bundledScenarioPath(), 'utf8');
    const broken = text
      .replace('id: cnc-02', 'id: cnc-01')
      .replace('cycle: 4s', 'cycle: fast')
      .replace('timezone: Asia/Shanghai', 'timezone: Mars/Olympus');
    const file = join(dir, 'broken.yaml');
    await writeFile(file, broken);
    const err = await loadScenario(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/broken\.yaml:\d+:\d+ devices\[0\]\.behaviour\.cycle/);
    // the schema error stops the semantic checks (they need a valid tree): fix it and see them
    await writeFile(file, broken.replace('cycle: fast', 'cycle: 4s'));
    const err2 = (await loadScenario(file).catch((e: unknown) => e)) as Error;
    expect(err2.message).toMatch(/devices\[2\]\.id: duplicate device id/);
    expect(err2.message).toMatch(/timezone: unknown time zone Mars\/Olympus/);
  });
});
