import { describe, expect, it } from 'vitest';
import { equalValueNotice, resolveCoal } from '../../../cloud/analytics/coal-factors.js';
import { loadCoalTable } from '../../../cloud/analytics/emission-factors.js';
import {
  type CoalFactors,
  evaluateTree,
  kgceEqualValueOf,
  kgceOf,
  type TreeNode,
} from '../../../cloud/analytics/energy-tree.js';
import { type AnalyticsConfigInput, createAnalytics } from '../../../cloud/analytics/index.js';
import { GB17167_2006_TABLE1 } from '../../../cloud/analytics/required-rates.js';
import { ConfigError } from '../../../config/errors.js';
import { RequiredRates } from '../../../config/schemas/energy-tree.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, drive, everyStep, sample, silentLog } from './support.js';

async function defaultCoal(): Promise<CoalFactors> {
  return resolveCoal(analyticsConfig({}).standardCoal, await loadCoalTable());
}

describe('standard coal (GB/T 2589-2020) from the bundled factor table', () => {
  it('converts each carrier to kgce with the published factors, each with its source and year', async () => {
    const coal = await defaultCoal();
    expect(kgceOf({ electricity: 1000 }, coal)).toBeCloseTo(122.9, 9); // 当量值 0.1229
    expect(kgceOf({ natural_gas: 100 }, coal)).toBeCloseTo(121.43, 9);
    expect(kgceOf({ diesel: 10 }, coal)).toBeCloseTo(14.571, 9);
    expect(kgceOf({ steam: 2 }, coal)).toBeCloseTo(68.24, 9);
    // water is not energy in GB/T 2589 terms here: it adds nothing
    expect(kgceOf({ electricity: 1000, natural_gas: 100, water: 50 }, coal)).toBeCloseTo(244.33, 9);
    for (const f of [coal.electricity, coal.natural_gas, coal.diesel, coal.steam]) {
      expect(f.source.length).toBeGreaterThan(10);
      expect(f.year).toBeGreaterThanOrEqual(2015);
    }
    expect(coal.electricity.source).toMatch(/GB\/T 2589-2020/);
  });

  it('has no built-in electricity equal value (等价值): unset, the equal-value kgce is not computed', async () => {
    const coal = await defaultCoal();
    expect(coal.electricityEqualValue).toBeUndefined();
    expect(kgceEqualValueOf({ electricity: 1000, natural_gas: 100 }, coal)).toBeUndefined();
    // the factor table has no equal value to name either
    const table = await loadCoalTable();
    expect([...table.keys()].filter((k) => /equal/.test(k))).toEqual([]);
  });

  it('takes an inline year-specific equal value (等价值) and refuses a key that is not in the table', async () => {
    const table = await loadCoalTable();
    const cfg = analyticsConfig({
      standardCoal: {
        electricityEqualValue: { value: 0.3, unit: 'kgce/kWh', source: 'NBS 2024', year: 2024 },
      },
    });
    const coal = resolveCoal(cfg.standardCoal, table);
    expect(kgceEqualValueOf({ electricity: 10 }, coal)).toBeCloseTo(3, 9);
    // the other carriers keep their factors in the equal-value figure
    expect(kgceEqualValueOf({ electricity: 10, natural_gas: 100 }, coal)).toBeCloseTo(3 + 121.43, 9);
    expect(coal.electricityEqualValue).toMatchObject({ key: 'inline', year: 2024, source: 'NBS 2024' });
    const bad = analyticsConfig({ standardCoal: { diesel: 'no-such-factor' } });
    expect(() => resolveCoal(bad.standardCoal, table)).toThrow(/no-such-factor.*standardCoal\.diesel/);
    const wrongUnit = analyticsConfig({ standardCoal: { diesel: 'gbt2589-2020-natural-gas' } });
    expect(() => resolveCoal(wrongUnit.standardCoal, table)).toThrow(/per m3.*needs one per kg/);
  });

  it('says once what to set when a plant with a tree has no equal value, and nothing otherwise', () => {
    const meters = [
      { device: 'incomer', carrier: 'electricity' as const, counter: { metric: 'energy_kwh' } },
    ];
    const nodes = [{ id: 'plant', level: 'plant' as const, meters: ['incomer'] }];
    const notice = equalValueNotice(analyticsConfig({ meters, energyTree: { nodes } }));
    expect(notice).toContain('analytics.standardCoal.electricityEqualValue');
    expect(notice).toContain('发电标准煤耗');
    expect(equalValueNotice(analyticsConfig({ meters }))).toBeUndefined();
    const set = analyticsConfig({
      meters,
      energyTree: { nodes },
      standardCoal: { electricityEqualValue: { value: 0.3, unit: 'kgce/kWh', source: 'x', year: 2024 } },
    });
    expect(equalValueNotice(set)).toBeUndefined();
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
    const win = evaluateTree(
      TREE,
      coal,
      {
        consumption: (k) => kwh[k] ?? 0,
        reported: (k) => k !== 'c2', // cnc-2's meter sent nothing in this window
        good: (m) => ({ press: 1000, c1: 30, c2: 20 })[m] ?? 0,
      },
      {},
    );
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
    const withGas = evaluateTree(
      gasAtPlant,
      coal,
      {
        consumption: (k) => (k === 'gas' ? 50 : (kwh[k] ?? 0)),
        reported: () => true,
        good: () => 0,
      },
      {},
    );
    expect(withGas.balances.filter((b) => b.node === 'plant').map((b) => b.carrier)).toEqual(['electricity']);
    expect(withGas.nodes[0]?.kgce).toBeCloseTo(122.9 + 50 * 1.2143, 9);
    const cov = (level: string) => win.coverage.find((c) => c.level === level && c.carrier === 'electricity');
    const gb = 'gb17167-2006';
    expect(cov('organisation')).toMatchObject({ required: 1, metered: 1, ratePct: 100, requiredPct: 100 });
    expect(cov('sub_unit')).toMatchObject({ required: 2, metered: 1, ratePct: 50, requiredPct: 100 });
    // a meter that reported nothing in the window does not count as metering
    expect(cov('equipment')).toMatchObject({ required: 3, metered: 2, requiredPct: 95, requiredSource: gb });
    expect(cov('equipment')?.ratePct).toBeCloseTo(66.667, 2);
    // no equal value (等价值) set: no equal-value figure for any node
    expect(win.nodes.map((n) => n.kgceEqualValue)).toEqual(win.nodes.map(() => undefined));
  });

  it("rates coverage against the plant's own required rates where set, the defaults elsewhere", async () => {
    const coal = await defaultCoal();
    const air = { key: 'air', carrier: 'compressed_air' as const, scale: 1 };
    const tree = TREE.map((n) => (n.id === 'press' ? { ...n, meters: [...n.meters, air] } : n));
    const readings = { consumption: () => 10, reported: () => true, good: () => 0 };
    const rates = { electricity: { equipment: 60 }, compressed_air: { equipment: 100 } };
    const win = evaluateTree(tree, coal, readings, rates);
    const cov = (level: string, carrier = 'electricity') =>
      win.coverage.find((c) => c.level === level && c.carrier === carrier);
    expect(cov('equipment')).toMatchObject({ requiredPct: 60, requiredSource: 'plant' });
    // a level the plant left out keeps the default, and says so
    expect(cov('sub_unit')).toMatchObject({ requiredPct: 100, requiredSource: 'gb17167-2006' });
    // compressed air has no default; the plant's rate applies
    expect(cov('equipment', 'compressed_air')).toMatchObject({ requiredPct: 100, requiredSource: 'plant' });
    const dflt = evaluateTree(tree, coal, readings, {});
    const air0 = dflt.coverage.find((c) => c.carrier === 'compressed_air');
    expect(air0).toMatchObject({ requiredPct: undefined, requiredSource: undefined });
  });

  it('gives every node its equal-value kgce when the plant set the equal value', async () => {
    const table = await loadCoalTable();
    const coal = resolveCoal(
      analyticsConfig({
        standardCoal: {
          electricityEqualValue: { value: 0.3007, unit: 'kgce/kWh', source: 'CEC 2023', year: 2022 },
        },
      }).standardCoal,
      table,
    );
    const kwh: Record<string, number> = { incomer: 1000, ws1: 500, p1: 420, c1: 180, c2: 170 };
    const win = evaluateTree(
      TREE,
      coal,
      { consumption: (k) => kwh[k] ?? 0, reported: () => true, good: () => 0 },
      {},
    );
    expect(win.nodes.find((n) => n.id === 'plant')?.kgceEqualValue).toBeCloseTo(300.7, 9);
    expect(win.nodes.find((n) => n.id === 'machining')?.kgceEqualValue).toBeCloseTo(350 * 0.3007, 9);
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
      analyticsConfig({ ...base, energyTree: tree ?? {} });
      return '';
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.message;
    }
  };

  it('accepts a tree naming meters by device or device/name', () => {
    expect(
      problems({
        nodes: [
          { id: 'plant', level: 'plant', meters: ['incomer'] },
          { id: 'ws', parent: 'plant', level: 'workshop', meters: ['ws1/electricity', 'ws1/gas'] },
        ],
      }),
    ).toBe('');
  });

  it('says which meter is unknown, ambiguous or on two nodes, and which parents form a cycle', () => {
    const msg = problems({
      nodes: [
        { id: 'plant', level: 'plant', meters: ['incomer', 'incommer'] },
        { id: 'a', parent: 'b', level: 'workshop', meters: ['ws1'] },
        { id: 'b', parent: 'a', level: 'line', meters: ['incomer'] },
        { id: 'c', parent: 'nowhere', level: 'equipment' },
      ],
    });
    expect(msg).toContain('energyTree.nodes[0].meters[1]: incommer is not a meter of analytics.meters');
    expect(msg).toContain('energyTree.nodes[1].meters[0]: ws1 has several meters: name one as ws1/<name>');
    expect(msg).toContain(
      'energyTree.nodes[2].meters[0]: meter incomer/electricity is already on node plant',
    );
    expect(msg).toMatch(/parents form a cycle: (a → b → a|b → a → b)/);
    expect(msg).toContain('energyTree.nodes[3].parent: no node nowhere in analytics.energyTree.nodes');
  });

  it('documents the same default rates the coverage uses', () => {
    const props = RequiredRates.properties as Record<string, { description?: string }>;
    for (const [carrier, r] of Object.entries(GB17167_2006_TABLE1)) {
      expect(props[carrier]?.description).toContain(
        `default ${r.organisation} / ${r.sub_unit} / ${r.equipment}`,
      );
    }
  });

  it('takes required rates per carrier and level, and refuses one above 100 % or for an unknown carrier or level', () => {
    const nodes = [{ id: 'plant', level: 'plant' as const, meters: ['incomer'] }];
    expect(
      problems({
        nodes,
        requiredRates: { electricity: { equipment: 90 }, compressed_air: { sub_unit: 80 } },
      }),
    ).toBe('');
    const resolved = analyticsConfig({
      ...base,
      energyTree: { nodes, requiredRates: { steam: { sub_unit: 90 } } },
    });
    expect(resolved.energyTree.requiredRates).toEqual({ steam: { sub_unit: 90 } });
    expect(problems({ nodes, requiredRates: { electricity: { equipment: 120 } } })).toMatch(
      /energyTree\.requiredRates\.electricity\.equipment.*must be <= 100, got 120/,
    );
    expect(problems({ nodes, requiredRates: { water: { organisation: -5 } } })).toMatch(
      /energyTree\.requiredRates\.water\.organisation.*must be >= 0, got -5/,
    );
    // @ts-expect-error: coal is not a carrier
    expect(problems({ nodes, requiredRates: { coal: { equipment: 90 } } })).toMatch(
      /energyTree\.requiredRates\.coal.*unknown key/,
    );
    // @ts-expect-error: workshop is a tree level, not a GB 17167 level
    expect(problems({ nodes, requiredRates: { electricity: { workshop: 90 } } })).toMatch(
      /energyTree\.requiredRates\.electricity\.workshop.*unknown key.*sub_unit/,
    );
  });
});

