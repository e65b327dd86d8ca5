/**
 * Emits the metering tree's windows (1h, shift, day) that meter or machine data touched: figures per node, balances,
 * coverage (energy-tree.ts), from the same per-minute meter sums and OEE components as the energy and KPI windows.
 */
import type { Point } from '@influxdata/influxdb-client';
import type { Carrier, EnergyTree, RequiredRates } from '../../config/schemas/analytics.js';
import { type CoalFactors, evaluateTree, type TreeNode } from './energy-tree.js';
import { coveragePoint, energyBalancePoint, energyNodePoint } from './energy-tree-points.js';
import type { MachineTracker } from './machine-tracker.js';
import { DEFAULT_UNIT, type MeterTracker, unitScale } from './meter-tracker.js';
import type { Period, Window } from './windows.js';

export const TREE_PERIODS: readonly Period[] = ['1h', 'shift', 'day'];

/** The configured tree bound to the engine's trackers; `coal` is resolved when analytics rebuilds. */
export interface EnergyTreeParts {
  nodes: TreeNode[];
  meters: Map<string, MeterTracker>;
  machines: MachineTracker[];
  coal: CoalFactors | undefined;
  /** the plant's required equipping rates (analytics.energyTree.requiredRates); defaults fill in the rest */
  requiredRates: RequiredRates;
}

/** Base unit of a carrier that a meter's unit converts to (kWh, m3, kg, GJ). */
export function baseScale(m: MeterTracker): number | undefined {
  return unitScale(m.unit, DEFAULT_UNIT[m.carrier]);
}

export function bindTree(
  tree: EnergyTree,
  meters: readonly MeterTracker[],
  machines: ReadonlyMap<string, MachineTracker>,
): { parts: EnergyTreeParts; unconvertible: MeterTracker[] } | undefined {
  const cfg = tree.nodes;
  if (cfg.length === 0) return undefined;
  const byKey = new Map(meters.map((m) => [`${m.device}/${m.name}`, m]));
  const used = new Map<string, MeterTracker>();
  const unconvertible: MeterTracker[] = [];
  const nodes: TreeNode[] = cfg.map((n) => ({
    id: n.id,
    name: n.name ?? n.id,
    parent: n.parent,
    level: n.level,
    machines: n.machines,
    meters: n.meters.flatMap((ref) => {
      const m =
        byKey.get(ref) ??
        (() => {
          const hits = meters.filter((x) => x.device === ref);
          return hits.length === 1 ? hits[0] : undefined;
        })();
      if (m === undefined) return [];
      const scale = baseScale(m);
      if (scale === undefined) {
        unconvertible.push(m);
        return [];
      }
      const key = `${m.device}/${m.name}`;
      used.set(key, m);
      return [{ key, carrier: m.carrier as Carrier, scale }];
    }),
  }));
  const wanted = new Set(cfg.flatMap((n) => n.machines));
  return {
    parts: {
      nodes,
      meters: used,
      machines: [...machines.values()].filter((m) => wanted.has(m.device)),
      coal: undefined,
      requiredRates: tree.requiredRates,
    },
    unconvertible,
  };
}

function reportedIn(m: MeterTracker, from: number, to: number): boolean {
  const s = m.series;
  for (let i = s.lowerBound(from); i < s.length && (s.times[i] as number) < to; i++) {
    if (s.values[i] !== null) return true;
  }
  return false;
}

export interface TreeEmitContext {
  now: number;
  windowsOf: (period: Period, from: number) => Window[];
  shiftTag: (w: Window) => string | undefined;
  meterFrom: ReadonlyMap<MeterTracker, number>;
  machineFrom: ReadonlyMap<MachineTracker, number>;
  good: (m: MachineTracker, w: Window) => number;
}

export function emitEnergyTree(t: EnergyTreeParts, ctx: TreeEmitContext): Point[] {
  const coal = t.coal;
  if (coal === undefined) return [];
  const meters = [...t.meters.values()];
  const site = [...meters, ...t.machines].find((x) => x.site !== undefined)?.site;
  if (site === undefined) return [];
  const starts = [
    ...meters.map((m) => ctx.meterFrom.get(m)),
    ...t.machines.map((m) => ctx.machineFrom.get(m)),
  ].filter((x): x is number => x !== undefined);
  if (starts.length === 0) return [];
  const from = Math.min(...starts);
  const first = Math.min(
    ...meters.map((m) => m.series.times[0] ?? Number.POSITIVE_INFINITY),
    ...t.machines.map((m) => m.firstData()),
  );
  const machineById = new Map(t.machines.map((m) => [m.device, m]));
  const out: Point[] = [];
  for (const period of TREE_PERIODS) {
    for (const w of ctx.windowsOf(period, from)) {
      if (w.end <= first) continue;
      const win = evaluateTree(
        t.nodes,
        coal,
        {
          consumption: (k) => t.meters.get(k)?.sum(w.start, w.end, ctx.now).consumption ?? 0,
          reported: (k) => {
            const m = t.meters.get(k);
            return m !== undefined && reportedIn(m, w.start, Math.min(w.end, ctx.now + 1));
          },
          good: (id) => {
            const m = machineById.get(id);
            return m === undefined ? 0 : ctx.good(m, w);
          },
        },
        t.requiredRates,
      );
      const shift = ctx.shiftTag(w);
      for (const n of win.nodes) out.push(energyNodePoint(site, n, w, shift));
      for (const b of win.balances) out.push(energyBalancePoint(site, b, DEFAULT_UNIT[b.carrier], w, shift));
      for (const c of win.coverage) out.push(coveragePoint(site, c, w, shift));
    }
  }
  return out;
}
