import { effectivePointType } from '../../config/agent-checks.js';
import { deriveOutputs, deriveProblems } from '../../config/derive-checks.js';
import { formatKeyPath } from '../../config/key-path.js';
import type { AgentDevice } from '../../config/schemas/agent.js';
import { toMs } from '../../config/schemas/common.js';
import type { SignalType } from '../../config/schemas/derive.js';
import type { CycleOptions } from './cycle-detector.js';
import type { DeriveProblem } from './errors.js';
import type { PhaseModel } from './power-energy.js';
import type { StateThresholds } from './state-detector.js';

/**
 * A device's `derive` section, checked against the metrics the device actually produces (config/derive-checks.ts,
 * the same rules the config loader applies) and resolved into what the runtime needs: milliseconds, register
 * widths. Pure: all problems are returned at once.
 */
export const DERIVED_NAMES = {
  state: 'state',
  partCount: 'part_count',
  cycleTime: 'cycle_time_s',
  power: 'power_kw',
  energy: 'energy_kwh',
} as const;

export const DEFAULT_MIN_DWELL_MS = 5_000;
export const DEFAULT_ENERGY_MAX_GAP_MS = 60_000;

export interface SignalPlan {
  name: string;
  from: string;
  type: SignalType;
  min: number;
  max: number;
  unit?: string;
  fault?: string;
}

export interface DerivePlan {
  signals: SignalPlan[];
  power?: { current: string; model: PhaseModel; maxGapMs: number };
  state?: { from: string; thresholds: StateThresholds };
  counter?: { from: string; bits: 16 | 32 | 64; maxPerSecond?: number };
  cycles?: { from: string; options: CycleOptions };
}

const TYPE_BITS: Record<string, 16 | 32 | 64> = {
  int16: 16,
  uint16: 16,
  int32: 32,
  uint32: 32,
  int64: 64,
  uint64: 64,
};

/** Names of the metrics the device's sources produce, with the decoded Modbus type where known. */
export function sourceMetrics(device: AgentDevice): Map<string, string | undefined> {
  const m = new Map<string, string | undefined>();
  for (const g of device.poll ?? []) for (const p of g.points) m.set(p.name, effectivePointType(p));
  for (const s of device.subscribe ?? []) m.set(s.name, undefined);
  for (const g of device.read ?? []) for (const n of g.nodes) m.set(n.name, undefined);
  return m;
}

export function planDerive(device: AgentDevice): { plan: DerivePlan | undefined; problems: DeriveProblem[] } {
  const d = device.derive;
  if (d === undefined) return { plan: undefined, problems: [] };
  const src = sourceMetrics(device);
  const problems = deriveProblems(d, device.id, src).map((p) => ({
    path: `devices[${device.id}].derive.${formatKeyPath(p.path)}`,
    message: p.message,
  }));
  const taken = new Set(src.keys());
  for (const o of deriveOutputs(d)) {
    if (taken.has(o.name)) {
      problems.push({
        path: `devices[${device.id}].derive.${formatKeyPath(o.path)}`,
        message: `duplicate metric name "${o.name}" on device "${device.id}"`,
      });
    }
    taken.add(o.name);
  }
  const plan: DerivePlan = { signals: [] };
  for (const [name, s] of Object.entries(d.signals ?? {})) {
    const sp: SignalPlan = { name, from: s.from, type: s.type, min: s.min, max: s.max };
    if (s.unit !== undefined) sp.unit = s.unit;
    if (s.fault !== undefined) sp.fault = s.fault;
    plan.signals.push(sp);
  }
  if (d.power_kw !== undefined) {
    const p = d.power_kw;
    const spec = 'threePhase' in p ? p.threePhase : p.singlePhase;
    plan.power = {
      current: spec.current,
      model: { phases: 'threePhase' in p ? 3 : 1, voltage: spec.voltage, powerFactor: spec.powerFactor },
      maxGapMs: p.maxGap === undefined ? DEFAULT_ENERGY_MAX_GAP_MS : toMs(p.maxGap),
    };
  }
  if (d.state !== undefined) {
    const s = d.state;
    plan.state = {
      from: s.from,
      thresholds: {
        off: s.off,
        running: s.running,
        hysteresis: s.hysteresis ?? 0,
        minDwellMs: s.minDwell === undefined ? DEFAULT_MIN_DWELL_MS : toMs(s.minDwell),
      },
    };
  }
  const pc = d.part_count;
  if (pc !== undefined && 'counter' in pc) {
    const bits = pc.bits ?? TYPE_BITS[src.get(pc.from) ?? ''] ?? 32;
    plan.counter = { from: pc.from, bits };
    if (pc.maxPerSecond !== undefined) plan.counter.maxPerSecond = pc.maxPerSecond;
  } else if (pc !== undefined) {
    const minDurationMs = toMs(pc.cycles.minDuration);
    plan.cycles = {
      from: pc.from,
      options: {
        threshold: pc.cycles.threshold,
        hysteresis: pc.cycles.hysteresis ?? 0,
        minDurationMs,
        maxCycleMs: pc.cycles.maxCycleTime === undefined ? 10 * minDurationMs : toMs(pc.cycles.maxCycleTime),
      },
    };
  }
  return { plan, problems };
}
