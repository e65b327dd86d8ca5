/** The agent's path: Modbus sources (planner, line queue, decoding into Samples) driven by the PollRunner. */
import { pino } from 'pino';
import { PollRunner } from '../../agent/runner/poll-runner.js';
import { LineRegistry } from '../../agent/sources/modbus/line-registry.js';
import { createModbusSource } from '../../agent/sources/modbus/modbus-source.js';
import type { PollingSource } from '../../agent/sources/source.js';
import { benchPoints } from './bench-profile.js';
import type { PhaseMeter } from './measure.js';

/**
 * Wraps a source to measure how late each poll starts against the runner's schedule (first poll + k × interval;
 * the runner skips missed ticks, so a poll serves the latest tick at or before it).
 */
function timed(src: PollingSource, intervalMs: number, meter: PhaseMeter): PollingSource {
  let t0: number | undefined;
  return {
    ...src,
    connect: (s) => src.connect(s),
    close: () => src.close(),
    read: async (group, signal) => {
      const now = performance.now();
      t0 ??= now;
      meter.late((now - t0) % intervalMs);
      return src.read(group, signal);
    },
  };
}

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
    timed(
      createModbusSource(
        {
          id: `bench-${i}`,
          modbus: { url, unitId: 1, timeout: '2s' },
          poll: [{ every: intervalMs, points: benchPoints(registers) }],
        },
        { log, lines },
      ),
      intervalMs,
      meter,
    ),
  );
  const runner = new PollRunner({
    sources,
    log,
    onSamples: (samples) => {
      for (const s of samples) {
        if (s.quality === 'good') meter.values++;
        else meter.failures++;
      }
    },
    onReachability: () => {},
  });
  meter.start();
  runner.start();
  await new Promise((r) => setTimeout(r, durationMs));
  await runner.stop();
}
