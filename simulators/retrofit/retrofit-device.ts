/**
 * The agent side of a retrofitted machine: the points to poll on the IO module and the `derive` section that
 * turns them into state, part count, power and energy (the configuration docs/retrofit.md explains).
 */
import type { ModbusPointSpec } from '../../protocols/modbus/point.js';
import type { SimAgentDevice, SimDerive } from '../agent-device-config.js';

/** IO module points, as they go under `poll[].points`. */
export const RETROFIT_POINTS: ModbusPointSpec[] = [
  { name: 'clamp_ma', table: 'input', address: 0, type: 'uint16', scale: 0.001, unit: 'mA' },
  { name: 'cabinet_v', table: 'input', address: 1, type: 'uint16', scale: 0.001, unit: 'V' },
  { name: 'pulses', table: 'input', address: 2, type: 'uint32' },
  { name: 'ai0_broken', table: 'input', address: 4, type: 'bool', bit: 0 },
];

export interface RetrofitDeviceOptions {
  id: string;
  /** rtu:///dev/ttyUSB0?baud=9600, or the simulator's url */
  url: string;
  unitId?: number;
  every?: string;
  /** the CT transducer's range: current at 20 mA */
  ctRangeA?: number;
  minDwell?: string;
}

export function retrofitDerive(opts: { ctRangeA?: number; minDwell?: string } = {}): SimDerive {
  return {
    signals: {
      current_a: {
        from: 'clamp_ma',
        type: '4-20mA',
        min: 0,
        max: opts.ctRangeA ?? 50,
        unit: 'A',
        fault: 'ai0_broken',
      },
      cabinet_c: { from: 'cabinet_v', type: '0-10V', min: 0, max: 100, unit: '°C' },
    },
    state: { from: 'current_a', off: 1, running: 6, hysteresis: 0.5, minDwell: opts.minDwell ?? '5s' },
    part_count: { from: 'pulses', counter: true },
    power_kw: { threePhase: { current: 'current_a', voltage: 380, powerFactor: 0.85 } },
  };
}

export function retrofitDevice(opts: RetrofitDeviceOptions): SimAgentDevice {
  const minDwell = opts.minDwell;
  return {
    id: opts.id,
    tags: { kind: 'retrofit' },
    modbus: { url: opts.url, unitId: opts.unitId ?? 5, timeout: '1s' },
    poll: [{ every: opts.every ?? '500ms', points: RETROFIT_POINTS }],
    derive: retrofitDerive(
      minDwell === undefined
        ? { ctRangeA: opts.ctRangeA ?? 50 }
        : { ctRangeA: opts.ctRangeA ?? 50, minDwell },
    ),
  };
}
