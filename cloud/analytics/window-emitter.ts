/**
 * Recomputes and emits every window touched since the last tick or by late data: oee per machine, line and site;
 * energy, emissions per meter; kpi per machine. Roll-ups sum components, never ratios.
 */
import type { Point } from '@influxdata/influxdb-client';
import { emitEnergyTree } from './energy-tree-emitter.js';
import type { EngineParts } from './engine.js';
import type { MachineTracker } from './machine-tracker.js';
import type { MeterTracker } from './meter-tracker.js';
import { unitScale } from './meter-tracker.js';
import { add, type Components, figures, isEmpty, reliability, zero } from './oee.js';
import { emissionsPoint, energyPoint, kpiPoint, type Level, oeePoint } from './points.js';
import type { Period, Window } from './windows.js';

const OEE_PERIODS: readonly Period[] = ['1m', '1h', 'shift', 'day'];
const ENERGY_PERIODS: readonly Period[] = ['15m', '1h', 'shift', 'day'];
const EMISSION_PERIODS: readonly Period[] = ['1h', 'shift', 'day'];
const KPI_PERIODS: readonly Period[] = ['1h', 'shift', 'day'];

/** Components with good parts made explicit (good counter, total − scrap, or every part good). */
function normalised(m: MachineTracker, c: Components): Components {
  if (m.goodSource === 'scrap') {
    c.good = Math.max(0, c.total - c.scrap);
    c.idealGoodMs = Math.max(0, c.idealTotalMs - c.idealScrapMs);
  } else if (m.goodSource === 'total') {
    c.good = c.total;
    c.idealGoodMs = c.idealTotalMs;
  }
  c.scrap = 0;
  c.idealScrapMs = 0;
  return c;
}

