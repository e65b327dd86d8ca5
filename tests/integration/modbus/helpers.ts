import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import { modbusDevice } from '../../helpers/configs.js';

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

/** A Modbus device, resolved as the agent's loader resolves it; `extra` as written under `modbus:` in a file. */
export function deviceConfig(
  id: string,
  url: string,
  points: ModbusPointSpec[],
  extra: { unitId?: number; timeout?: string; maxGap?: number; interFrameDelay?: string } & Record<
    string,
    unknown
  > = {},
  every = '1s',
) {
  return modbusDevice({ id, modbus: { url, unitId: 1, timeout: '3s', ...extra }, poll: [{ every, points }] });
}
