import { formatKeyPath } from '../../config/key-path.js';
import type { AnyDevice } from '../sources/component.js';
import { declaredMetrics } from '../sources/registry.js';
import type { CycleOptions } from './cycle-detector.js';
import { checkDerive } from './derive-check.js';
import type { SignalType } from './derive-spec.js';
import type { DeriveProblem } from './errors.js';
import type { PhaseModel } from './power-energy.js';
import type { StateThresholds } from './state-detector.js';

/**
 * A device's `derive` section, checked against the metrics its sources declare (checkDerive, the same function the
 * device check runs for `plantpulse check` and at start) and planned into what the runtime needs: register widths,
 * computed defaults. Pure: all problems are returned at once.
 */
export const DERIVED_NAMES = {
  state: 'state',
  partCount: 'part_count',
  cycleTime: 'cycle_time_s',
  power: 'power_kw',
  energy: 'energy_kwh',
} as const;

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

export function planDerive(device: AnyDevice): { plan: DerivePlan | undefined; problems: DeriveProblem[] } {
  const d = device.derive;
  if (d === undefined) return { plan: undefined, problems: [] };
  const metrics = declaredMetrics(device);
  const problems = checkDerive(d, device.id, metrics).map((p) => ({
    path: `devices[${device.id}].derive.${formatKeyPath(p.path)}`,
    message: p.message,
  }));
  const typeOf = new Map(metrics.map((m) => [m.name, m.type]));
  const plan: DerivePlan = { signals: [] };
  for (const [name, s] of Object.entries(d.signals)) {
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
      maxGapMs: p.maxGap,
    };
  }
  if (d.state !== undefined) {
    const s = d.state;
    plan.state = {
      from: s.from,
      thresholds: {
        off: s.off,
        running: s.running,
        hysteresis: s.hysteresis,
        minDwellMs: s.minDwell,
      },
    };
  }
  const pc = d.part_count;
  if (pc !== undefined && 'counter' in pc) {
    const bits = pc.bits ?? TYPE_BITS[typeOf.get(pc.from) ?? ''] ?? 32;
    plan.counter = { from: pc.from, bits };
    if (pc.maxPerSecond !== undefined) plan.counter.maxPerSecond = pc.maxPerSecond;
  } else if (pc !== undefined) {
    const minDurationMs = pc.cycles.minDuration;
    plan.cycles = {
      from: pc.from,
      options: {
        threshold: pc.cycles.threshold,
        hysteresis: pc.cycles.hysteresis,
        minDurationMs,
        maxCycleMs: pc.cycles.maxCycleTime ?? 10 * minDurationMs,
      },
    };
  }
  return { plan, problems };
}
