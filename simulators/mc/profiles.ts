/**
 * What the simulated PLC holds and how it moves: the press and CNC machines of the plant scenario, as a Mitsubishi
 * programmer would lay them out in D, M, X and Y. The press reuses the Modbus press profile's behaviour (the same
 * state cycle, part counter and drive power) at MELSEC addresses. `agentPoints(profile)` is the `mcPoll` point list
 * that reads it.
 */
import type { McPointSpec } from '../../protocols/mc/point.js';
import type { ModbusValue } from '../../protocols/modbus/register-codec.js';
import type { Behaviour } from '../modbus/profile.js';
import { PRESS_STATES, pressProfile } from '../modbus/profiles/press.js';

export interface McSimPoint extends McPointSpec {
  initial: ModbusValue;
  behaviour?: Behaviour;
}

export interface McSimProfile {
  name: string;
  /** simulated ms between behaviour updates */
  tickMs: number;
  points: McSimPoint[];
}

/** the Modbus press's behaviour of one point, by name */
function pressBehaviour(name: string): Pick<McSimPoint, 'initial' | 'behaviour'> {
  const p = pressProfile().points.find((x) => x.name === name);
  if (p === undefined) throw new Error(`the press profile has no ${name}`);
  return { initial: p.initial, ...(p.behaviour === undefined ? {} : { behaviour: p.behaviour }) };
}

/**
 * Press on an FX5U: state D100, part counter D102–D103, drive power D110–D111 in W, running lamp Y20, guard X17, and
 * one point of every type and of every device an FX5U has (D, R, W, TN, CN, SD; M, X, Y, B, L, SM).
 */
export function mcPressProfile(): McSimProfile {
  return {
    name: 'press',
    tickMs: 1000,
    points: [
      { name: 'state_code', device: 'D100', type: 'uint16', ...pressBehaviour('state_code') },
      { name: 'part_count', device: 'D102', type: 'uint32', ...pressBehaviour('part_count') },
      {
        name: 'power_kw',
        device: 'D110',
        type: 'float32',
        scale: 0.001,
        unit: 'kW',
        ...pressBehaviour('power_kw'),
      },
      {
        name: 'running',
        device: 'Y20',
        initial: true,
        behaviour: ({ get }) => get('state_code') === PRESS_STATES.running,
      },
      { name: 'guard_closed', device: 'X17', initial: true },
      { name: 'die_id', device: 'D200', type: 'string', length: 4, initial: 'DIE-0042' },
      {
        name: 'die_temp_c',
        device: 'D120',
        type: 'int16',
        scale: 0.1,
        unit: '°C',
        initial: 45,
        behaviour: ({ t }) => Math.round(450 + 30 * Math.sin(t / 60_000)) / 10,
      },
      { name: 'ram_offset_um', device: 'D122', type: 'int32', unit: 'µm', initial: -125 },
      {
        name: 'energy_kwh',
        device: 'D130',
        type: 'float64',
        unit: 'kWh',
        initial: 1520.25,
        behaviour: ({ value, get }) => Number(value) + Number(get('power_kw')) / 3600,
      },
      { name: 'lifetime_strokes', device: 'D140', type: 'int64', initial: 3_000_000_000n },
      { name: 'stroke_time_ms', device: 'TN0', type: 'uint16', unit: 'ms', initial: 1850 },
      { name: 'strokes_since_lube', device: 'CN0', type: 'uint16', initial: 420 },
      { name: 'recipe_no', device: 'R0', type: 'uint16', initial: 12 },
      { name: 'line_speed_spm', device: 'W10', type: 'uint16', unit: 'spm', initial: 15 },
      { name: 'scan_time_ms', device: 'SD520', type: 'uint16', unit: 'ms', initial: 3 },
      { name: 'auto_mode', device: 'M0', initial: true },
      { name: 'lube_ok', device: 'L0', initial: true },
      { name: 'link_ok', device: 'B0', initial: true },
      { name: 'always_on', device: 'SM400', initial: true },
    ],
  };
}

const CNC_CYCLE_MS = 95_000;

/** Machining centre behind a Q-series CPU: spindle speed, program name, part count, alarm bit, feed override. */
export function mcCncProfile(): McSimProfile {
  return {
    name: 'cnc',
    tickMs: 1000,
    points: [
      {
        name: 'spindle_rpm',
        device: 'D500',
        type: 'int16',
        initial: 9000,
        behaviour: ({ t }) => (t % CNC_CYCLE_MS < 80_000 ? 9000 : 0),
      },
      { name: 'program', device: 'D510', type: 'string', length: 8, initial: 'O2101 BRACKET-LH' },
      {
        name: 'part_count',
        device: 'D520',
        type: 'uint32',
        initial: 0,
        behaviour: ({ t }) => Math.floor(t / CNC_CYCLE_MS),
      },
      { name: 'feed_override_pct', device: 'D530', type: 'uint16', initial: 100 },
      { name: 'alarm', device: 'M100', initial: false },
      {
        name: 'in_cycle',
        device: 'M101',
        initial: true,
        behaviour: ({ t }) => t % CNC_CYCLE_MS < 80_000,
      },
    ],
  };
}

export const mcProfiles = { press: mcPressProfile, cnc: mcCncProfile } satisfies Record<
  string,
  () => McSimProfile
>;
export type McProfileName = keyof typeof mcProfiles;

/** The agent's `mcPoll` points that read a profile. */
export function agentPoints(profile: McSimProfile): McPointSpec[] {
  return profile.points.map(({ initial: _i, behaviour: _b, ...spec }) => spec);
}
