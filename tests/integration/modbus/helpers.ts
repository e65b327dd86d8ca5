import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AgentDevice } from '../../../config/schemas/agent.js';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';

/** A pino logger whose lines a test can read. */
export function captureLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n'))
        if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, dest), lines };
}

export function deviceConfig(
  id: string,
  url: string,
  points: ModbusPointSpec[],
  extra: Partial<NonNullable<AgentDevice['modbus']>> = {},
  every = '1s',
): AgentDevice {
  return {
    id,
    modbus: { url, unitId: 1, timeout: '3s', ...extra },
    poll: [{ every, points: points as NonNullable<AgentDevice['poll']>[number]['points'] }],
  };
}
