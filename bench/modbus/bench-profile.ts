import type { ModbusPointSpec } from '../../protocols/modbus/point.js';
import type { SimProfile } from '../../simulators/modbus/profile.js';

/** M consecutive uint16 holding registers from address 0, each counting up once a second. */
export function benchProfile(registers: number): SimProfile {
  return {
    name: `bench-${registers}`,
    tickMs: 1000,
    points: Array.from({ length: registers }, (_, i) => ({
      name: `r${i}`,
      table: 'holding' as const,
      address: i,
      type: 'uint16' as const,
      initial: i,
      behaviour: ({ value }: { value: unknown }) => (Number(value) + 1) & 0xffff,
    })),
  };
}

export function benchPoints(registers: number): ModbusPointSpec[] {
  return Array.from({ length: registers }, (_, i) => ({
    name: `r${i}`,
    table: 'holding',
    address: i,
    type: 'uint16',
  }));
}
