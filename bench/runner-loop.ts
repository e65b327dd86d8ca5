/**
 * The agent's side of a polling benchmark, whatever the protocol: the sources driven by the PollRunner, good samples
 * counted as values, lateness from the runner's ticks, the meter started at the first poll (like a raw loop, which
 * starts after connecting).
 */
import type { Logger } from 'pino';
import { PollRunner } from '../agent/runner/poll-runner.js';
import type { PollingSource } from '../agent/sources/source.js';
import type { PhaseMeter } from './modbus/measure.js';

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

export async function runSourcesMetered(
  sources: readonly PollingSource[],
  log: Logger,
  durationMs: number,
  meter: PhaseMeter,
): Promise<void> {
  let started = false;
  const startOnce = () => {
    if (started) return;
    started = true;
    meter.start();
  };
  const runner = new PollRunner({
    sources: sources.map((s) => starting(s, startOnce)),
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
