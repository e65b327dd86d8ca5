import { describe, expect, it } from 'vitest';
import { resolveCoal } from '../../../cloud/analytics/coal-factors.js';
import { loadCoalTable } from '../../../cloud/analytics/emission-factors.js';
import {
  type CoalFactors,
  evaluateTree,
  kgceOf,
  type TreeNode,
} from '../../../cloud/analytics/energy-tree.js';
import { type AnalyticsConfigInput, createAnalytics } from '../../../cloud/analytics/index.js';
import { ConfigError } from '../../../config/errors.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, drive, everyStep, sample, silentLog } from './support.js';

async function defaultCoal(): Promise<CoalFactors> {
  return resolveCoal(analyticsConfig({}).standardCoal, await loadCoalTable());
}

describe('standard coal (GB/T 2589-2020) from the bundled factor table', () => {
  it('converts each carrier to kgce with the published factors, each with its source and year', async () => {
    const coal = await defaultCoal();
    expect(kgceOf({ electricity: 1000 }, coal, false)).toBeCloseTo(122.9, 9); // 当量值 0.1229
    expect(kgceOf({ electricity: 1000 }, coal, true)).toBeCloseTo(315, 9); // 等价值 default 0.3150
    expect(kgceOf({ natural_gas: 100 }, coal, false)).toBeCloseTo(121.43, 9);
    expect(kgceOf({ diesel: 10 }, coal, false)).toBeCloseTo(14.571, 9);
    expect(kgceOf({ steam: 2 }, coal, false)).toBeCloseTo(68.24, 9);
    // water is not energy in GB/T 2589 terms here: it adds nothing
    expect(kgceOf({ electricity: 1000, natural_gas: 100, water: 50 }, coal, false)).toBeCloseTo(244.33, 9);
    for (const f of Object.values(coal)) {
      expect(f.source.length).toBeGreaterThan(10);
      expect(f.year).toBeGreaterThanOrEqual(2015);
    }
    expect(coal.electricity.source).toMatch(/GB\/T 2589-2020/);
  });

  it('takes an inline year-specific equal value (等价值) and refuses a key that is not in the table', async () => {
    const table = await loadCoalTable();
    const cfg = analyticsConfig({
      standardCoal: {
        electricityEqualValue: { value: 0.3, unit: 'kgce/kWh', source: 'NBS 2024', year: 2024 },
      },
    });
    const coal = resolveCoal(cfg.standardCoal, table);
    expect(kgceOf({ electricity: 10 }, coal, true)).toBeCloseTo(3, 9);
    expect(coal.electricityEqualValue).toMatchObject({ key: 'inline', year: 2024 });
    const bad = analyticsConfig({ standardCoal: { diesel: 'no-such-factor' } });
    expect(() => resolveCoal(bad.standardCoal, table)).toThrow(/no-such-factor.*standardCoal\.diesel/);
    const wrongUnit = analyticsConfig({ standardCoal: { diesel: 'gbt2589-2020-natural-gas' } });
    expect(() => resolveCoal(wrongUnit.standardCoal, table)).toThrow(/per m3.*needs one per kg/);
  });
});

const el = (key: string) => ({ key, carrier: 'electricity' as const, scale: 1 });
/** plant (incomer) → stamping (metered) → press line (metered); machining (no meter) → cnc-1, cnc-2 (metered) */
const TREE: TreeNode[] = [
  { id: 'plant', name: 'Plant', parent: undefined, level: 'plant', meters: [el('incomer')], machines: [] },
  { id: 'stamping', name: 'Stamping', parent: 'plant', level: 'workshop', meters: [el('ws1')], machines: [] },
  {
    id: 'press',
    name: 'Press',
    parent: 'stamping',
    level: 'equipment',
    meters: [el('p1')],
    machines: ['press'],
  },
  { id: 'machining', name: 'Machining', parent: 'plant', level: 'workshop', meters: [], machines: [] },
  {
    id: 'cnc-1',
    name: 'CNC 1',
    parent: 'machining',
    level: 'equipment',
    meters: [el('c1')],
    machines: ['c1'],
  },
  {
    id: 'cnc-2',
    name: 'CNC 2',
    parent: 'machining',
    level: 'equipment',
    meters: [el('c2')],
    machines: ['c2'],
  },
];