export function emitWindows(p: EngineParts, since: number, now: number): Point[] {
  const out: Point[] = [];
  const floor = now - p.retentionMs;
  const shiftTag = (w: Window) =>
    w.period === 'day' || w.period === 'shift' ? undefined : p.windows.shiftAt(w.start);
  const windowsOf = (period: Period, from: number) =>
    p.windows.overlapping(period, from, now + 1).filter((w) => w.start >= floor && w.start <= now);

  const machineFrom = new Map<MachineTracker, number>();
  for (const m of p.machines.values()) {
    // Not seen yet (no site): keep what is dirty for when it is.
    if (m.site === undefined) continue;
    m.invalidate(m.dirtyFrom);
    machineFrom.set(m, Math.max(floor, Math.min(m.dirtyFrom, since)));
    m.dirtyFrom = Number.POSITIVE_INFINITY;
  }
  const meterFrom = new Map<MeterTracker, number>();
  for (const m of p.meters) {
    if (m.site === undefined) continue;
    m.invalidate(m.dirtyFrom);
    meterFrom.set(m, Math.max(floor, Math.min(m.dirtyFrom, since)));
    m.dirtyFrom = Number.POSITIVE_INFINITY;
  }

  const memo = new Map<string, Components>();
  const components = (m: MachineTracker, w: Window): Components => {
    const key = `${m.device}|${w.start}|${w.end}`;
    const hit = memo.get(key);
    if (hit) return { ...hit };
    const c = normalised(m, m.components(w.start, w.end, now));
    memo.set(key, c);
    return { ...c };
  };

  // Machines and their roll-ups.
  const groups = new Map<string, { site: string; device: string; level: Level; members: MachineTracker[] }>();
  for (const m of p.machines.values()) {
    const site = m.site;
    if (site === undefined) continue;
    const siteKey = `site|${site}`;
    const sg = groups.get(siteKey) ?? { site, device: site, level: 'site' as const, members: [] };
    sg.members.push(m);
    groups.set(siteKey, sg);
    if (m.line !== undefined) {
      const lineKey = `line|${site}|${m.line}`;
      const lg = groups.get(lineKey) ?? { site, device: m.line, level: 'line' as const, members: [] };
      lg.members.push(m);
      groups.set(lineKey, lg);
    }
    const from = machineFrom.get(m) ?? now;
    const first = m.firstData();
    for (const period of OEE_PERIODS) {
      for (const w of windowsOf(period, from)) {
        // Windows that ended before the machine's first data are not news: the machine was not connected yet.
        if (w.end <= first) continue;
        const c = components(m, w);
        if (isEmpty(c)) continue;
        const f = figures(c, p.lossBooking, p.offline, 'counter');
        let extra: Record<string, number> = {};
        if (period === 'day') {
          const planned = p.calendar.planned(m.device, w.start, Math.min(w.end, now));
          const r = reliability(m.timeline, planned, w.start, w.end, now);
          extra = { failures: r.failures, mtbf_s: r.mtbf_s, mttr_s: r.mttr_s };
        }
        out.push(oeePoint(site, m.device, 'machine', w, shiftTag(w), f, extra));
      }
    }
  }
  for (const g of groups.values()) {
    const from = Math.min(...g.members.map((m) => machineFrom.get(m) ?? now));
    const first = Math.min(...g.members.map((m) => m.firstData()));
    for (const period of OEE_PERIODS) {
      for (const w of windowsOf(period, from)) {
        if (w.end <= first) continue;
        const c = zero();
        for (const m of g.members) add(c, components(m, w));
        if (isEmpty(c)) continue;
        out.push(
          oeePoint(
            g.site,
            g.device,
            g.level,
            w,
            shiftTag(w),
            figures(c, p.lossBooking, p.offline, 'counter'),
          ),
        );
      }
    }
  }

  // Meters: energy and emissions.
  for (const m of p.meters) {
    const site = m.site;
    if (site === undefined || m.series.length === 0 || m.cfg.treeOnly) continue;
    const from = meterFrom.get(m) ?? now;
    const first = m.series.times[0] as number;
    const kwhScale = m.carrier === 'electricity' ? unitScale(m.unit, 'kWh') : undefined;
    for (const period of ENERGY_PERIODS) {
      for (const w of windowsOf(period, from)) {
        if (w.end <= first) continue;
        const e = m.sum(w.start, w.end, now);
        const fields: Parameters<typeof energyPoint>[6] = { consumption: e.consumption, unit: m.unit };
        if (m.tariff) {
          fields.cost = e.cost;
          fields.currency = m.tariff.currency;
          if (period === '15m') fields.tariff = m.tariff.periodNameAt(w.start);
        }
        if (kwhScale !== undefined) {
          const quarters = p.windows.overlapping('15m', w.start, w.end);
          let peak = 0;
          for (const q of quarters) {
            if (q.start > now) break;
            peak = Math.max(peak, m.sum(q.start, q.end, now).consumption * kwhScale * 4);
          }
          fields.demand_kw = (e.consumption * kwhScale * 3_600_000) / (w.end - w.start);
          fields.peak_kw = peak;
        }
        out.push(energyPoint(site, m.device, m.name, m.carrier, w, shiftTag(w), fields));
      }
    }
    const factor = m.factor;
    const scope = factor ? (m.carrier === 'natural_gas' || m.carrier === 'diesel' ? 1 : 2) : undefined;
    if (factor && scope) {
      for (const period of EMISSION_PERIODS) {
        for (const w of windowsOf(period, from)) {
          if (w.end <= first) continue;
          const e = m.sum(w.start, w.end, now);
          out.push(
            emissionsPoint(site, m.device, m.name, scope, m.carrier, w, shiftTag(w), {
              co2e_kg: e.consumption * m.factorScale * factor.value,
              factor: factor.value,
              factor_key: factor.key,
              factor_unit: factor.unit,
              factor_year: factor.year,
            }),
          );
        }
      }
    }
  }

  // KPIs: energy and CO2e per good part, per machine.
  for (const m of p.machines.values()) {
    const site = m.site;
    if (site === undefined) continue;
    const meters = p.meters.filter((x) => x.machine === m.device && !x.cfg.treeOnly);
    if (meters.length === 0) continue;
    const from = Math.min(machineFrom.get(m) ?? now, ...meters.map((x) => meterFrom.get(x) ?? now));
    const first = m.firstData();
    for (const period of KPI_PERIODS) {
      for (const w of windowsOf(period, from)) {
        if (w.end <= first) continue;
        let kwh = 0;
        let co2e = 0;
        for (const x of meters) {
          const e = x.sum(w.start, w.end, now).consumption;
          const scale = x.carrier === 'electricity' ? unitScale(x.unit, 'kWh') : undefined;
          if (scale !== undefined) kwh += e * scale;
          if (x.factor) co2e += e * x.factorScale * x.factor.value;
        }
        const good = components(m, w).good;
        if (good === 0 && kwh === 0) continue;
        out.push(kpiPoint(site, m.device, w, shiftTag(w), { kwh, co2e_kg: co2e, good_count: good }));
      }
    }
  }
  if (p.tree !== undefined) {
    out.push(
      ...emitEnergyTree(p.tree, {
        now,
        windowsOf,
        shiftTag,
        meterFrom,
        machineFrom,
        good: (m, w) => components(m, w).good,
      }),
    );
  }
  return out;
}
