/**
 * The bundled scenario's DL/T 645 meter bus and energy tree: the incomer measures every machine plus the hall's base
 * load, and the cloud analytics generated for the scenario turn it into a plant balance whose unmetered share is that
 * base load, with tce and coverage.
 */
import { describe, expect, it } from 'vitest';
import { createAnalytics, type HostSample } from '../../../cloud/analytics/index.js';
import { scenarioAnalytics } from '../../../simulators/scenario/analytics-config.js';
import { bundledScenarioPath, loadScenario } from '../../../simulators/scenario/load-scenario.js';
import { PlantModel } from '../../../simulators/scenario/plant-model.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, drive, everyStep, silentLog } from '../analytics/support.js';

const FROM = cst('2026-11-25T08:00:00'); // in the day shift: the hall's base load is 30 kW
const TO = cst('2026-11-25T10:00:00');

describe('the scenario meter bus and energy tree', () => {
  it('an incomer that reads every feeder plus the base load, balanced in the cloud with the base load unmetered', async () => {
    const scenario = (await loadScenario(bundledScenarioPath())).config;
    const plant = new PlantModel(scenario, { seed: 7, epoch: FROM - 3_600_000 });
    const bus = plant.buses.get('meter-bus') ?? [];
    expect(bus.map((m) => m.id)).toEqual(['dtu-incomer', 'ws-stamping', 'ws-machining', 'ws-moulding']);
    const incomer = bus[0];
    const loads = ['press-01', 'cnc-01', 'cnc-02', 'imm-01', 'lathe-01', 'compressor-01'];
    const t = FROM + 600_000;
    const sum = plant
      .devices()
      .filter((d) => loads.includes(d.id))
      .reduce((s, d) => s + (d.powerKwAt?.(t) ?? 0), 0);
    expect(incomer?.totalKw(t)).toBeCloseTo(sum + 30, 6);

    const clock = { now: FROM };
    const engine = createAnalytics(analyticsConfig(scenarioAnalytics(scenario)), {
      log: silentLog,
      query: async () => [],
      clock: () => clock.now,
    });
    await engine.rebuild(FROM);
    const make = (at: number): HostSample[] =>
      plant.devices().flatMap((d) =>
        Object.entries(d.valuesAt(at)).map(([metric, value]) => ({
          site: scenario.site,
          node: 'gw',
          device: d.id,
          metric,
          value,
          timestamp: at,
          quality: 'good' as const,
        })),
      );
    const { store } = drive(engine, clock, everyStep(FROM, TO + 10_000, 10_000, make), {
      tickMs: 60_000,
      until: TO + 60_000,
    });
    const hour = cst('2026-11-25T09:00:00');
    const bal = store.one('energy_balance', { node: 'plant', carrier: 'electricity', period: '1h' }, hour);
    // 30 kW of lighting and HVAC for an hour, and a few kWh of metering difference (the incomer integrates the
    // compressor's load/unload cycles, the compressor's own register its mean load)
    expect(Number(bal.fields['unmetered'])).toBeGreaterThan(28);
    expect(Number(bal.fields['unmetered'])).toBeLessThan(38);
    expect(Number(bal.fields['unmetered_pct'])).toBeGreaterThan(5);
    const node = store.one('energy_node', { node: 'plant', period: '1h' }, hour);
    const incomerKwh = (incomer?.energyKwhAt(hour + 3_600_000) ?? 0) - (incomer?.energyKwhAt(hour) ?? 0);
    expect(node.fields['kwh']).toBeCloseTo(incomerKwh, 1);
    // the boiler's gas counts into the plant's standard coal (1.2143 kgce/m3) next to its electricity
    expect(Number(node.fields['natural_gas'])).toBeGreaterThan(0);
    expect(Number(node.fields['kgce'])).toBeCloseTo(
      incomerKwh * 0.1229 + Number(node.fields['natural_gas']) * 1.2143,
      1,
    );
    expect(Number(node.fields['good_count'])).toBeGreaterThan(0);
    const cov = store.one(
      'metering_coverage',
      { level: 'equipment', carrier: 'electricity', period: '1h' },
      hour,
    );
    expect(cov.fields['rate_pct']).toBe(100);
    // the workshop meters are for the tree only: the energy totals never count the hall twice
    expect(store.find('energy', { device: 'dtu-incomer' })).toEqual([]);
  });
});
