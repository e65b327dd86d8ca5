/**
 * The metering tree of one window, pure: every node's consumption per carrier (its own meters, or the sum of its
 * children where it has none), standard coal (kgce, GB/T 2589-2020), the energy balance of each metered node against
 * its metered children (unmetered use and losses), and metering coverage per GB 17167 level against the required
 * rates (required-rates.ts: the plant's own, else the defaults, each with its source).
 */
import type { Carrier, RequiredRates } from '../../config/schemas/analytics.js';
import type { EmissionFactor } from './emission-factors.js';
import { type CoverageLevel, type RateSource, requiredRate } from './required-rates.js';

export type { CoverageLevel } from './required-rates.js';

export type TreeLevel = 'plant' | 'workshop' | 'line' | 'equipment';
export const COVERAGE_LEVEL: Record<TreeLevel, CoverageLevel> = {
  plant: 'organisation',
  workshop: 'sub_unit',
  line: 'sub_unit',
  equipment: 'equipment',
};

/** One meter as the tree sees it: its consumption converts to the carrier's base unit with `scale`. */
export interface TreeMeter {
  key: string;
  carrier: Carrier;
  /** meter unit → base unit of the carrier (kWh, m3, kg, GJ) */
  scale: number;
}

export interface TreeNode {
  id: string;
  name: string;
  parent: string | undefined;
  level: TreeLevel;
  meters: TreeMeter[];
  machines: string[];
}

/**
 * kgce per base unit of each carrier; electricity also by its equal value (等价值) when the plant set one (there is
 * no built-in value: GB/T 2589-2020 takes the previous year's national 发电标准煤耗, docs/kpi.md).
 */
export interface CoalFactors {
  electricity: EmissionFactor;
  electricityEqualValue: EmissionFactor | undefined;
  natural_gas: EmissionFactor;
  diesel: EmissionFactor;
  steam: EmissionFactor;
}

/** What the window gives: consumption of a meter (its unit), whether it reported, good parts of a machine. */
export interface TreeReadings {
  consumption(meter: string): number;
  reported(meter: string): boolean;
  good(machine: string): number;
}

export interface NodeFigures {
  id: string;
  name: string;
  parent: string | undefined;
  level: TreeLevel;
  /** the node has meters of its own (else its figures are the sum of its children) */
  metered: boolean;
  /** consumption per carrier, base unit */
  byCarrier: Partial<Record<Carrier, number>>;
  kwh: number;
  /** standard coal with electricity at its equivalent value (当量值) */
  kgce: number;
  /** the same with electricity at its equal value (等价值); undefined when the plant has not set one */
  kgceEqualValue: number | undefined;
  goodCount: number;
}

export interface Balance {
  node: string;
  carrier: Carrier;
  /** the node's own meters */
  parent: number;
  /** sum of its children (a child without a meter of this carrier gives the sum of its own children) */
  children: number;
  /** parent − children: unmetered use and losses (negative: children read more than the parent) */
  unmetered: number;
  /** unmetered ÷ parent × 100; 0 when the parent used nothing */
  unmeteredPct: number;
  childCount: number;
}

export interface Coverage {
  level: CoverageLevel;
  carrier: Carrier;
  /** nodes of the level that use the carrier (a meter of it in their subtree; none at all: electricity) */
  required: number;
  /** of those, the ones with an own meter of the carrier that reported in the window */
  metered: number;
  ratePct: number;
  /** the required rate: the plant's (analytics.energyTree.requiredRates) or the default; none for some carriers */
  requiredPct: number | undefined;
  requiredSource: RateSource | undefined;
}

export interface TreeWindow {
  nodes: NodeFigures[];
  balances: Balance[];
  coverage: Coverage[];
}

export const COAL_CARRIERS = ['electricity', 'natural_gas', 'diesel', 'steam'] as const;

function kgceWith(
  byCarrier: Partial<Record<Carrier, number>>,
  coal: CoalFactors,
  elec: EmissionFactor,
): number {
  let kgce = 0;
  for (const c of COAL_CARRIERS) kgce += (byCarrier[c] ?? 0) * (c === 'electricity' ? elec : coal[c]).value;
  return kgce;
}

/** Standard coal with electricity at its equivalent value (当量值). */
export function kgceOf(byCarrier: Partial<Record<Carrier, number>>, coal: CoalFactors): number {
  return kgceWith(byCarrier, coal, coal.electricity);
}

/** Standard coal with electricity at its equal value (等价值); undefined when the plant has not set one. */
export function kgceEqualValueOf(
  byCarrier: Partial<Record<Carrier, number>>,
  coal: CoalFactors,
): number | undefined {
  const eq = coal.electricityEqualValue;
  return eq === undefined ? undefined : kgceWith(byCarrier, coal, eq);
}

