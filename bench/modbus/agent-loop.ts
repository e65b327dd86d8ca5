/** The agent's path: Modbus sources (planner, line queue, decoding into Samples) driven by the PollRunner. */
import { pino } from 'pino';
import { resolveDeviceFor } from '../../agent/config/load-agent-config.js';
import { PollRunner } from '../../agent/runner/poll-runner.js';
import { modbus } from '../../agent/sources/modbus/index.js';
import { LineRegistry } from '../../agent/sources/modbus/line-registry.js';
import { createModbusSource } from '../../agent/sources/modbus/modbus-source.js';
import type { PollingSource } from '../../agent/sources/source.js';
import { benchPoints } from './bench-profile.js';
import type { PhaseMeter } from './measure.js';

/** Starts the meter at the first poll of any source (like the raw loop, which starts after connecting). */
function starting(src: PollingSource, onFirstRead: () => void): PollingSource {
  return {
    ...src,
    connect: (s) => src.connect(s),
    close: () => src.close(),
    read: (group, signal) => {
      onFirstRead();
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
  // like the raw loop, measure from the first poll, not from connecting
  let started = false;
  const startOnce = () => {
    if (started) return;
    started = true;
    meter.start();
  };
  const sources = urls.map((url, i) =>
    starting(
      createModbusSource(
        resolveDeviceFor(modbus, {
          id: `bench-${i}`,
          modbus: { url, unitId: 1, timeout: '10s' },
          poll: [{ every: intervalMs, points: benchPoints(registers) }],
        }),
        { log, lines },
      ),
      startOnce,
    ),
  );
  const runner = new PollRunner({
    sources,
    log,
    onSamples: (samples) => {
      for (const s of samples) {
        if (s.quality === 'good') meter.add(1);
        else meter.failures++;
      }
    },
    onReachability: () => {},
    onTick: (_device, _group, latenessMs) => meter.late(latenessMs),
  });
  runner.start();
  const deadline = Date.now() + 30_000;
  while (!started && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, durationMs));
  await runner.stop();
}
