/**
 * The analytics engine the ingester drives (docs/architecture.md#analytics): `rebuild` once on start,
 * `ingest` every batch of samples and status changes, `tick` every few seconds. Everything it writes is a
 * pure function of the retained history, the calendar and `now`, so late data and restarts give the same
 * windows as live data.
 */
import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from '../../config/logging.js';
import type { AnalyticsConfig } from '../../config/schemas/analytics.js';
import { AlarmTracker } from './alarm-tracker.js';
import { ShiftCalendar } from './calendar.js';
import { alarmChanges, stateChanges } from './change-emitter.js';
import { resolveCoal } from './coal-factors.js';
import { analyticsConfigProblems } from './config-check.js';
import { counterDelta, numeric } from './counters.js';
import { type FactorTable, loadCoalTable, loadFactorTable, resolveFactor } from './emission-factors.js';
import { bindTree, type EnergyTreeParts } from './energy-tree-emitter.js';
import { AnalyticsConfigError, AnalyticsStateError } from './errors.js';
import { type MachineRole, MachineTracker } from './machine-tracker.js';
import { MeterTracker, SCOPE, unitScale } from './meter-tracker.js';
import { statePoint } from './points.js';
import { restoreFromInflux } from './rebuild.js';
import type { Series, StoredValue } from './series.js';
import { TariffClock } from './tariff.js';
import { TimeZone } from './time-zone.js';
import type { Analytics, AnalyticsOutput, AnalyticsStats, DeviceStatus, HostSample, Row } from './types.js';
import { emitWindows } from './window-emitter.js';
import { MINUTE, WindowClock } from './windows.js';

export interface AnalyticsDeps {
  log: Logger;
  /** runs one InfluxQL statement against the ingester's database; rows carry `time` in ms */
  query: (influxql: string) => Promise<Row[]>;
  clock?: () => number;
  /** the emission factor table; default: loaded from `emissions.factorsFile` or the package's table in rebuild */
  factors?: FactorTable;
  /** the standard-coal table (same file, `standardCoal:`); default: loaded like `factors` */
  coal?: FactorTable;
  /** where raw telemetry is read (`"raw"."telemetry"` with a data lifecycle); default `"telemetry"` */
  telemetryFrom?: string;
}

/** Samples stamped further ahead than this are a wrong device clock, not data. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** The longest window (a day, 25 h across a DST change) that late data may reach back into. */
const LONGEST_WINDOW_MS = 25 * 3_600_000;

export interface EngineParts {
  cfg: AnalyticsConfig;
  tz: TimeZone;
  calendar: ShiftCalendar;
  windows: WindowClock;
  machines: Map<string, MachineTracker>;
  meters: MeterTracker[];
  alarms: AlarmTracker[];
  lossBooking: 'iso22400' | 'nakajima';
  offline: 'loss' | 'exclude';
  lateHorizonMs: number;
  retentionMs: number;
  /** the metering tree (analytics.energyTree), when configured */
  tree: EnergyTreeParts | undefined;
}

