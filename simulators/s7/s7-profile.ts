/**
 * A simulated S7 PLC's variables, declared with the agent's point vocabulary (protocols/s7/point.ts) plus the
 * behaviour that moves each value over time; and the two profiles of the scenario's machines, `press` and `cnc`.
 */

import type { S7Value } from '../../protocols/s7/codec.js';
import type { S7PointSpec } from '../../protocols/s7/point.js';

export interface S7BehaviourContext {
  /** ms since the simulator started */
  t: number;
  /** the variable's current value */
  value: S7Value;
  /** another variable's current value */
  get(name: string): S7Value;
}

export interface S7SimVariable extends S7PointSpec {
  initial: S7Value;
  behaviour?: (ctx: S7BehaviourContext) => S7Value;
}

export interface S7Profile {
  name: string;
  /** ms between behaviour updates (default 1000) */
  tickMs?: number;
  /** evaluated in order on each tick: put the ones others depend on first */
  variables: S7SimVariable[];
}

/** The agent-side point list for a profile: what to put under `variables[].points` to read this PLC. */
export function s7AgentPoints(profile: S7Profile): S7PointSpec[] {
  return profile.variables.map(({ initial: _i, behaviour: _b, ...spec }) => spec);
}

const STATE = { running: 1, idle: 2, down: 3 } as const;
const CYCLE_MS = 60_000;
function stateAt(t: number): number {
  const phase = t % CYCLE_MS;
  return phase < 40_000 ? STATE.running : phase < 50_000 ? STATE.idle : STATE.down;
}
const num = (v: S7Value) => (typeof v === 'number' ? v : Number(v));
/** counts up once every `everyMs` while the machine runs */
const countWhileRunning =
  (everyMs: number) =>
  ({ t, value, get }: S7BehaviourContext) =>
    get('state_code') === STATE.running && Math.floor(t / 1000) % Math.round(everyMs / 1000) === 0
      ? num(value) + 1
      : value;

/**
 * The press line's S7-1200 (the scenario's press on Siemens): DB1 holds the machine data, every S7 type the agent
 * reads appears once, and the I/Q/M/T/C areas carry a door switch, the motor contactor, a heartbeat byte, a stroke
 * timer and a die-change counter.
 */
export function s7PressProfile(): S7Profile {
  const started = Date.now();
  return {
    name: 'press',
    tickMs: 1000,
    variables: [
      {
        name: 'state_code',
        address: 'DB1.DBW0',
        type: 'int',
        initial: STATE.running,
        behaviour: ({ t }) => stateAt(t),
      },
      {
        name: 'part_count',
        address: 'DB1.DBD2',
        type: 'dint',
        initial: 0,
        behaviour: countWhileRunning(2000),
      },
      {
        name: 'scrap_count',
        address: 'DB1.DBD6',
        type: 'dint',
        initial: 0,
        behaviour: countWhileRunning(30_000),
      },
      {
        name: 'stroke_rate',
        address: 'DB1.DBW10',
        type: 'int',
        unit: 'spm',
        initial: 30,
        behaviour: ({ get }) => (get('state_code') === STATE.running ? 30 : 0),
      },
      {
        name: 'power_kw',
        address: 'DB1.DBD12',
        type: 'real',
        unit: 'kW',
        initial: 45,
        behaviour: ({ t, get }) =>
          get('state_code') === STATE.running
            ? 45 + 3 * Math.sin(t / 7000)
            : get('state_code') === STATE.idle
              ? 8.2
              : 0.4,
      },
      {
        name: 'energy_kwh',
        address: 'DB1.16',
        type: 'lreal',
        unit: 'kWh',
        initial: 1200,
        behaviour: ({ value, get }) => num(value) + num(get('power_kw')) / 3600,
      },
      { name: 'die_name', address: 'DB1.24', type: 'string', length: 16, initial: 'DIE-4711' },
      { name: 'die_changed_at', address: 'DB1.42', type: 'date_and_time', initial: started - 3_600_000 },
      {
        name: 'running',
        address: 'DB1.DBX50.0',
        initial: true,
        behaviour: ({ get }) => get('state_code') === STATE.running,
      },
      { name: 'quality_grade', address: 'DB1.DBB51', type: 'char', initial: 'A' },
      { name: 'heartbeat', address: 'MB0', initial: 0, behaviour: ({ value }) => (num(value) + 1) % 256 },
      {
        name: 'alarm_word',
        address: 'MW2',
        initial: 0,
        behaviour: ({ get }) => (get('state_code') === STATE.down ? 0x0004 : 0),
      },
      {
        name: 'operating_seconds',
        address: 'MD4',
        initial: 86_400,
        behaviour: ({ value }) => num(value) + 1,
      },
      {
        name: 'door_closed',
        address: 'I0.0',
        initial: true,
        behaviour: ({ get }) => get('state_code') !== STATE.down,
      },
      {
        name: 'motor_on',
        address: 'Q0.0',
        initial: true,
        behaviour: ({ get }) => get('state_code') !== STATE.down,
      },
      { name: 'stroke_timer', address: 'T0', initial: 0x1234 },
      { name: 'die_changes', address: 'C0', initial: 7 },
    ],
  };
}

