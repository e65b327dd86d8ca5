import type { Logger } from 'pino';
import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';

/**
 * Virtual sensors for one device (docs/architecture.md#at-the-edge): sits between a source and
 * report-by-exception, passes every input sample through and appends the derived ones (scaled signals, state,
 * part count, cycle time, power, energy). Derived samples carry the time of the reading they come from; a
 * state change carries the time the new state began.
 */
export interface Deriver {
  /** every metric this deriver can add, for births: `derived: true`, with units */
  readonly metrics: readonly MetricInfo[];
  /** input samples (unchanged, same order) followed by the derived ones */
  process(samples: Sample[]): Sample[];
  /** counts of everything dropped, flagged or corrected, for /metrics */
  stats(): Readonly<DeriveStats>;
  /** waits for the pending state write and saves the final totals */
  close(): Promise<void>;
}

export interface DeriveStats {
  /** input readings that were bad, null or not numbers: no derived value from them */
  badInputs: number;
  /** input readings older than the previous one of the same metric: not derived from */
  outOfOrder: number;
  /** replayed (historical) samples: passed through, not derived from */
  historicalSkipped: number;
  /** loop readings out of range (broken wire, short circuit, fault bit) */
  signalFaults: number;
  counterRollovers: number;
  counterResets: number;
  /** load peaks shorter than minDuration: not counted as parts */
  shortPeaks: number;
  /** power gaps longer than maxGap: energy not integrated over them */
  energyGaps: number;
  stateWrites: number;
  stateWriteErrors: number;
}

export interface DeriverDeps {
  log: Logger;
  /** directory for the persisted totals (kWh, part count); without it they restart from 0 */
  stateDir?: string;
  /** wall clock for write throttling, ms; default Date.now */
  clock?: () => number;
  /** how often the totals are written while running; default 5 s */
  persistEveryMs?: number;
}
