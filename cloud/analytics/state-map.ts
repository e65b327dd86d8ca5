/**
 * Turns a state metric's value into a machine state: a PLC state code with a mapping table, a PackML state
 * (ISA-TR88.00.02 StateCurrent, number or name), or the agent's derived state for dumb equipment.
 */
import type { MachineStateName } from '../../config/schemas/analytics.js';
import type { StoredValue } from './series.js';
import type { MachineState } from './types.js';

export type StateSourceKind = 'code' | 'packml' | 'derived';

/** PackML StateCurrent numbers and names. Execute is production; Suspended is an external stop (starved/blocked). */
const PACKML: Record<string, MachineState> = {
  '0': 'offline', // Undefined
  '1': 'down', // Clearing
  '2': 'down', // Stopped
  '3': 'idle', // Starting
  '4': 'idle', // Idle
  '5': 'idle', // Suspended
  '6': 'running', // Execute
  '7': 'down', // Stopping
  '8': 'down', // Aborting
  '9': 'down', // Aborted
  '10': 'down', // Holding
  '11': 'down', // Held
  '12': 'down', // Unholding
  '13': 'idle', // Suspending
  '14': 'idle', // Unsuspending
  '15': 'idle', // Resetting
  '16': 'running', // Completing
  '17': 'idle', // Complete
};
const PACKML_NAMES = [
  'undefined',
  'clearing',
  'stopped',
  'starting',
  'idle',
  'suspended',
  'execute',
  'stopping',
  'aborting',
  'aborted',
  'holding',
  'held',
  'unholding',
  'suspending',
  'unsuspending',
  'resetting',
  'completing',
  'complete',
];

/** The agent's `derive.state` (docs/retrofit.md): off / idle / running, as text or 0 / 1 / 2. */
const DERIVED: Record<string, MachineState> = {
  off: 'down',
  idle: 'idle',
  running: 'running',
  '0': 'down',
  '1': 'idle',
  '2': 'running',
  false: 'idle',
  true: 'running',
  down: 'down',
  setup: 'setup',
  planned_stop: 'planned_stop',
  unknown: 'offline',
};

export interface StateMapping {
  /** undefined: the value is not known to the mapping */
  map(value: StoredValue): { state: MachineState; code?: number } | undefined;
}

export function createStateMapping(
  kind: StateSourceKind,
  overrides: Readonly<Record<string, MachineStateName>> = {},
): StateMapping {
  const table: Record<string, MachineState> = {
    ...(kind === 'packml' ? PACKML : kind === 'derived' ? DERIVED : {}),
  };
  if (kind === 'packml') {
    PACKML_NAMES.forEach((name, i) => {
      const s = PACKML[String(i)];
      if (s) table[name] = s;
    });
  }
  for (const [k, v] of Object.entries(overrides)) table[k.toLowerCase()] = v;
  return {
    map(value) {
      if (value === null) return undefined;
      const key = String(value).trim().toLowerCase();
      const state = table[key];
      if (!state) return undefined;
      const code = typeof value === 'number' && Number.isInteger(value) ? value : undefined;
      return code === undefined ? { state } : { state, code };
    },
  };
}