describe('the engine writes the tree per window', () => {
  const at = (hms: string) => cst(`2026-11-25T${hms}`);
  const from = at('08:00:00');
  const hour = at('08:00:00');
  /** incomer 120 kW, line a 60 kW, line b 40 kW for an hour: 20 kW (1/6) is unmetered */
  type Rates = NonNullable<AnalyticsConfigInput['energyTree']>['requiredRates'];
  async function run(extra: Pick<AnalyticsConfigInput, 'standardCoal'> & { requiredRates?: Rates } = {}) {
    const { requiredRates, ...rest } = extra;
    const cfg = analyticsConfig({
      timezone: 'Asia/Shanghai',
      meters: [
        // the incomer counts what the line meters count again: tree only, kept out of the energy totals
        { device: 'incomer', carrier: 'electricity', counter: { metric: 'energy_kwh' }, treeOnly: true },
        { device: 'line-a', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
        { device: 'line-b', carrier: 'electricity', counter: { metric: 'energy_kwh' } },
      ],
      energyTree: {
        nodes: [
          { id: 'plant', name: '工厂', level: 'plant', meters: ['incomer'] },
          { id: 'a', parent: 'plant', level: 'line', meters: ['line-a'] },
          { id: 'b', parent: 'plant', level: 'line', meters: ['line-b'] },
        ],
        ...(requiredRates === undefined ? {} : { requiredRates }),
      },
      ...rest,
    });
    const to = at('09:00:10');
    const clock = { now: from };
    const engine = createAnalytics(cfg, { log: silentLog, query: async () => [], clock: () => clock.now });
    await engine.rebuild(from);
    const kwhAt = (kw: number, t: number) => (kw * (t - from)) / 3_600_000;
    return drive(
      engine,
      clock,
      everyStep(from, to, 10_000, (t) => [
        sample('incomer', 'energy_kwh', 5000 + kwhAt(120, t), t),
        sample('line-a', 'energy_kwh', 100 + kwhAt(60, t), t),
        sample('line-b', 'energy_kwh', 7 + kwhAt(40, t), t),
      ]),
      { tickMs: 60_000, until: to + 60_000 },
    ).store;
  }

  it('energy_node, energy_balance and metering_coverage points from meter registers', async () => {
    const store = await run();
    const plant = store.one('energy_node', { node: 'plant', period: '1h' }, hour);
    expect(plant.tags['level']).toBe('plant');
    expect(plant.tags['parent']).toBeUndefined();
    expect(store.one('energy_node', { node: 'a', period: '1h' }, hour).tags['parent']).toBe('plant');
    expect(plant.fields['name']).toBe('工厂');
    expect(plant.fields['kwh']).toBeCloseTo(120, 6);
    expect(plant.fields['tce']).toBeCloseTo(0.014748, 6);
    // no equal value (等价值) set: none written, and the point says it was not set
    expect(plant.fields['kgce_equal_value']).toBeUndefined();
    expect(plant.fields['equal_value_set']).toBe(false);
    const bal = store.one('energy_balance', { node: 'plant', carrier: 'electricity', period: '1h' }, hour);
    expect(bal.fields['unmetered']).toBeCloseTo(20, 6);
    expect(bal.fields['unmetered_pct']).toBeCloseTo(16.667, 3);
    expect(bal.fields['unit']).toBe('kWh');
    const cov = store.one(
      'metering_coverage',
      { level: 'sub_unit', carrier: 'electricity', period: '1h' },
      hour,
    );
    expect(cov.fields).toMatchObject({
      required: 2,
      metered: 2,
      rate_pct: 100,
      required_pct: 100,
      required_source: 'gb17167-2006',
      compliant: true,
    });
  });

  it("writes the equal-value kgce once the plant sets it, and the plant's required rate with its source", async () => {
    const store = await run({
      standardCoal: {
        electricityEqualValue: { value: 0.3007, unit: 'kgce/kWh', source: 'CEC 2023', year: 2022 },
      },
      requiredRates: { electricity: { sub_unit: 80 } },
    });
    const plant = store.one('energy_node', { node: 'plant', period: '1h' }, hour);
    expect(plant.fields['kgce_equal_value']).toBeCloseTo(120 * 0.3007, 6);
    expect(plant.fields['equal_value_set']).toBe(true);
    const cov = (level: string) =>
      store.one('metering_coverage', { level, carrier: 'electricity', period: '1h' }, hour).fields;
    expect(cov('sub_unit')).toMatchObject({ required_pct: 80, required_source: 'plant', compliant: true });
    expect(cov('organisation')).toMatchObject({ required_pct: 100, required_source: 'gb17167-2006' });
  });
});