export function createAnalytics(cfg: AnalyticsConfig, deps: AnalyticsDeps): Analytics {
  const problems = analyticsConfigProblems(cfg);
  if (problems.length > 0) throw new AnalyticsConfigError(problems.join('; '));
  const log = deps.log.child({ component: 'analytics' });
  const clock = deps.clock ?? Date.now;
  const tz = new TimeZone(cfg.timezone);
  const calendar = new ShiftCalendar(cfg.calendar, tz);
  const lateHorizonMs = cfg.lateDataHorizon;
  const parts: EngineParts = {
    cfg,
    tz,
    calendar,
    windows: new WindowClock(tz, calendar),
    machines: new Map(),
    meters: [],
    alarms: [],
    lossBooking: cfg.lossBooking,
    offline: cfg.offline,
    lateHorizonMs,
    retentionMs: lateHorizonMs + LONGEST_WINDOW_MS,
    tree: undefined,
  };
  const machineOpts = {
    microStopMs: cfg.microStop,
    staleAfterMs: cfg.staleAfter,
    calendar,
  };
  for (const m of cfg.machines) parts.machines.set(m.device, new MachineTracker(m, machineOpts));
  const tariffs = new Map(cfg.tariffs.map((t) => [t.name, new TariffClock(t, tz)]));
  for (const m of cfg.meters) {
    parts.meters.push(new MeterTracker(m, m.tariff === undefined ? undefined : tariffs.get(m.tariff)));
  }
  for (const r of cfg.alarms) parts.alarms.push(new AlarmTracker(r));
  const tree = bindTree(cfg.energyTree, parts.meters, parts.machines);
  parts.tree = tree?.parts;
  for (const m of tree?.unconvertible ?? []) {
    log.warn(
      { meter: m.name, device: m.device, unit: m.unit },
      "meter unit does not convert to its carrier's unit (kWh, m3, kg, GJ): left out of the energy tree",
    );
  }

  // Routing: device → metric → consumers, built once.
  type Consumer =
    | { kind: 'machine'; t: MachineTracker; roles: MachineRole[] }
    | { kind: 'meter'; t: MeterTracker }
    | { kind: 'alarm'; t: AlarmTracker };
  const routes = new Map<string, Map<string, Consumer[]>>();
  const route = (device: string, metric: string, c: Consumer) => {
    const byMetric = routes.get(device) ?? new Map<string, Consumer[]>();
    byMetric.set(metric, [...(byMetric.get(metric) ?? []), c]);
    routes.set(device, byMetric);
  };
  for (const m of parts.machines.values()) {
    for (const [metric, roles] of m.metricRoles) route(m.device, metric, { kind: 'machine', t: m, roles });
  }
  for (const m of parts.meters) route(m.device, m.metric, { kind: 'meter', t: m });
  for (const a of parts.alarms) route(a.rule.device, a.rule.metric, { kind: 'alarm', t: a });

  const stats: AnalyticsStats = {
    samples: 0,
    tooLate: 0,
    future: 0,
    unknownStateValues: 0,
    unusableValues: 0,
    quarantinedDeltas: 0,
    counterResets: 0,
    counterWraps: 0,
  };
  const warned = new Set<string>();
  const warnOnce = (key: string, obj: Record<string, unknown>, msg: string) => {
    if (warned.has(key)) return;
    if (warned.size < 10_000) warned.add(key);
    log.warn(obj, msg);
  };

  let started = false;
  let lastTick: number | undefined;
  let lastTrim = Number.NEGATIVE_INFINITY;
  let restatePending = false;

  function countDelta(
    device: string,
    metric: string,
    series: Series,
    t: number,
    rules: { bits?: 16 | 32 | 64; maxDelta?: number },
  ): void {
    // Counts wraps, resets and quarantined jumps once, when a reading arrives in order.
    const n = series.length;
    if (n < 2 || series.times[n - 1] !== t) return;
    const prev = numeric(series.values[n - 2]);
    const cur = numeric(series.values[n - 1]);
    if (prev === undefined || cur === undefined) return;
    const { kind } = counterDelta(prev, cur, rules);
    if (kind === 'reset') {
      stats.counterResets++;
      log.info({ device, metric, from: prev, to: cur, at: t }, 'counter reset: counting from the new value');
    } else if (kind === 'wrap') stats.counterWraps++;
    else if (kind === 'quarantined') {
      stats.quarantinedDeltas++;
      log.warn(
        { device, metric, from: prev, to: cur, at: t, maxDelta: rules.maxDelta },
        'implausible counter increase quarantined: not summed',
      );
    }
  }

  const touchedMachines = new Set<MachineTracker>();
  const touchedAlarms = new Set<AlarmTracker>();

  function accept(s: HostSample, now: number, historicalRestore: boolean): void {
    const byMetric = routes.get(s.device);
    if (!byMetric) return;
    if (!historicalRestore && s.timestamp > now + FUTURE_TOLERANCE_MS) {
      stats.future++;
      warnOnce(
        `future:${s.device}`,
        { device: s.device, metric: s.metric, at: s.timestamp, now },
        'sample from the future (device clock ahead?): not used by analytics, stored raw by the sink (counted in future; further ones for this device are not logged)',
      );
      return;
    }
    if (!historicalRestore && s.timestamp < now - parts.lateHorizonMs) {
      stats.tooLate++;
      warnOnce(
        `late:${s.device}`,
        { device: s.device, metric: s.metric, at: s.timestamp, horizonMs: parts.lateHorizonMs },
        'sample older than the late-data horizon: stored raw by the sink, but no analytics window is recomputed (counted in tooLate; further ones for this device are not logged)',
      );
      return;
    }
    const bad = s.quality === 'bad';
    let value: StoredValue;
    if (bad || s.value === null) value = null;
    else if (typeof s.value === 'bigint') value = Number(s.value);
    else value = s.value;
    const machine = parts.machines.get(s.device);
    if (machine) {
      if (s.site) machine.site ??= s.site;
      if (s.node) machine.node = s.node;
      if (value !== null) machine.alive(s.timestamp);
      touchedMachines.add(machine);
    }
    for (const c of byMetric.get(s.metric) ?? []) {
      if (c.kind === 'machine') {
        const m = c.t;
        for (const role of c.roles) {
          if (role !== 'state' && role !== 'program' && value !== null && numeric(value) === undefined) {
            stats.unusableValues++;
            warnOnce(
              `unusable:${s.device}:${s.metric}`,
              { device: s.device, metric: s.metric, value: String(value) },
              'counter value is not a number: not used',
            );
            continue;
          }
          if (role === 'state' && value !== null && !m.mapping.map(value)) {
            stats.unknownStateValues++;
            warnOnce(
              `state:${s.device}:${String(value)}`,
              { device: s.device, metric: s.metric, value: String(value), bookedAs: m.unknownState },
              'state value not in the state map: booked as the unknown state',
            );
          }
          if (
            m.store(role, s.timestamp, value) &&
            (role === 'total' || role === 'good' || role === 'scrap')
          ) {
            if (!historicalRestore) {
              countDelta(s.device, s.metric, m.series[role] as Series, s.timestamp, m.rules[role]);
            }
          }
        }
      } else if (c.kind === 'meter') {
        const m = c.t;
        if (s.site) m.site ??= s.site;
        if (value !== null && numeric(value) === undefined) {
          stats.unusableValues++;
          warnOnce(
            `unusable:${s.device}:${s.metric}`,
            { device: s.device, metric: s.metric },
            'meter value is not a number: not used',
          );
          continue;
        }
        if (m.store(s.timestamp, value) && m.isCounter && !historicalRestore) {
          countDelta(s.device, s.metric, m.series, s.timestamp, m.counterRules);
        }
      } else {
        const a = c.t;
        if (s.site) a.site ??= s.site;
        if (a.insert(s.timestamp, value)) touchedAlarms.add(a);
      }
    }
  }

  function acceptStatus(st: DeviceStatus): void {
    // A device status, or the edge node's own (no device): then it applies to every machine behind that node.
    const targets =
      st.device === undefined
        ? [...parts.machines.values()].filter(
            (m) => m.node === st.node && (m.site === undefined || m.site === st.site),
          )
        : [parts.machines.get(st.device)].filter((m): m is MachineTracker => m !== undefined);
    for (const m of targets) {
      if (st.site) m.site ??= st.site;
      if (st.online) m.birth(st.timestamp);
      else m.death(st.timestamp);
      touchedMachines.add(m);
    }
  }

  function flushTouched(now: number, out: AnalyticsOutput, silent: boolean): void {
    for (const m of touchedMachines) stateChanges(m, now, out, silent);
    touchedMachines.clear();
    for (const a of touchedAlarms) alarmChanges(a, out, silent);
    touchedAlarms.clear();
  }

  function trim(now: number): void {
    if (now - lastTrim < 10 * 60_000) return;
    lastTrim = now;
    const cutoff = now - parts.retentionMs;
    for (const m of parts.machines.values()) {
      m.trim(cutoff);
      m.timeline = m.buildTimeline(now);
    }
    for (const m of parts.meters) m.trim(cutoff);
    for (const a of parts.alarms) {
      a.trim(cutoff);
      a.transitions = a.compute();
    }
  }

  async function resolveFactors(): Promise<void> {
    if (parts.tree !== undefined && parts.tree.coal === undefined) {
      parts.tree.coal = resolveCoal(
        cfg.standardCoal,
        deps.coal ?? (await loadCoalTable(cfg.emissions.factorsFile)),
      );
    }
    const needsTable = parts.meters.some((m) => SCOPE[m.carrier] !== undefined);
    if (!needsTable) return;
    const table = deps.factors ?? (await loadFactorTable(cfg.emissions.factorsFile));
    for (const m of parts.meters) {
      const carrier = m.carrier;
      if (
        carrier !== 'electricity' &&
        carrier !== 'natural_gas' &&
        carrier !== 'diesel' &&
        carrier !== 'steam'
      )
        continue;
      const ref = cfg.emissions.factors[carrier];
      const f = resolveFactor(ref, table, m.unit);
      const scale = unitScale(m.unit, f.per);
      if (scale === undefined) {
        log.warn(
          { meter: m.name, device: m.device, unit: m.unit, factorPer: f.per, factor: f.key },
          'meter unit does not convert to the emission factor unit: no emissions for this meter',
        );
        continue;
      }
      m.factor = f;
      m.factorScale = scale;
    }
  }

  return {
    async rebuild(now, signal) {
      // Whatever fails here, the engine is usable afterwards (from empty state, or without emissions when the
      // factors cannot be resolved); the error goes to the caller, who may call rebuild again.
      try {
        await resolveFactors();
        const from = now - parts.retentionMs;
        const restored = await restoreFromInflux(
          parts,
          deps.query,
          from,
          now,
          log,
          signal,
          deps.telemetryFrom,
        );
        for (const s of restored.samples) accept(s, now, true);
        for (const st of restored.status) acceptStatus(st);
        const sink: AnalyticsOutput = { points: [], events: [] };
        flushTouched(now, sink, true);
        for (const m of parts.machines.values()) {
          m.timeline = m.buildTimeline(now);
          m.markDirty(from);
        }
        for (const m of parts.meters) m.markDirty(from);
        restatePending = true;
        lastTrim = now;
        log.info(
          {
            samples: restored.samples.length,
            status: restored.status.length,
            from: new Date(from).toISOString(),
          },
          'analytics state rebuilt from InfluxDB',
        );
      } finally {
        started = true;
      }
    },

    uses(device) {
      return routes.has(device);
    },

    ingest(samples, status = []) {
      if (!started) throw new AnalyticsStateError('analytics: call rebuild(now) before ingest()');
      const now = clock();
      const out: AnalyticsOutput = { points: [], events: [] };
      stats.samples += samples.length;
      // only devices an analytic uses are looked at: one route lookup per run of samples of one device (a
      // message holds one device's values), none per value of the others
      let device: string | undefined;
      let routed = false;
      for (const s of samples) {
        if (s.device !== device) {
          device = s.device;
          routed = routes.has(device);
        }
        if (routed) accept(s, now, false);
      }
      for (const st of status) acceptStatus(st);
      flushTouched(now, out, false);
      return out;
    },

    tick(now) {
      if (!started) throw new AnalyticsStateError('analytics: call rebuild(now) before tick()');
      const out: AnalyticsOutput = { points: [], events: [] };
      trim(now);
      for (const m of parts.machines.values()) touchedMachines.add(m);
      flushTouched(now, out, false);
      if (restatePending) {
        restatePending = false;
        for (const m of parts.machines.values()) {
          if (m.site === undefined) continue;
          for (const rec of m.timeline) {
            if (rec.start >= now - parts.retentionMs) out.points.push(statePoint(m.site, m.device, rec));
          }
        }
      }
      // Windows are (re)written at most once per minute of `now`, or at once when late data touched a window
      // already written; dirty ranges are kept until then.
      const since = lastTick ?? now;
      // Dirty ranges are kept, so waiting is always correct; only data older than the minute before `since`
      // (a meter reading spreads back to the previous one) is worth writing at once.
      const sinceMinute = Math.floor(since / MINUTE) * MINUTE - MINUTE;
      const late =
        [...parts.machines.values()].some((m) => m.dirtyFrom < sinceMinute) ||
        parts.meters.some((m) => m.dirtyFrom < sinceMinute);
      if (lastTick === undefined || late || Math.floor(now / MINUTE) !== Math.floor(since / MINUTE)) {
        const points: Point[] = emitWindows(parts, since, now);
        out.points.push(...points);
        lastTick = now;
      }
      return out;
    },

    stats() {
      return { ...stats };
    },
  };
}