/** Nodes in an order where every child comes after its parent (the config check refuses cycles). */
export function topDown(nodes: readonly TreeNode[]): TreeNode[] {
  const byParent = new Map<string | undefined, TreeNode[]>();
  for (const n of nodes) byParent.set(n.parent, [...(byParent.get(n.parent) ?? []), n]);
  const out: TreeNode[] = [];
  const walk = (parent: string | undefined) => {
    for (const n of byParent.get(parent) ?? []) {
      out.push(n);
      walk(n.id);
    }
  };
  walk(undefined);
  return out;
}

/** `rates`: the plant's required rates (analytics.energyTree.requiredRates); the defaults fill in the rest. */
export function evaluateTree(
  nodes: readonly TreeNode[],
  coal: CoalFactors,
  r: TreeReadings,
  rates: RequiredRates,
): TreeWindow {
  const order = topDown(nodes);
  const children = new Map<string, TreeNode[]>();
  for (const n of order)
    if (n.parent !== undefined) children.set(n.parent, [...(children.get(n.parent) ?? []), n]);
  const own = new Map<string, Partial<Record<Carrier, number>>>();
  for (const n of order) {
    const o: Partial<Record<Carrier, number>> = {};
    for (const m of n.meters) o[m.carrier] = (o[m.carrier] ?? 0) + r.consumption(m.key) * m.scale;
    own.set(n.id, o);
  }
  const total = new Map<string, Partial<Record<Carrier, number>>>();
  const uses = new Map<string, Set<Carrier>>();
  const good = new Map<string, number>();
  for (const n of [...order].reverse()) {
    const kids = children.get(n.id) ?? [];
    const o = own.get(n.id) ?? {};
    const t: Partial<Record<Carrier, number>> = { ...o };
    const u = new Set<Carrier>(n.meters.map((m) => m.carrier));
    let g = n.machines.reduce((s, m) => s + r.good(m), 0);
    for (const k of kids) {
      const kt = total.get(k.id) ?? {};
      for (const [c, v] of Object.entries(kt) as [Carrier, number][]) {
        if (o[c] === undefined) t[c] = (t[c] ?? 0) + v;
      }
      for (const c of uses.get(k.id) ?? []) u.add(c);
      g += good.get(k.id) ?? 0;
    }
    total.set(n.id, t);
    uses.set(n.id, u);
    good.set(n.id, g);
  }
  const figures: NodeFigures[] = order.map((n) => {
    const t = total.get(n.id) ?? {};
    return {
      id: n.id,
      name: n.name,
      parent: n.parent,
      level: n.level,
      metered: n.meters.length > 0,
      byCarrier: t,
      kwh: t.electricity ?? 0,
      kgce: kgceOf(t, coal),
      kgceEqualValue: kgceEqualValueOf(t, coal),
      goodCount: good.get(n.id) ?? 0,
    };
  });
  const balances: Balance[] = [];
  for (const n of order) {
    const kids = children.get(n.id) ?? [];
    if (kids.length === 0) continue;
    const o = own.get(n.id) ?? {};
    for (const [c, parent] of Object.entries(o) as [Carrier, number][]) {
      const withCarrier = kids.filter((k) => uses.get(k.id)?.has(c));
      // no child uses the carrier (a gas meter at a plant whose children meter only electricity): nothing to balance
      if (withCarrier.length === 0) continue;
      const sum = withCarrier.reduce((s, k) => s + (total.get(k.id)?.[c] ?? 0), 0);
      const unmetered = parent - sum;
      balances.push({
        node: n.id,
        carrier: c,
        parent,
        children: sum,
        unmetered,
        unmeteredPct: parent > 0 ? (unmetered / parent) * 100 : 0,
        childCount: withCarrier.length,
      });
    }
  }
  const cov = new Map<string, Coverage>();
  for (const n of order) {
    const level = COVERAGE_LEVEL[n.level];
    const u = uses.get(n.id) ?? new Set<Carrier>();
    const carriers = u.size > 0 ? [...u] : (['electricity'] as Carrier[]);
    for (const c of carriers) {
      const key = `${level}|${c}`;
      const rate = requiredRate(c, level, rates);
      const e = cov.get(key) ?? {
        level,
        carrier: c,
        required: 0,
        metered: 0,
        ratePct: 0,
        requiredPct: rate?.pct,
        requiredSource: rate?.source,
      };
      e.required++;
      if (n.meters.some((m) => m.carrier === c && r.reported(m.key))) e.metered++;
      e.ratePct = (e.metered / e.required) * 100;
      cov.set(key, e);
    }
  }
  return { nodes: figures, balances, coverage: [...cov.values()] };
}