describe('the metering tree of a window', () => {
  it('balances each metered node against its children and rates coverage per GB 17167 level', async () => {
    const coal = await defaultCoal();
    const kwh: Record<string, number> = { incomer: 1000, ws1: 500, p1: 420, c1: 180, c2: 170 };
    const win = evaluateTree(TREE, coal, {
      consumption: (k) => kwh[k] ?? 0,
      reported: (k) => k !== 'c2', // cnc-2's meter sent nothing in this window
      good: (m) => ({ press: 1000, c1: 30, c2: 20 })[m] ?? 0,
    });
    const node = (id: string) => win.nodes.find((n) => n.id === id);
    // an unmetered node is the sum of its children; the plant is its incomer, not the sum
    expect(node('machining')).toMatchObject({ metered: false, kwh: 350, goodCount: 50 });
    expect(node('plant')?.kwh).toBe(1000);
    expect(node('plant')?.kgce).toBeCloseTo(122.9, 9);
    expect(node('plant')?.goodCount).toBe(1050);
    const plant = win.balances.find((b) => b.node === 'plant');
    expect(plant).toMatchObject({ parent: 1000, children: 850, unmetered: 150, childCount: 2 });
    expect(plant?.unmeteredPct).toBeCloseTo(15, 9);
    const stamping = win.balances.find((b) => b.node === 'stamping');
    expect(stamping).toMatchObject({ parent: 500, children: 420, unmetered: 80 });
    expect(stamping?.unmeteredPct).toBeCloseTo(16, 9);
    // machining has no meter of its own: nothing to balance there
    expect(win.balances.map((b) => b.node).sort()).toEqual(['plant', 'stamping']);
    // a carrier no child uses is not balanced (it would read as 100 % unmetered)
    const gasAtPlant = TREE.map((n) =>
      n.id === 'plant'
        ? { ...n, meters: [...n.meters, { key: 'gas', carrier: 'natural_gas' as const, scale: 1 }] }
        : n,
    );
    const withGas = evaluateTree(gasAtPlant, coal, {
      consumption: (k) => (k === 'gas' ? 50 : (kwh[k] ?? 0)),
      reported: () => true,
      good: () => 0,
    });
    expect(withGas.balances.filter((b) => b.node === 'plant').map((b) => b.carrier)).toEqual(['electricity']);
    expect(withGas.nodes[0]?.kgce).toBeCloseTo(122.9 + 50 * 1.2143, 9);
    const cov = (level: string) => win.coverage.find((c) => c.level === level && c.carrier === 'electricity');
    expect(cov('organisation')).toMatchObject({ required: 1, metered: 1, ratePct: 100, requiredPct: 100 });
    expect(cov('sub_unit')).toMatchObject({ required: 2, metered: 1, ratePct: 50, requiredPct: 100 });
    // a meter that reported nothing in the window does not count as metering
    expect(cov('equipment')).toMatchObject({ required: 3, metered: 2, requiredPct: 95 });
    expect(cov('equipment')?.ratePct).toBeCloseTo(66.667, 2);
  });
});

