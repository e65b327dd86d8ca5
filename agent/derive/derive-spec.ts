/**
 * The `derive` section of a device: virtual sensors for dumb equipment (docs/retrofit.md). The keys `state`,
 * `part_count` and `power_kw` are also the names of the metrics they produce; `power_kw` adds `energy_kwh`, and
 * `part_count` with `cycles` adds `cycle_time_s`. `signals` turns a raw loop reading (mA or V, after the Modbus
 * point's `scale`) into an engineering value under a new metric name.
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { Duration, MetricName } from '../../config/schemas/common.js';
import { optional, required, Section } from '../../config/spec.js';

/** Analogue loop types. Live-zero loops (4–20 mA, 2–10 V) detect a broken wire; 0–10 V cannot by itself. */
export const SignalType = Type.Union([Type.Literal('4-20mA'), Type.Literal('0-10V'), Type.Literal('2-10V')], {
  expects: '4-20mA (input in mA), 0-10V or 2-10V (input in V)',
});
export type SignalType = StaticDecode<typeof SignalType>;

export const DeriveSignal = Section({
  from: required(MetricName, {
    description: 'the raw loop reading, in mA (4-20mA) or V (0-10V, 2-10V)',
    example: 'clamp_ma',
  }),
  type: required(SignalType, { description: 'the loop: 4-20mA, 0-10V or 2-10V', example: '4-20mA' }),
  min: required(Type.Number(), {
    description: 'engineering value at the bottom of the loop (4 mA / 0 V / 2 V)',
    example: 0,
  }),
  max: required(Type.Number(), {
    description: 'engineering value at the top of the loop (20 mA / 10 V)',
    example: 50,
  }),
  unit: optional(Type.String({ maxLength: 32 }), {
    description: 'engineering unit of the new metric',
    example: 'A',
  }),
  fault: optional(MetricName, {
    description: 'a bool metric (e.g. the IO module’s wire-break bit) that makes the value bad while true',
  }),
});
export type DeriveSignal = StaticDecode<typeof DeriveSignal>;

export const DeriveState = Section({
  from: required(MetricName, {
    description:
      'the current (A) or power (kW) metric the state is inferred from: a point, a signal or power_kw',
    example: 'current_a',
  }),
  off: required(Type.Number(), { description: 'below this the machine is off', example: 1 }),
  running: required(Type.Number(), {
    description: 'above this it is running; between off and running it is idle',
    example: 6,
  }),
  hysteresis: optional(Type.Number({ minimum: 0 }), {
    description: 'a state is left only when the signal is this far past its threshold (unit of from)',
    default: 0,
  }),
  minDwell: optional(Duration, {
    description: 'a new state is reported once the signal showed it this long',
    default: '5s',
  }),
});
export type DeriveState = StaticDecode<typeof DeriveState>;

const CounterBits = Type.Union([Type.Literal(16), Type.Literal(32), Type.Literal(64)]);

export const DeriveCounter = Section({
  from: required(MetricName, {
    description: 'a pulse-counter register (photo-eye, proximity switch)',
    example: 'pulses',
  }),
  counter: required(Type.Literal(true), {
    description: 'count parts from a counter register',
    example: true,
  }),
  bits: optional(CounterBits, {
    description: 'register width for rollover',
    defaultText: 'from the point’s type (uint16 → 16, uint32 → 32)',
  }),
  maxPerSecond: optional(Type.Number({ exclusiveMinimum: 0 }), {
    description:
      'most pulses per second; a drop is a rollover when the wrapped step fits this rate, else a reset',
    unit: 'pulses/s',
    defaultText: 'a wrapped step under half the register range',
  }),
});
export type DeriveCounter = StaticDecode<typeof DeriveCounter>;

export const DeriveCycles = Section({
  from: required(MetricName, {
    description: 'the current (A) or power (kW) signal whose load peaks are machine cycles',
    example: 'current_a',
  }),
  cycles: required(
    Section({
      threshold: required(Type.Number(), {
        description: 'a cycle starts when the signal rises above this',
        example: 8,
      }),
      minDuration: required(Duration, {
        description: 'and counts only if it stays up at least this long',
        example: '2s',
      }),
      hysteresis: optional(Type.Number({ minimum: 0 }), {
        description: 'a cycle ends when the signal falls below threshold − hysteresis',
        default: 0,
      }),
      maxCycleTime: optional(Duration, {
        description: 'cycle starts further apart give no cycle_time_s (the machine paused)',
        defaultText: '10 × minDuration',
      }),
    }),
    { description: 'count load peaks as parts' },
  ),
});
export type DeriveCycles = StaticDecode<typeof DeriveCycles>;

export const DerivePartCount = Type.Union([DeriveCounter, DeriveCycles]);
export type DerivePartCount = StaticDecode<typeof DerivePartCount>;

const PhaseSpec = Section({
  current: required(MetricName, { description: 'phase current metric, A', example: 'current_a' }),
  voltage: required(Type.Number({ minimum: 0 }), {
    description: 'line-to-line for three phase, line-to-neutral for single phase',
    unit: 'V',
    example: 380,
  }),
  powerFactor: required(Type.Number({ minimum: 0, maximum: 1 }), {
    description: 'cos φ of the load',
    example: 0.85,
  }),
});

const maxGap = optional(Duration, {
  description: 'power samples further apart are not bridged when integrating energy_kwh',
  default: '60s',
});

export const DerivePower = Type.Union([
  Section({ threePhase: required(PhaseSpec, { description: 'P = √3 × I × V × PF' }), maxGap }),
  Section({ singlePhase: required(PhaseSpec, { description: 'P = I × V × PF' }), maxGap }),
]);
export type DerivePower = StaticDecode<typeof DerivePower>;

export const Derive = Section({
  signals: optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }), DeriveSignal), {
    description: 'scaled analogue signals, keyed by the new metric’s name',
    default: {},
  }),
  state: optional(DeriveState, { description: 'off / idle / running from a current or power' }),
  part_count: optional(DerivePartCount, { description: 'parts from a pulse counter or from load cycles' }),
  power_kw: optional(DerivePower, { description: 'power (and energy_kwh) from a phase current' }),
});
export type Derive = StaticDecode<typeof Derive>;
