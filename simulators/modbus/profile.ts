/**
 * A simulated device's register map, declared with the same point vocabulary as the agent's config, plus the
 * behaviour that moves each value over (simulated) time.
 */
import type { ModbusPointSpec } from '../../protocols/modbus/point.js';
import type { ModbusValue } from '../../protocols/modbus/register-codec.js';

export interface BehaviourContext {
  /** simulated milliseconds since the simulator started (real time × speed) */
  t: number;
  /** the point's current engineering value */
  value: ModbusValue;
  /** another point's current engineering value (behaviours may depend on each other: power follows state) */
  get(name: string): ModbusValue;
}

export type Behaviour = (ctx: BehaviourContext) => ModbusValue;

export interface SimPoint extends ModbusPointSpec {
  /** engineering value at start (after scale/offset, as the agent will report it) */
  initial: ModbusValue;
  behaviour?: Behaviour;
}

export interface SimProfile {
  name: string;
  /** the unit id this device answers to (default 1) */
  unitId?: number;
  /** simulated ms between behaviour updates (default 1000) */
  tickMs?: number;
  /** answer exception 2 (illegal data address) for registers no point declares, like a real PLC (default false) */
  strictAddresses?: boolean;
  /** points are evaluated in order on each tick: put the ones others depend on first */
  points: SimPoint[];
}

/** The agent-side point list for a profile: what to put under `poll[].points` to read this device. */
export function agentPoints(profile: SimProfile): ModbusPointSpec[] {
  return profile.points.map(({ initial: _i, behaviour: _b, ...spec }) => spec);
}