describe('analytics.energyTree config', () => {
  const base: AnalyticsConfigInput = {
    meters: [
      { device: 'incomer', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      { device: 'ws1', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      { device: 'ws1', name: 'gas', carrier: 'natural_gas', counter: { metric: 'gas_m3' } },
    ],
  };
  const problems = (tree: AnalyticsConfigInput['energyTree']) => {
    try {
      analyticsConfig({ ...base, energyTree: tree ?? [] });
      return '';
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.message;
    }
  };

  it('accepts a tree naming meters by device or device/name', () => {
    expect(
      problems([
        { id: 'plant', level: 'plant', meters: ['incomer'] },
        { id: 'ws', parent: 'plant', level: 'workshop', meters: ['ws1/electricity', 'ws1/gas'] },
      ]),
    ).toBe('');
  });

  it('says which meter is unknown, ambiguous or on two nodes, and which parents form a cycle', () => {
    const msg = problems([
      { id: 'plant', level: 'plant', meters: ['incomer', 'incommer'] },
      { id: 'a', parent: 'b', level: 'workshop', meters: ['ws1'] },
      { id: 'b', parent: 'a', level: 'line', meters: ['incomer'] },
      { id: 'c', parent: 'nowhere', level: 'equipment' },
    ]);
    expect(msg).toContain('energyTree[0].meters[1]: incommer is not a meter of analytics.meters');
    expect(msg).toContain('energyTree[1].meters[0]: ws1 has several meters: name one as ws1/<name>');
    expect(msg).toContain('energyTree[2].meters[0]: meter incomer/electricity is already on node plant');
    expect(msg).toMatch(/parents form a cycle: (a → b → a|b → a → b)/);
    expect(msg).toContain('energyTree[3].parent: no node nowhere in analytics.energyTree');
  });
});

describe('the engine writes the tree per window', () => {
  it('energy_node, energy_balance and metering_coverage points from meter registers', async () => {
    const at = (hms: string) => cst(`2026-11-25T${hms}`);
    const cfg = analyticsConfig({
      timezone: 'Asia/Shanghai',
      meters: [
        // the incomer counts what the line meters count again: tree only, kept out of the energy totals
        { device: 'incomer', carrier: 'electricity', counter: { metric: 'energy_kwh' }, treeOnly: true },
        { device: 'line-a', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
        { device: 'line-b', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      ],
      energyTree: [
        { id: 'plant', name: '工厂', level: 'plant', meters: ['incomer'] },
        { id: 'a', parent: 'plant', level: 'line', meters: ['line-a'] },
        { id: 'b', parent: 'plant', level: 'line', meters: ['line-b'] },
      ],
    });
    const from = at('08:00:00');
    const to = at('09:00:10');
    const clock = { now: from };
    const engine = createAnalytics(cfg, { log: silentLog, query: async () => [], clock: () => clock.now });
    await engine.rebuild(from);
    // incomer 120 kW, line a 60 kW, line b 40 kW: 20 kW (1/6) is unmetered
    const kwhAt = (kw: number, t: number) => (kw * (t - from)) / 3_600_000;
    const { store } = drive(
      engine,
      clock,
      everyStep(from, to, 10_000, (t) => [
        sample('incomer', 'energy_kwh', 5000 + kwhAt(120, t), t),
        sample('line-a', 'energy_kwh', 100 + kwhAt(60, t), t),
        sample('line-b', 'energy_kwh', 7 + kwhAt(40, t), t),
      ]),
      { tickMs: 60_000, until: to + 60_000 },
    );
    const hour = at('08:00:00');
    const plant = store.one('energy_node', { node: 'plant', period: '1h' }, hour);
    expect(plant.tags['level']).toBe('plant');
    expect(plant.tags['parent']).toBeUndefined();
    expect(store.one('energy_node', { node: 'a', period: '1h' }, hour).tags['parent']).toBe('plant');
    expect(plant.fields['name']).toBe('工厂');
    expect(plant.fields['kwh']).toBeCloseTo(120, 6);
    expect(plant.fields['tce']).toBeCloseTo(0.014748, 6);
    expect(plant.fields['kgce_equal_value']).toBeCloseTo(37.8, 6);
    const bal = store.one('energy_balance', { node: 'plant', carrier: 'electricity', period: '1h' }, hour);
    expect(bal.fields['unmetered']).toBeCloseTo(20, 6);
    expect(bal.fields['unmetered_pct']).toBeCloseTo(16.667, 3);
    expect(bal.fields['unit']).toBe('kWh');
    const cov = store.one(
      'metering_coverage',
      { level: 'sub_unit', carrier: 'electricity', period: '1h' },
      hour,
    );
    expect(cov.fields).toMatchObject({ required: 2, metered: 2, rate_pct: 100, compliant: true });
  });
});
