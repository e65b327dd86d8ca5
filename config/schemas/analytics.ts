import { type Static, Type } from '@sinclair/typebox';
import { Duration, Id, MetricName, Strict } from './common.js';

/** The `analytics` section of the cloud config: machines, shift calendar, meters, tariffs, emissions, alarms. */

const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'local time HH:MM',
});
/** Tariff boundaries sit on quarter hours so that 15-minute demand intervals never straddle two prices. */
const QuarterTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):(00|15|30|45)$',
  description: 'local time HH:MM on a quarter hour',
});
const LocalDate = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'local date YYYY-MM-DD',
});
const LocalDateTime = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'local date and time YYYY-MM-DDTHH:MM (in the calendar time zone)',
});
const Weekday = Type.Union([
  Type.Literal('mon'),
  Type.Literal('tue'),
  Type.Literal('wed'),
  Type.Literal('thu'),
  Type.Literal('fri'),
  Type.Literal('sat'),
  Type.Literal('sun'),
]);

export const MachineStateName = Type.Union([
  Type.Literal('running'),
  Type.Literal('idle'),
  Type.Literal('down'),
  Type.Literal('planned_stop'),
  Type.Literal('setup'),
  Type.Literal('offline'),
]);
export type MachineStateName = Static<typeof MachineStateName>;

export const ShiftBreak = Strict({ start: LocalTime, end: LocalTime, name: Type.Optional(Type.String()) });

export const Shift = Strict({
  name: Id,
  /** local start; a shift whose end is not after its start crosses midnight */
  start: LocalTime,
  end: LocalTime,
  /** weekdays the shift starts on; default every day */
  days: Type.Optional(Type.Array(Weekday, { minItems: 1 })),
  breaks: Type.Optional(Type.Array(ShiftBreak)),
});
export type Shift = Static<typeof Shift>;

export const PlannedStop = Strict({
  from: LocalDateTime,
  to: LocalDateTime,
  reason: Type.Optional(Type.String()),
  /** machines it applies to; default all */
  devices: Type.Optional(Type.Array(Id)),
});

export const Calendar = Strict({
  shifts: Type.Array(Shift, { minItems: 1 }),
  /** local dates with no production (holidays); a shift starting on such a date is not scheduled */
  nonWorkingDates: Type.Optional(Type.Array(LocalDate)),
  plannedStops: Type.Optional(Type.Array(PlannedStop)),
});
export type Calendar = Static<typeof Calendar>;

export const CounterRef = Strict({
  metric: MetricName,
  /** register width: a drop from near 2^bits to a small value is a wrap, anything else a reset */
  bits: Type.Optional(Type.Union([Type.Literal(16), Type.Literal(32), Type.Literal(64)])),
  /** an increase larger than this is implausible: quarantined (counted, logged), not summed */
  maxDelta: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
});
export type CounterRef = Static<typeof CounterRef>;

export const MachineStateSource = Strict({
  metric: MetricName,
  /** code: PLC state code with `map`; packml: PackML StateCurrent (0–17 or names); derived: agent `derive.state` */
  kind: Type.Union([Type.Literal('code'), Type.Literal('packml'), Type.Literal('derived')]),
  /** value (as text) → state; overrides the built-in PackML / derived mapping */
  map: Type.Optional(Type.Record(Type.String(), MachineStateName)),
  /** state for a value the map does not know (counted and logged); default down */
  unknown: Type.Optional(MachineStateName),
});

export const Machine = Strict({
  device: Id,
  /** roll-up group (a line); the site roll-up is automatic */
  line: Type.Optional(Id),
  state: MachineStateSource,
  total: CounterRef,
  /** good parts counter; or `scrap` (good = total − scrap); neither: every part is good */
  good: Type.Optional(CounterRef),
  scrap: Type.Optional(CounterRef),
  /** ideal (design) cycle time per part */
  idealCycle: Duration,
  /** ideal cycle per product or program, selected by the current value of `metric` */
  program: Type.Optional(
    Strict({ metric: MetricName, idealCycles: Type.Record(Type.String(), Duration, { minProperties: 1 }) }),
  ),
  /** no data for this long marks the machine offline; default analytics.staleAfter */
  staleAfter: Type.Optional(Duration),
});
export type Machine = Static<typeof Machine>;

export const Carrier = Type.Union([
  Type.Literal('electricity'),
  Type.Literal('natural_gas'),
  Type.Literal('water'),
  Type.Literal('compressed_air'),
  Type.Literal('steam'),
  Type.Literal('diesel'),
]);
export type Carrier = Static<typeof Carrier>;

