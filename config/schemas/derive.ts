import { type Static, Type } from '@sinclair/typebox';
import { Duration, MetricName, Strict } from './common.js';

/** Virtual sensors for dumb equipment (DESIGN.md §4 `derive`). */
export const DeriveState = Strict({
  /** the current (A) or power (kW) metric the state is inferred from */
  from: MetricName,
  off: Type.Number({ description: 'below this the machine is off' }),
  running: Type.Number({
    description: 'above this the machine is running; between off and running it is idle',
  }),
  hysteresis: Type.Optional(Type.Number({ minimum: 0 })),
  minDwell: Type.Optional(Duration),
});

export const DerivePartCount = Type.Union([
  Strict({
    from: MetricName,
    counter: Type.Literal(true),
    /** register width for rollover: 16 or 32 bits (default from the point type) */
    bits: Type.Optional(Type.Union([Type.Literal(16), Type.Literal(32), Type.Literal(64)])),
  }),
  Strict({
    from: MetricName,
    cycles: Strict({ threshold: Type.Number(), minDuration: Duration }),
  }),
]);

export const DerivePower = Type.Union([
  Strict({
    threePhase: Strict({
      current: MetricName,
      voltage: Type.Number({ minimum: 0 }),
      powerFactor: Type.Number({ minimum: 0, maximum: 1 }),
    }),
  }),
  Strict({
    singlePhase: Strict({
      current: MetricName,
      voltage: Type.Number({ minimum: 0 }),
      powerFactor: Type.Number({ minimum: 0, maximum: 1 }),
    }),
  }),
]);

export const Derive = Strict({
  state: Type.Optional(DeriveState),
  part_count: Type.Optional(DerivePartCount),
  power_kw: Type.Optional(DerivePower),
});
export type Derive = Static<typeof Derive>;
