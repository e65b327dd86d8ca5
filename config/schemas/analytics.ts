import { type StaticDecode, type StaticEncode, Type } from '@sinclair/typebox';
import { analyticsChecks } from '../analytics-checks.js';
import { optional, required, Section, withCheck } from '../spec.js';
import { Duration, Id, MetricName, OneOf } from './common.js';
import { EnergyTree } from './energy-tree.js';

export {
  EnergyTree,
  EnergyTreeLevel,
  EnergyTreeNode,
  type LevelRates,
  RequiredRates,
} from './energy-tree.js';

/** The `analytics` section of the cloud config: machines, shift calendar, meters, tariffs, emissions, alarms. */

const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  title: 'HH:MM',
  expects: 'local time HH:MM',
});
/** Tariff boundaries sit on quarter hours so that 15-minute demand intervals never straddle two prices. */
const QuarterTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):(00|15|30|45)$',
  title: 'HH:MM',
  expects: 'local time HH:MM on a quarter hour',
});
const LocalDate = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  title: 'YYYY-MM-DD',
  expects: 'local date YYYY-MM-DD',
});
const LocalDateTime = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$',
  title: 'YYYY-MM-DDTHH:MM',
  expects: 'local date and time YYYY-MM-DDTHH:MM (in the calendar time zone)',
});
const Weekday = OneOf(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export const MachineStateName = Type.Union([
  Type.Literal('running'),
  Type.Literal('idle'),
  Type.Literal('down'),
  Type.Literal('planned_stop'),
  Type.Literal('setup'),
  Type.Literal('offline'),
]);
export type MachineStateName = StaticDecode<typeof MachineStateName>;

export const ShiftBreak = Section({
  start: required(LocalTime, { description: 'local start of the break', example: '10:00' }),
  end: required(LocalTime, { description: 'local end of the break', example: '10:15' }),
  name: optional(Type.String(), { description: 'shown on the dashboard' }),
});

export const Shift = Section({
  name: required(Id, { description: 'shift name (the `shift` tag of OEE windows)', example: 'day' }),
  start: required(LocalTime, { description: 'local start', example: '08:00' }),
  end: required(LocalTime, {
    description: 'local end; an end not after the start crosses midnight',
    example: '20:00',
  }),
  days: optional(Type.Array(Weekday, { minItems: 1 }), {
    description: 'weekdays the shift starts on',
    defaultText: 'every day',
  }),
  breaks: optional(Type.Array(ShiftBreak), {
    description: 'planned breaks (not planned production time)',
    default: [],
  }),
});
export type Shift = StaticDecode<typeof Shift>;

export const PlannedStop = Section({
  from: required(LocalDateTime, { description: 'local start', example: '2026-05-01T00:00' }),
  to: required(LocalDateTime, { description: 'local end', example: '2026-05-04T00:00' }),
  reason: optional(Type.String(), { description: 'shown on the dashboard' }),
  devices: optional(Type.Array(Id), { description: 'machines it applies to', defaultText: 'all' }),
});

export const Calendar = Section({
  shifts: required(Type.Array(Shift, { minItems: 1 }), { description: 'the shift pattern' }),
  nonWorkingDates: optional(Type.Array(LocalDate), {
    description: 'local dates with no production (holidays): a shift starting on one is not scheduled',
    default: [],
  }),
  plannedStops: optional(Type.Array(PlannedStop), {
    description: 'planned stops (maintenance…)',
    default: [],
  }),
});
export type Calendar = StaticDecode<typeof Calendar>;
export type CalendarInput = StaticEncode<typeof Calendar>;

const CounterBits = Type.Union([Type.Literal(16), Type.Literal(32), Type.Literal(64)]);

export const CounterRef = Section({
  metric: required(MetricName, { description: 'the counter metric of the device', example: 'part_count' }),
  bits: optional(CounterBits, {
    description: 'register width: a drop from near 2^bits to a small value is a wrap, anything else a reset',
  }),
  maxDelta: optional(Type.Number({ exclusiveMinimum: 0 }), {
    description: 'a larger increase is implausible: quarantined (counted, logged), not summed',
  }),
});
export type CounterRef = StaticDecode<typeof CounterRef>;

export const MachineStateSource = Section({
  metric: required(MetricName, { description: 'the metric giving the machine state', example: 'state_code' }),
  kind: required(Type.Union([Type.Literal('code'), Type.Literal('packml'), Type.Literal('derived')]), {
    description:
      'code: PLC state code with map; packml: PackML StateCurrent (0–17 or names); derived: agent derive.state',
    example: 'code',
  }),
  map: optional(Type.Record(Type.String(), MachineStateName), {
    description: 'value (as text) → state; overrides the built-in PackML / derived mapping',
  }),
  unknown: optional(MachineStateName, {
    description: 'state for a value the map does not know (counted and logged)',
    default: 'down',
  }),
});

export const Machine = Section({
  device: required(Id, { description: 'the device id the agent publishes', example: 'press-07' }),
  line: optional(Id, { description: 'roll-up group (a line); the site roll-up is automatic' }),
  state: required(MachineStateSource, { description: 'where the machine state comes from' }),
  total: required(CounterRef, { description: 'parts counter (every part made)' }),
  good: optional(CounterRef, { description: 'good parts counter; or scrap; neither: every part is good' }),
  scrap: optional(CounterRef, { description: 'scrap counter: good = total − scrap' }),
  idealCycle: required(Duration, { description: 'ideal (design) cycle time per part', example: '12s' }),
  program: optional(
    Section({
      metric: required(MetricName, {
        description: 'the metric naming the current product or program',
        example: 'program',
      }),
      idealCycles: required(Type.Record(Type.String(), Duration, { minProperties: 1 }), {
        description: 'program (as text) → ideal cycle',
      }),
    }),
    { description: 'ideal cycle per product or program, selected by the current value of metric' },
  ),
  staleAfter: optional(Duration, {
    description: 'no data for this long marks the machine offline',
    defaultText: 'analytics.staleAfter',
  }),
});
export type Machine = StaticDecode<typeof Machine>;

export const Carrier = Type.Union([
  Type.Literal('electricity'),
  Type.Literal('natural_gas'),
  Type.Literal('water'),
  Type.Literal('compressed_air'),
  Type.Literal('steam'),
  Type.Literal('diesel'),
]);
export type Carrier = StaticDecode<typeof Carrier>;

export const Meter = Section({
  device: required(Id, { description: 'the device id the agent publishes', example: 'main-meter' }),
  name: optional(Id, { description: 'tells several meters on one device apart', defaultText: 'the carrier' }),
  carrier: required(Carrier, { description: 'what is metered', example: 'electricity' }),
  counter: optional(CounterRef, {
    description: 'cumulative register (kWh, m³, t …): deltas with wrap/reset handling',
  }),
  rate: optional(
    Section({
      metric: required(MetricName, { description: 'instantaneous rate (kW, m³/h …)', example: 'power_kw' }),
      maxGap: optional(Duration, { description: 'gaps longer than this are not bridged', default: '5m' }),
    }),
    { description: 'instantaneous rate: trapezoid integration' },
  ),
  unit: optional(Type.String({ minLength: 1 }), {
    description: 'unit of consumption',
    defaultText: 'kWh, m3, m3, m3, GJ, kg by carrier',
  }),
  machine: optional(Id, {
    description: 'machine whose good parts this consumption is divided by (kpi)',
    defaultText: 'the same device',
  }),
  tariff: optional(Id, { description: 'tariffs[].name for time-of-use cost' }),
  treeOnly: optional(Type.Boolean(), {
    description:
      'for the energy tree only: no energy, emissions or kpi windows of its own (an incomer or workshop meter whose energy the machine meters already count)',
    default: false,
  }),
});
export type Meter = StaticDecode<typeof Meter>;

export const TariffPeriod = Section({
  name: required(Type.String({ minLength: 1 }), {
    description: 'period name (peak, valley …)',
    example: 'peak',
  }),
  start: required(QuarterTime, { description: 'local start, on a quarter hour', example: '08:00' }),
  end: required(QuarterTime, { description: 'local end, on a quarter hour', example: '11:00' }),
  price: required(Type.Number({ minimum: 0 }), {
    description: 'price per unit in this period',
    example: 1.2,
  }),
  days: optional(Type.Array(Weekday, { minItems: 1 }), {
    description: 'weekdays it applies to',
    defaultText: 'every day',
  }),
});

export const Tariff = Section({
  name: required(Id, { description: 'referenced by meters[].tariff', example: 'cq-industrial' }),
  currency: optional(Type.String({ minLength: 1 }), {
    description: 'currency of the prices, shown with costs',
    default: 'CNY',
  }),
  defaultPrice: required(Type.Number({ minimum: 0 }), {
    description: 'price per unit outside every period',
    example: 0.7,
  }),
  periods: optional(Type.Array(TariffPeriod), { description: 'time-of-use periods', default: [] }),
});
export type Tariff = StaticDecode<typeof Tariff>;

/** A factor: a key of config/emission-factors.yaml, or an inline value with its provenance. */
export const FactorRef = Type.Union([
  Type.String({ minLength: 1 }),
  Section({
    value: required(Type.Number({ minimum: 0 }), {
      description: 'kg CO2e per unit of consumption',
      example: 0.5,
    }),
    unit: required(Type.String({ minLength: 1 }), { description: 'e.g. kgCO2/kWh', example: 'kgCO2/kWh' }),
    source: required(Type.String({ minLength: 1 }), {
      description: 'where the factor comes from',
      example: 'supplier 2025',
    }),
    year: required(Type.Integer({ minimum: 1990, maximum: 2100 }), {
      description: 'year of the factor',
      example: 2025,
    }),
  }),
]);
export type FactorRef = StaticDecode<typeof FactorRef>;

export const Emissions = Section({
  factorsFile: optional(Type.String({ minLength: 1 }), {
    description: 'factor table path',
    defaultText: 'config/emission-factors.yaml of the package',
  }),
  factors: optional(
    Section({
      electricity: optional(FactorRef, { description: 'grid factor (Scope 2)', default: 'cn-national-2023' }),
      natural_gas: optional(FactorRef, {
        description: 'combustion factor (Scope 1)',
        default: 'ipcc2006-ng-cn-ncv',
      }),
      diesel: optional(FactorRef, { description: 'combustion factor (Scope 1)', default: 'ipcc2006-diesel' }),
      steam: optional(FactorRef, { description: 'purchased heat (Scope 2)', default: 'cn-purchased-heat' }),
    }),
    {
      description: 'emission factor per carrier: a key of the factor table or an inline factor',
      default: {},
    },
  ),
});

/** A standard-coal factor: a key of the factor table's `standardCoal:` map, or an inline value with its provenance. */
const CoalRef = Type.Union([
  Type.String({ minLength: 1 }),
  Section({
    value: required(Type.Number({ minimum: 0 }), {
      description: 'kgce per unit of consumption',
      example: 0.3,
    }),
    unit: required(Type.String({ minLength: 1 }), { description: 'e.g. kgce/kWh', example: 'kgce/kWh' }),
    source: required(Type.String({ minLength: 1 }), {
      description: 'where the factor comes from',
      example: 'NBS 2024 供电标准煤耗',
    }),
    year: required(Type.Integer({ minimum: 1990, maximum: 2100 }), {
      description: 'year of the factor',
      example: 2024,
    }),
  }),
]);
export type CoalRef = StaticDecode<typeof CoalRef>;

export const StandardCoal = Section({
  electricity: optional(CoalRef, {
    description: 'electricity 当量值 (equivalent value, GB/T 2589-2020)',
    default: 'gbt2589-2020-electricity-equivalent',
  }),
  electricityEqualValue: optional(CoalRef, {
    description:
      "electricity 等价值 (equal value): GB/T 2589-2020 takes the previous year's 发电标准煤耗 (power plants' coal per kWh generated); no built-in value",
    defaultText: 'none: the equal-value tce (kgce_equal_value) is not computed',
  }),
  natural_gas: optional(CoalRef, { description: 'natural gas per m3', default: 'gbt2589-2020-natural-gas' }),
  diesel: optional(CoalRef, { description: 'diesel per kg', default: 'gbt2589-2020-diesel' }),
  steam: optional(CoalRef, { description: 'heat (steam) per GJ', default: 'gbt2589-2020-heat' }),
});
export type StandardCoal = StaticDecode<typeof StandardCoal>;

export const AlarmRule = Section({
  device: required(Id, { description: 'the device id the agent publishes', example: 'boiler-1' }),
  metric: required(MetricName, { description: 'the metric watched', example: 'nox_mg_m3' }),
  severity: required(Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]), {
    description: 'shown on the dashboard',
    example: 'warning',
  }),
  high: optional(Type.Number(), { description: 'raise above this' }),
  low: optional(Type.Number(), { description: 'raise below this' }),
  hysteresis: optional(Type.Number({ minimum: 0 }), {
    description: 'clear only once the value is back inside by this much',
    default: 0,
  }),
  message: optional(Type.String(), { description: 'shown with the alarm' }),
});
export type AlarmRule = StaticDecode<typeof AlarmRule>;

