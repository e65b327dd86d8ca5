/**
 * OEE components (ISO 22400-2 / Nakajima, docs/architecture.md#oee). Components are computed per minute and
 * summed into windows and roll-ups (never averaging ratios); the ratios are derived from the sums. Pure.
 */
import type { Interval } from './intervals.js';
import { overlap } from './intervals.js';
import type { StateRecord } from './state-timeline.js';
import type { MachineState } from './types.js';

/** Additive time (ms) and count components of one machine over some span. */
export interface Components {
  /** calendar planned time (shifts − breaks − calendar planned stops) */
  calendarMs: number;
  runMs: number;
  idleMs: number;
  downMs: number;
  setupMs: number;
  plannedStopMs: number;
  offlineMs: number;
  /** of idle + down: stops no longer than the micro-stop threshold */
  microMs: number;
  total: number;
  /** counted by a good counter; NaN-free: 0 when not used */
  good: number;
  scrap: number;
  /** Σ ideal cycle × parts (ms) */
  idealTotalMs: number;
  idealGoodMs: number;
  idealScrapMs: number;
}

export function zero(): Components {
  return {
    calendarMs: 0,
    runMs: 0,
    idleMs: 0,
    downMs: 0,
    setupMs: 0,
    plannedStopMs: 0,
    offlineMs: 0,
    microMs: 0,
    total: 0,
    good: 0,
    scrap: 0,
    idealTotalMs: 0,
    idealGoodMs: 0,
    idealScrapMs: 0,
  };
}

export function add(into: Components, c: Components): Components {
  into.calendarMs += c.calendarMs;
  into.runMs += c.runMs;
  into.idleMs += c.idleMs;
  into.downMs += c.downMs;
  into.setupMs += c.setupMs;
  into.plannedStopMs += c.plannedStopMs;
  into.offlineMs += c.offlineMs;
  into.microMs += c.microMs;
  into.total += c.total;
  into.good += c.good;
  into.scrap += c.scrap;
  into.idealTotalMs += c.idealTotalMs;
  into.idealGoodMs += c.idealGoodMs;
  into.idealScrapMs += c.idealScrapMs;
  return into;
}

export function isEmpty(c: Components): boolean {
  return Object.values(c).every((v) => v === 0);
}

const FIELD: Record<MachineState, keyof Components> = {
  running: 'runMs',
  idle: 'idleMs',
  down: 'downMs',
  setup: 'setupMs',
  planned_stop: 'plannedStopMs',
  offline: 'offlineMs',
};

/** Books the state timeline's time inside `planned` (sorted, within [from, to)) into `c`. */
export function bookStates(
  c: Components,
  timeline: readonly StateRecord[],
  planned: readonly Interval[],
  from: number,
  to: number,
  now: number,
): void {
  // Planned time counts up to now: an open window shows the window so far.
  const plannedMs = overlap(planned, from, Math.min(to, now));
  c.calendarMs += plannedMs;
  if (plannedMs === 0) return;
  let covered = 0;
  for (const r of timeline) {
    const end = r.end ?? now;
    if (end <= from) continue;
    if (r.start >= to) break;
    const ms = overlap(planned, Math.max(r.start, from), Math.min(end, to));
    if (ms <= 0) continue;
    c[FIELD[r.state]] += ms;
    if (r.micro) c.microMs += ms;
    covered += ms;
  }
  // Planned time with no state at all (before the first data, or after now): no data = offline.
  const uncovered = overlap(planned, from, Math.min(to, now)) - covered;
  if (uncovered > 0) c.offlineMs += uncovered;
}

export type LossBooking = 'iso22400' | 'nakajima';

export interface OeeFigures {
  planned_s: number;
  run_s: number;
  down_s: number;
  setup_s: number;
  idle_s: number;
  micro_s: number;
  offline_s: number;
  planned_stop_s: number;
  total_count: number;
  good_count: number;
  ideal_s: number;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
}

/**
 * Ratios from summed components. ISO 22400: micro-stops stay in down time (availability loss); Nakajima: they are
 * booked into run time (performance loss). Setup is an availability loss in both. Offline is down time ('loss') or
 * taken out of planned time ('exclude'). OEE = Σ ideal × good / planned, which equals A × P × Q for one ideal cycle.
 */
export function figures(
  c: Components,
  booking: LossBooking,
  offline: 'loss' | 'exclude',
  goodSource: 'counter' | 'scrap' | 'total',
): OeeFigures {
  const micro = booking === 'nakajima' ? c.microMs : 0;
  const offlineLoss = offline === 'loss' ? c.offlineMs : 0;
  const plannedMs = c.calendarMs - c.plannedStopMs - (offline === 'exclude' ? c.offlineMs : 0);
  const runMs = c.runMs + micro;
  const downMs = c.idleMs + c.downMs - micro + offlineLoss;
  const total = c.total;
  const good =
    goodSource === 'counter' ? c.good : goodSource === 'scrap' ? Math.max(0, total - c.scrap) : total;
  const idealGood =
    goodSource === 'counter'
      ? c.idealGoodMs
      : goodSource === 'scrap'
        ? Math.max(0, c.idealTotalMs - c.idealScrapMs)
        : c.idealTotalMs;
  const f: OeeFigures = {
    planned_s: plannedMs / 1000,
    run_s: runMs / 1000,
    down_s: downMs / 1000,
    setup_s: c.setupMs / 1000,
    idle_s: c.idleMs / 1000,
    micro_s: c.microMs / 1000,
    offline_s: c.offlineMs / 1000,
    planned_stop_s: c.plannedStopMs / 1000,
    total_count: total,
    good_count: good,
    ideal_s: c.idealTotalMs / 1000,
    // Every field is written every time, so a recomputed point never keeps a stale ratio: an empty denominator
    // gives 0 (quality: 1, no part was bad); the components say which case it is.
    availability: plannedMs > 0 ? runMs / plannedMs : 0,
    performance: runMs > 0 ? c.idealTotalMs / runMs : 0,
    quality: total > 0 ? good / total : 1,
    oee: plannedMs > 0 ? idealGood / plannedMs : 0,
  };
  return f;
}

/** MTBF and MTTR over [from, to) from the timeline: failures are down states (not micro-stops) in planned time. */
export function reliability(
  timeline: readonly StateRecord[],
  planned: readonly Interval[],
  from: number,
  to: number,
  now: number,
): { failures: number; mtbf_s: number; mttr_s: number } {
  let failures = 0;
  let repairMs = 0;
  let operatingMs = 0;
  for (const r of timeline) {
    const end = r.end ?? now;
    if (end <= from) continue;
    if (r.start >= to) break;
    const ms = overlap(planned, Math.max(r.start, from), Math.min(end, to));
    if (r.state === 'running' || r.state === 'setup') operatingMs += ms;
    if (r.state === 'down' && !r.micro && ms > 0) {
      if (r.start >= from) failures++;
      repairMs += ms;
    }
  }
  // No failure: 0 for both (written every time so a recomputed day never keeps a stale value).
  if (failures === 0) return { failures, mtbf_s: 0, mttr_s: 0 };
  return { failures, mtbf_s: operatingMs / 1000 / failures, mttr_s: repairMs / 1000 / failures };
}
