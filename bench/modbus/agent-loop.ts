/** The agent's path: Modbus sources (planner, line queue, decoding into Samples) driven by the PollRunner. */
import { pino } from 'pino';
import { resolveDeviceFor } from '../../agent/config/load-agent-config.js';
import { modbus } from '../../agent/sources/modbus/index.js';
import { LineRegistry } from '../../agent/sources/modbus/line-registry.js';
import { createModbusSource } from '../../agent/sources/modbus/modbus-source.js';
import { runSourcesMetered } from '../runner-loop.js';
import { benchPoints } from './bench-profile.js';
import type { PhaseMeter } from './measure.js';

export async function runAgentLoop(
  urls: readonly string[],
  registers: number,
  intervalMs: number,
  durationMs: number,
  meter: PhaseMeter,
): Promise<void> {
  const log = pino({ level: 'warn' });
  const lines = new LineRegistry(log);
  const sources = urls.map((url, i) =>
    createModbusSource(
      resolveDeviceFor(modbus, {
        id: `bench-${i}`,
        modbus: { url, unitId: 1, timeout: '10s' },
        poll: [{ every: intervalMs, points: benchPoints(registers) }],
      }),
      { log, lines },
    ),
  );
  // like the raw loop, measure from the first poll, not from connecting
  await runSourcesMetered(sources, log, durationMs, meter);
}