const AnalyticsConfigSection = Section({
  timezone: optional(Type.String({ minLength: 1 }), {
    description: 'IANA zone of shift calendars, tariffs and day windows',
    default: 'Asia/Shanghai',
  }),
  calendar: optional(Calendar, {
    description: 'shifts, holidays, planned stops',
    defaultText: 'none: every minute is planned time',
  }),
  microStop: optional(Duration, {
    description: 'stops (idle or down) up to this long are micro-stops',
    default: '2m',
  }),
  lossBooking: optional(Type.Union([Type.Literal('iso22400'), Type.Literal('nakajima')]), {
    description:
      'iso22400: micro-stops are availability loss; nakajima: performance loss (counted in run time)',
    default: 'iso22400',
  }),
  offline: optional(Type.Union([Type.Literal('loss'), Type.Literal('exclude')]), {
    description: 'offline time in planned time: loss (counted as down) or excluded from planned time',
    default: 'loss',
  }),
  staleAfter: optional(Duration, {
    description: 'no data for this long marks a machine offline',
    default: '2m',
  }),
  lateDataHorizon: optional(Duration, {
    description:
      'how old late data may be and still recompute every window it touches (memory covers this + 25 h)',
    default: '6h',
  }),
  machines: optional(Type.Array(Machine), { description: 'machines with state and OEE', default: [] }),
  meters: optional(Type.Array(Meter), { description: 'energy and utility meters', default: [] }),
  tariffs: optional(Type.Array(Tariff), { description: 'time-of-use tariffs', default: [] }),
  emissions: optional(Emissions, { description: 'emission factors', default: {} }),
  alarms: optional(Type.Array(AlarmRule), { description: 'limit alarms', default: [] }),
  standardCoal: optional(StandardCoal, {
    description: 'standard-coal (kgce) factors per carrier, GB/T 2589-2020',
    default: {},
  }),
  energyTree: optional(EnergyTree, {
    description:
      'the metering tree (plant → workshop → line → equipment): per window kWh, tce, balance, coverage (GB 17167)',
    default: {},
  }),
});
export type AnalyticsConfig = StaticDecode<typeof AnalyticsConfigSection>;
export const AnalyticsConfig = withCheck(AnalyticsConfigSection, analyticsChecks);
/** The section as written in a file (what generated configs produce). */
export type AnalyticsConfigInput = StaticEncode<typeof AnalyticsConfigSection>;