/** A CNC on an S7-1500 (SINUMERIK-style PLC data in DB2): state, counters, spindle, program, alarm. */
export function s7CncProfile(): S7Profile {
  return {
    name: 'cnc',
    tickMs: 1000,
    variables: [
      {
        name: 'state_code',
        address: 'DB2.DBW0',
        type: 'int',
        initial: STATE.running,
        behaviour: ({ t }) => stateAt(t),
      },
      {
        name: 'part_count',
        address: 'DB2.DBD2',
        type: 'dint',
        initial: 0,
        behaviour: countWhileRunning(20_000),
      },
      { name: 'scrap_count', address: 'DB2.DBD6', type: 'dint', initial: 0 },
      {
        name: 'spindle_rpm',
        address: 'DB2.DBD10',
        type: 'real',
        unit: 'rpm',
        initial: 8000,
        behaviour: ({ t, get }) =>
          get('state_code') === STATE.running ? 8000 + 200 * Math.sin(t / 5000) : 0,
      },
      {
        name: 'spindle_load_pct',
        address: 'DB2.DBD14',
        type: 'real',
        unit: '%',
        initial: 40,
        behaviour: ({ t, get }) => (get('state_code') === STATE.running ? 40 + 15 * Math.sin(t / 9000) : 0),
      },
      { name: 'program', address: 'DB2.18', type: 'string', length: 24, initial: 'O1234_FLANGE' },
      {
        name: 'alarm_active',
        address: 'DB2.DBX44.0',
        initial: false,
        behaviour: ({ get }) => get('state_code') === STATE.down,
      },
      {
        name: 'power_kw',
        address: 'DB2.DBD46',
        type: 'real',
        unit: 'kW',
        initial: 18,
        behaviour: ({ get }) =>
          get('state_code') === STATE.running ? 18 : get('state_code') === STATE.idle ? 4 : 0.3,
      },
      {
        name: 'energy_kwh',
        address: 'DB2.50',
        type: 'lreal',
        unit: 'kWh',
        initial: 5000,
        behaviour: ({ value, get }) => num(value) + num(get('power_kw')) / 3600,
      },
    ],
  };
}

export const S7_PROFILES = { press: s7PressProfile, cnc: s7CncProfile } as const;
export type S7ProfileName = keyof typeof S7_PROFILES;

/** The scenario press's metrics on an S7-1200 (the first variables of the press profile): the agent reads these. */
export const S7_PRESS_MAP: readonly S7PointSpec[] = s7AgentPoints(s7PressProfile()).slice(0, 6);

/** An S7 profile whose variables read `valuesAt(now)` (the scenario's plant model) on every tick. */
export function s7SignalProfile(
  name: string,
  map: readonly S7PointSpec[],
  valuesAt: (t: number) => Record<string, unknown>,
  tickMs = 500,
): S7Profile {
  const value = (metric: string): S7Value => {
    const v = valuesAt(Date.now())[metric];
    return typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' ? v : Number(v ?? 0);
  };
  let at = Number.NaN;
  let values: Record<string, S7Value> = {};
  const now = (metric: string): S7Value => {
    const t = Date.now();
    if (!(Math.abs(t - at) < tickMs / 2)) {
      at = t;
      values = Object.fromEntries(map.map((p) => [p.name, value(p.name)]));
    }
    return values[metric] ?? 0;
  };
  return {
    name,
    tickMs,
    variables: map.map((p) => ({ ...p, initial: value(p.name), behaviour: () => now(p.name) })),
  };
}
