import type { AgentDevice } from '../../config/schemas/agent.js';
import { toMs } from '../../config/schemas/common.js';
import type { SignalType } from '../../config/schemas/derive.js';
import type { CycleOptions } from './cycle-detector.js';
import type { DeriveProblem } from './errors.js';
import type { PhaseModel } from './power-energy.js';
import type { StateThresholds } from './state-detector.js';

/**
 * A device's `derive` section, checked against the metrics the device actually produces and resolved into
 * what the runtime needs (milliseconds, register widths). Pure: all problems are returned at once.
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

/** Names of the metrics the device's sources produce, with the Modbus type where known. */
export function sourceMetrics(device: AgentDevice): Map<string, string | undefined> {
  const m = new Map<string, string | undefined>();
  for (const g of device.poll ?? []) for (const p of g.points) m.set(p.name, p.type ?? 'uint16');
  for (const s of device.subscribe ?? []) m.set(s.name, undefined);
  for (const g of device.read ?? []) for (const n of g.nodes) m.set(n.name, undefined);
  return m;
}

export function planDerive(device: AgentDevice): { plan: DerivePlan | undefined; problems: DeriveProblem[] } {
  const d = device.derive;
  if (d === undefined) return { plan: undefined, problems: [] };
  const base = `devices[${device.id}].derive`;
  const problems: DeriveProblem[] = [];
  const src = sourceMetrics(device);
  const plan: DerivePlan = { signals: [] };
  const taken = new Set(src.keys());
  const claim = (name: string, path: string) => {
    if (taken.has(name)) problems.push({ path, message: `metric ${name} already exists on this device` });
    taken.add(name);
  };
  const needSource = (name: string, path: string) => {
    if (!src.has(name)) problems.push({ path, message: `${name} is not a metric this device reads` });
  };

  const signalNames = new Set<string>();
  for (const [name, s] of Object.entries(d.signals ?? {})) {
    const path = `${base}.signals.${name}`;
    claim(name, path);
    needSource(s.from, `${path}.from`);
    if (s.fault !== undefined) needSource(s.fault, `${path}.fault`);
    if (s.min === s.max) problems.push({ path, message: 'min and max must differ' });
    const sp: SignalPlan = { name, from: s.from, type: s.type, min: s.min, max: s.max };
    if (s.unit !== undefined) sp.unit = s.unit;
    if (s.fault !== undefined) sp.fault = s.fault;
    plan.signals.push(sp);
    signalNames.add(name);
  }
  const analogue = (name: string, path: string, allowPower: boolean) => {
    if (src.has(name) || signalNames.has(name)) return;
    if (allowPower && name === DERIVED_NAMES.power && d.power_kw !== undefined) return;
    problems.push({ path, message: `${name} is neither a metric this device reads nor a derived signal` });
  };

  if (d.power_kw !== undefined) {
    const p = d.power_kw;
    const spec = 'threePhase' in p ? p.threePhase : p.singlePhase;
    const key = 'threePhase' in p ? 'threePhase' : 'singlePhase';
    analogue(spec.current, `${base}.power_kw.${key}.current`, false);
    claim(DERIVED_NAMES.power, `${base}.power_kw`);
    claim(DERIVED_NAMES.energy, `${base}.power_kw`);
    plan.power = {
      current: spec.current,
      model: { phases: 'threePhase' in p ? 3 : 1, voltage: spec.voltage, powerFactor: spec.powerFactor },
      maxGapMs: p.maxGap === undefined ? DEFAULT_ENERGY_MAX_GAP_MS : toMs(p.maxGap),
    };
  }

  if (d.state !== undefined) {
    const s = d.state;
    const path = `${base}.state`;
    analogue(s.from, `${path}.from`, true);
    claim(DERIVED_NAMES.state, path);
    const hysteresis = s.hysteresis ?? 0;
    if (!(s.off < s.running))
      problems.push({ path, message: `off (${s.off}) must be below running (${s.running})` });
    else if (hysteresis >= s.running - s.off) {
      problems.push({
        path: `${path}.hysteresis`,
        message: `hysteresis ${hysteresis} must be smaller than running − off (${s.running - s.off})`,
      });
    }
    plan.state = {
      from: s.from,
      thresholds: {
        off: s.off,
        running: s.running,
        hysteresis,
        minDwellMs: s.minDwell === undefined ? DEFAULT_MIN_DWELL_MS : toMs(s.minDwell),
      },
    };
  }

  if (d.part_count !== undefined) {
    const pc = d.part_count;
    const path = `${base}.part_count`;
    claim(DERIVED_NAMES.partCount, path);
    if ('counter' in pc) {
      needSource(pc.from, `${path}.from`);
      const bits = pc.bits ?? TYPE_BITS[src.get(pc.from) ?? ''];
      if (bits === undefined) {
        if (src.has(pc.from)) {
          problems.push({
            path: `${path}.bits`,
            message: `cannot tell the register width of ${pc.from}: set bits (16, 32 or 64)`,
          });
        }
      } else {
        plan.counter = { from: pc.from, bits };
        if (pc.maxPerSecond !== undefined) plan.counter.maxPerSecond = pc.maxPerSecond;
      }
    } else {
      analogue(pc.from, `${path}.from`, true);
      claim(DERIVED_NAMES.cycleTime, path);
      const minDurationMs = toMs(pc.cycles.minDuration);
      const hysteresis = pc.cycles.hysteresis ?? 0;
      plan.cycles = {
        from: pc.from,
        options: {
          threshold: pc.cycles.threshold,
          hysteresis,
          minDurationMs,
          maxCycleMs:
            pc.cycles.maxCycleTime === undefined ? 10 * minDurationMs : toMs(pc.cycles.maxCycleTime),
        },
      };
    }
  }
  return { plan, problems };
}
