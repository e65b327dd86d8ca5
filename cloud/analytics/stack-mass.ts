/**
 * Emitted mass of a pollutant at an outlet (stack or wastewater outlet): mass = ∫ concentration × flow dt, each
 * reading held until the next one (as a datalogger holds its real-time values), never across a gap longer than
 * `maxGapMs` (no data is no emission counted, not an invented one). Units convert to kg: mg/m³ × m³/h over an
 * hour is mg, 1e-6 kg; mg/L × L/s over a second is mg. Pure.
 */

/** kg per m³ of one concentration unit */
const CONCENTRATION_KG_PER_M3: Record<string, number> = {
  'mg/m3': 1e-6,
  'ug/m3': 1e-9,
  'µg/m3': 1e-9,
  'μg/m3': 1e-9,
  'g/m3': 1e-3,
  'mg/l': 1e-3,
  'g/l': 1,
};

/** m³/s per one flow unit */
const FLOW_M3_PER_S: Record<string, number> = {
  'm3/s': 1,
  'm3/min': 1 / 60,
  'm3/h': 1 / 3600,
  'l/s': 1e-3,
  'l/min': 1e-3 / 60,
  'l/h': 1e-3 / 3600,
};

const norm = (u: string) =>
  u
    .trim()
    .toLowerCase()
    .replace(/³/g, '3')
    .replace(/^nm3/, 'm3')
    .replace(/\/nm3$/, '/m3');

/**
 * The factor that turns concentration × flow (in these units) into kg per second; undefined when a unit is not a
 * concentration or flow unit we know.
 */
export function massRateFactor(concentrationUnit: string, flowUnit: string): number | undefined {
  const c = CONCENTRATION_KG_PER_M3[norm(concentrationUnit)];
  const q = FLOW_M3_PER_S[norm(flowUnit)];
  return c === undefined || q === undefined ? undefined : c * q;
}

export interface Reading {
  t: number;
  v: number;
}

/**
 * kg emitted in [from, to): concentration and flow readings (each time-ordered, possibly starting before `from`),
 * each held until its next reading or for at most `maxGapMs`.
 */
export function emittedKg(
  concentration: readonly Reading[],
  flow: readonly Reading[],
  from: number,
  to: number,
  factor: number,
  maxGapMs: number,
): number {
  const times = [...new Set([...concentration, ...flow].map((r) => r.t))].sort((a, b) => a - b);
  let ci = -1;
  let fi = -1;
  let kg = 0;
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    while (ci + 1 < concentration.length && (concentration[ci + 1] as Reading).t <= t) ci++;
    while (fi + 1 < flow.length && (flow[fi + 1] as Reading).t <= t) fi++;
    const c = concentration[ci];
    const q = flow[fi];
    if (c === undefined || q === undefined) continue;
    const next = times[k + 1] ?? Number.POSITIVE_INFINITY;
    // held until the next reading of either series, and each only maxGap past its own time
    const end = Math.min(next, c.t + maxGapMs, q.t + maxGapMs, to);
    const start = Math.max(t, from);
    if (end > start) kg += (c.v * q.v * factor * (end - start)) / 1000;
  }
  return kg;
}

/** kg per window of `windowMs` (aligned to multiples of it since the epoch) over [from, to). */
export function emittedKgByWindow(
  concentration: readonly Reading[],
  flow: readonly Reading[],
  from: number,
  to: number,
  windowMs: number,
  factor: number,
  maxGapMs: number,
): { time: number; kg: number }[] {
  const out: { time: number; kg: number }[] = [];
  for (let w = Math.floor(from / windowMs) * windowMs; w < to; w += windowMs) {
    const kg = emittedKg(
      concentration,
      flow,
      Math.max(w, from),
      Math.min(w + windowMs, to),
      factor,
      maxGapMs,
    );
    out.push({ time: w, kg });
  }
  return out;
}
