import { type Static, Type } from '@sinclair/typebox';
import { Duration, MetricName, Strict } from './common.js';

/**
 * Virtual sensors for dumb equipment (docs/retrofit.md, docs/architecture.md#at-the-edge).
 *
 * The keys `state`, `part_count` and `power_kw` are also the names of the metrics they produce; `power_kw`
 * adds `energy_kwh`, and `part_count` with `cycles` adds `cycle_time_s`. `signals` turns a raw loop reading
 * (mA or V, after the Modbus point's `scale`) into an engineering value under a new metric name.
 */

/** Analogue loop types. Live-zero loops (4–20 mA, 2–10 V) detect a broken wire; 0–10 V cannot by itself. */
export const SignalType = Type.Union([Type.Literal('4-20mA'), Type.Literal('0-10V'), Type.Literal('2-10V')], {
  description: '4-20mA (input in mA), 0-10V or 2-10V (input in V)',
});
export type SignalType = Static<typeof SignalType>;

export const DeriveSignal = Strict({
  /** the raw loop reading, in mA (4-20mA) or V (0-10V, 2-10V) */
  from: MetricName,
  type: SignalType,
  /** engineering value at the bottom of the loop (4 mA / 0 V / 2 V) */
  min: Type.Number(),
  /** engineering value at the top of the loop (20 mA / 10 V) */
  max: Type.Number(),
  unit: Type.Optional(Type.String({ maxLength: 32 })),
  /** a boolean metric (e.g. the IO module's wire-break status bit) that makes the value bad while true */
  fault: Type.Optional(MetricName),
});
export type DeriveSignal = Static<typeof DeriveSignal>;

export const DeriveState = Strict({
  /** the current (A) or power (kW) metric the state is inferred from; may be a `signals` output or `power_kw` */
  from: MetricName,
  off: Type.Number({ description: 'below this the machine is off' }),
  running: Type.Number({
    description: 'above this the machine is running; between off and running it is idle',
  }),
  /** a state is left only when the signal is this far past its threshold (same unit as `from`); default 0 */
  hysteresis: Type.Optional(Type.Number({ minimum: 0 })),
  /** a new state is reported only once the signal has shown it this long; default 5s */
  minDwell: Type.Optional(Duration),
});
export type DeriveState = Static<typeof DeriveState>;

export const DeriveCounter = Strict({
  /** a pulse-counter register (photo-eye, proximity switch) */
  from: MetricName,
  counter: Type.Literal(true),
  /** register width for rollover; default from the Modbus point's type (uint16 → 16, uint32 → 32) */
  bits: Type.Optional(Type.Union([Type.Literal(16), Type.Literal(32), Type.Literal(64)])),
  /**
   * the most pulses the input can plausibly produce per second; a drop in the register is a rollover when the
   * wrapped step fits this rate, otherwise a reset. Default: a wrapped step under half the register range.
   */
  maxPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
});
export type DeriveCounter = Static<typeof DeriveCounter>;

export const DeriveCycles = Strict({
  /** the current (A) or power (kW) signal whose load peaks are machine cycles */
  from: MetricName,
  cycles: Strict({
    /** a cycle starts when the signal rises above this */
    threshold: Type.Number(),
    /** and counts only if it stays up at least this long */
    minDuration: Duration,
    /** a cycle ends when the signal falls below threshold − hysteresis; default 0 */
    hysteresis: Type.Optional(Type.Number({ minimum: 0 })),
    /** cycle starts further apart than this give no cycle_time_s (the machine paused in between); default 10 × minDuration */
    maxCycleTime: Type.Optional(Duration),
  }),
});
export type DeriveCycles = Static<typeof DeriveCycles>;

export const DerivePartCount = Type.Union([DeriveCounter, DeriveCycles]);
export type DerivePartCount = Static<typeof DerivePartCount>;

const PhaseSpec = Strict({
  /** phase current metric, A */
  current: MetricName,
  /** volts: line-to-line for three phase, line-to-neutral for single phase */
  voltage: Type.Number({ minimum: 0 }),
  powerFactor: Type.Number({ minimum: 0, maximum: 1 }),
});

const EnergyOptions = {
  /** power samples further apart than this are not bridged when integrating energy; default 60s */
  maxGap: Type.Optional(Duration),
};

export const DerivePower = Type.Union([
  Strict({ threePhase: PhaseSpec, ...EnergyOptions }),
  Strict({ singlePhase: PhaseSpec, ...EnergyOptions }),
]);
export type DerivePower = Static<typeof DerivePower>;

export const Derive = Strict({
  /** scaled analogue signals, keyed by the new metric's name */
  signals: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }), DeriveSignal)),
  state: Type.Optional(DeriveState),
  part_count: Type.Optional(DerivePartCount),
  power_kw: Type.Optional(DerivePower),
});
export type Derive = Static<typeof Derive>;