export const Meter = Strict({
  device: Id,
  /** distinguishes several meters on one device; default the carrier */
  name: Type.Optional(Id),
  carrier: Carrier,
  /** cumulative register (kWh, m³, t …): deltas with wrap/reset handling */
  counter: Type.Optional(CounterRef),
  /** instantaneous rate (kW, m³/h …): trapezoid integration */
  rate: Type.Optional(
    Strict({
      metric: MetricName,
      /** gaps longer than this are not bridged; default 5m */
      maxGap: Type.Optional(Duration),
    }),
  ),
  /** unit of consumption; default kWh, m3, m3, m3, GJ, kg by carrier */
  unit: Type.Optional(Type.String({ minLength: 1 })),
  /** machine whose good parts this meter's consumption is divided by (kpi); default the same device */
  machine: Type.Optional(Id),
  /** tariff name (tariffs[].name) for time-of-use cost */
  tariff: Type.Optional(Id),
});
export type Meter = Static<typeof Meter>;

export const Tariff = Strict({
  name: Id,
  currency: Type.Optional(Type.String({ minLength: 1 })),
  /** price per unit outside every period */
  defaultPrice: Type.Number({ minimum: 0 }),
  periods: Type.Optional(
    Type.Array(
      Strict({
        name: Type.String({ minLength: 1 }),
        start: QuarterTime,
        end: QuarterTime,
        price: Type.Number({ minimum: 0 }),
        days: Type.Optional(Type.Array(Weekday, { minItems: 1 })),
      }),
    ),
  ),
});
export type Tariff = Static<typeof Tariff>;

/** A factor: a key of config/emission-factors.yaml, or an inline value with its provenance. */
export const FactorRef = Type.Union([
  Type.String({ minLength: 1 }),
  Strict({
    value: Type.Number({ minimum: 0 }),
    /** kg CO2e per unit of consumption, e.g. kgCO2/kWh */
    unit: Type.String({ minLength: 1 }),
    source: Type.String({ minLength: 1 }),
    year: Type.Integer({ minimum: 1990, maximum: 2100 }),
  }),
]);
export type FactorRef = Static<typeof FactorRef>;

export const Emissions = Strict({
  /** factor table path; default config/emission-factors.yaml of the package */
  factorsFile: Type.Optional(Type.String({ minLength: 1 })),
  /** per carrier; defaults: electricity cn-national-2023, natural_gas ipcc2006-ng-cn-ncv, diesel ipcc2006-diesel, steam cn-purchased-heat */
  factors: Type.Optional(
    Strict({
      electricity: Type.Optional(FactorRef),
      natural_gas: Type.Optional(FactorRef),
      diesel: Type.Optional(FactorRef),
      steam: Type.Optional(FactorRef),
    }),
  ),
});

export const AlarmRule = Strict({
  device: Id,
  metric: MetricName,
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  /** raise above high / below low */
  high: Type.Optional(Type.Number()),
  low: Type.Optional(Type.Number()),
  /** clear only once the value is back inside by this much; default 0 */
  hysteresis: Type.Optional(Type.Number({ minimum: 0 })),
  message: Type.Optional(Type.String()),
});
export type AlarmRule = Static<typeof AlarmRule>;

export const AnalyticsConfig = Strict({
  /** IANA zone of shift calendars, tariffs and day windows; default Asia/Shanghai */
  timezone: Type.Optional(Type.String({ minLength: 1 })),
  /** no calendar: every minute is planned time (PBT = wall clock) */
  calendar: Type.Optional(Calendar),
  /** stops (idle or down) up to this long are micro-stops; default 2m */
  microStop: Type.Optional(Duration),
  /** iso22400: micro-stops are availability loss; nakajima: performance loss (counted in run time) */
  lossBooking: Type.Optional(Type.Union([Type.Literal('iso22400'), Type.Literal('nakajima')])),
  /** offline time in planned time: loss (default, counted as down) or excluded from planned time */
  offline: Type.Optional(Type.Union([Type.Literal('loss'), Type.Literal('exclude')])),
  /** default staleness for machines; default 2m */
  staleAfter: Type.Optional(Duration),
  /** how old late data may be and still recompute every window it touches; default 6h. Memory and what rebuild
   * reads cover this plus the longest window (25 h). */
  lateDataHorizon: Type.Optional(Duration),
  machines: Type.Optional(Type.Array(Machine)),
  meters: Type.Optional(Type.Array(Meter)),
  tariffs: Type.Optional(Type.Array(Tariff)),
  emissions: Type.Optional(Emissions),
  alarms: Type.Optional(Type.Array(AlarmRule)),
});
export type AnalyticsConfig = Static<typeof AnalyticsConfig>;
