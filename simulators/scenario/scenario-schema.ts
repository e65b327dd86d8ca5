/**
 * The scenario format: a simulated plant in one YAML file (simulators/scenarios/*.yaml). It names the site, the
 * shift calendar (the same shape as the cloud's analytics calendar), and every device with how it is connected and
 * how it behaves: cycle time, scrap, failures and repairs, changeovers, power by state. One schema gives the
 * validator, the TypeScript type and the docs (docs/demo.md).
 */
import { type StaticDecode, Type } from '@sinclair/typebox';
import { Calendar, StandardCoal } from '../../config/schemas/analytics.js';
import { Duration, Id, Strict } from '../../config/schemas/common.js';

/** kW drawn in each machine state (the meter sees these; `running` is the mean under load). */
export const PowerByState = Strict({
  off: Type.Number({ minimum: 0 }),
  idle: Type.Number({ minimum: 0 }),
  running: Type.Number({ minimum: 0 }),
  setup: Type.Optional(Type.Number({ minimum: 0 })),
  down: Type.Optional(Type.Number({ minimum: 0 })),
});
export type PowerByState = StaticDecode<typeof PowerByState>;

/** How a production machine behaves (all durations shrink with `--speed`). */
export const MachineBehaviour = Strict({
  /** ideal cycle time per part */
  cycle: Duration,
  /** the actual cycle is this much slower on average (speed loss), e.g. 0.08 = 8 % (default 0.05) */
  slowdown: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** share of parts that are scrap (default 0.01) */
  scrap: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** mean running time between failures, and mean time to repair (exponential) */
  mtbf: Duration,
  mttr: Duration,
  /** a changeover (setup) after this many parts, lasting about `duration` */
  changeover: Type.Optional(Strict({ everyParts: Type.Integer({ minimum: 1 }), duration: Duration })),
  /** mean running time between short waits for material or an operator (idle), and their mean length */
  waitEvery: Type.Optional(Duration),
  waitFor: Type.Optional(Duration),
  /** idle time at the start of each shift (warm-up, handover), mean */
  warmup: Type.Optional(Duration),
  power: PowerByState,
});
export type MachineBehaviour = StaticDecode<typeof MachineBehaviour>;

const DeviceBase = {
  id: Id,
  /** shown on the dashboard */
  name: Type.Optional(Type.String({ minLength: 1 })),
  /** roll-up group (a line or area), an InfluxDB tag */
  line: Type.Optional(Id),
};

export const PressDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('press'),
  /** a Modbus TCP PLC, a Siemens S7-1200 (ISO-on-TCP; simulated with node-snap7, skipped without it) or a Mitsubishi
   * CPU answering the MC protocol (3E binary over TCP) */
  protocol: Type.Union([Type.Literal('modbus-tcp'), Type.Literal('s7'), Type.Literal('mc')]),
  behaviour: MachineBehaviour,
});

export const CncDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('cnc'),
  protocol: Type.Literal('opcua'),
  /** part program shown by the controller */
  program: Type.Optional(Type.String({ minLength: 1 })),
  spindleRpm: Type.Optional(Type.Number({ minimum: 0 })),
  behaviour: MachineBehaviour,
});

export const InjectionDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('injection'),
  /** OPC UA with PackML-style StateCurrent */
  protocol: Type.Literal('opcua'),
  /** mould cavities: parts per shot */
  cavities: Type.Optional(Type.Integer({ minimum: 1 })),
  behaviour: MachineBehaviour,
});

export const LatheDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('lathe'),
  /** dumb equipment: CT clamp and photo-eye on an RS-485 IO module (a socat pty pair stands in for the line) */
  protocol: Type.Literal('retrofit-rtu'),
  unitId: Type.Optional(Type.Integer({ minimum: 1, maximum: 247 })),
  baud: Type.Optional(Type.Integer({ minimum: 1200 })),
  /** ideal cycle for OEE (the lathe model itself cuts for 18–32 s a part) */
  idealCycle: Duration,
});

export const CompressorDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('compressor'),
  protocol: Type.Literal('modbus-tcp'),
  ratedKw: Type.Number({ exclusiveMinimum: 0 }),
  /** share of rated power when unloaded (default 0.25) */
  unloadedShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** free air delivery at full load, m³/min */
  fadM3min: Type.Number({ exclusiveMinimum: 0 }),
  pressureBar: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
});

export const PowerMeterDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('power-meter'),
  protocol: Type.Literal('modbus-tcp'),
  /** lighting, HVAC, offices: kW in shift and out of shift */
  baseLoadKw: Strict({ shift: Type.Number({ minimum: 0 }), offShift: Type.Number({ minimum: 0 }) }),
  voltage: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
});

export const BoilerDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('boiler'),
  /** controller, gas meter and stack analyser behind one Modbus TCP gateway (unit ids 1, 2, 3) */
  protocol: Type.Literal('modbus-tcp'),
  /** natural gas at full fire, Nm³/h */
  fullFireM3h: Type.Number({ exclusiveMinimum: 0 }),
  /** firing rate in shift and out of shift (keep-warm), 0–1 */
  firing: Strict({
    shift: Type.Number({ minimum: 0, maximum: 1 }),
    offShift: Type.Number({ minimum: 0, maximum: 1 }),
  }),
  /** typical stack values at the shift firing rate (mg/m³ at reference O2; O2 in %) */
  stack: Strict({
    noxMgM3: Type.Number({ minimum: 0 }),
    so2MgM3: Type.Number({ minimum: 0 }),
    pmMgM3: Type.Number({ minimum: 0 }),
    o2Pct: Type.Number({ minimum: 0, maximum: 21 }),
  }),
  /** emission limits (alarms on the dashboard) */
  limits: Strict({
    noxMgM3: Type.Number({ exclusiveMinimum: 0 }),
    so2MgM3: Type.Number({ exclusiveMinimum: 0 }),
    pmMgM3: Type.Number({ exclusiveMinimum: 0 }),
  }),
  /** mean time between burner upsets that push NOx over its limit for a few minutes */
  upsetEvery: Type.Optional(Duration),
});

/** One DL/T 645 meter on a bus: its energy integrates the power of the devices it feeds, plus a base load. */
export const BusMeter = Strict({
  /** the agent device id of the meter */
  id: Id,
  name: Type.Optional(Type.String({ minLength: 1 })),
  /** 12-digit meter address (nameplate) */
  address: Type.String({ pattern: '^[0-9]{12}$' }),
  /** scenario devices on this meter's feeder (their power_kw is what it measures) */
  feeds: Type.Array(Id),
  /** lighting, HVAC … on the feeder that no other meter sees, kW in and out of shift */
  baseLoadKw: Type.Optional(
    Strict({ shift: Type.Number({ minimum: 0 }), offShift: Type.Number({ minimum: 0 }) }),
  ),
  /** register reading at the start of the simulation, kWh (default 10000) */
  startKwh: Type.Optional(Type.Number({ minimum: 0 })),
});

export const Dlt645BusDevice = Strict({
  ...DeviceBase,
  kind: Type.Literal('dlt645-bus'),
  /** DL/T 645-2007 meters behind a transparent serial-to-TCP DTU */
  protocol: Type.Literal('dlt645-tcp'),
  meters: Type.Array(BusMeter, { minItems: 1 }),
});

/** A node of the cloud's energy tree (the same shape as `analytics.energyTree`). */
export const ScenarioTreeNode = Strict({
  id: Id,
  name: Type.Optional(Type.String({ minLength: 1 })),
  parent: Type.Optional(Id),
  level: Type.Union([
    Type.Literal('plant'),
    Type.Literal('workshop'),
    Type.Literal('line'),
    Type.Literal('equipment'),
  ]),
  meters: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  machines: Type.Optional(Type.Array(Id)),
});

export const ScenarioDevice = Type.Union([
  PressDevice,
  CncDevice,
  InjectionDevice,
  LatheDevice,
  CompressorDevice,
  PowerMeterDevice,
  BoilerDevice,
  Dlt645BusDevice,
]);
export type ScenarioDevice = StaticDecode<typeof ScenarioDevice>;
export type PressDevice = StaticDecode<typeof PressDevice>;
export type CncDevice = StaticDecode<typeof CncDevice>;
export type InjectionDevice = StaticDecode<typeof InjectionDevice>;
export type LatheDevice = StaticDecode<typeof LatheDevice>;
export type CompressorDevice = StaticDecode<typeof CompressorDevice>;
export type PowerMeterDevice = StaticDecode<typeof PowerMeterDevice>;
export type BoilerDevice = StaticDecode<typeof BoilerDevice>;
export type Dlt645BusDevice = StaticDecode<typeof Dlt645BusDevice>;
export type BusMeter = StaticDecode<typeof BusMeter>;
export type ProductionDevice = PressDevice | CncDevice | InjectionDevice;

export const Scenario = Strict({
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  /** Sparkplug group id and InfluxDB `site` tag */
  site: Id,
  /** IANA zone of the shift calendar (default Asia/Shanghai) */
  timezone: Type.Optional(Type.String({ minLength: 1 })),
  /** default seed (`--seed` overrides): the same seed gives the same plant, run after run */
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
  /** sample period of backfilled history and of the agent's polls (default 10s) */
  sample: Type.Optional(Duration),
  calendar: Calendar,
  /** electricity tariff and emission factors handed to the cloud's analytics */
  tariff: Type.Optional(
    Strict({
      currency: Type.Optional(Type.String({ minLength: 1 })),
      defaultPrice: Type.Number({ minimum: 0 }),
      periods: Type.Optional(
        Type.Array(
          Strict({
            name: Type.String({ minLength: 1 }),
            start: Type.String({ pattern: '^([01][0-9]|2[0-3]):(00|15|30|45)$' }),
            end: Type.String({ pattern: '^([01][0-9]|2[0-3]):(00|15|30|45)$' }),
            price: Type.Number({ minimum: 0 }),
          }),
        ),
      ),
    }),
  ),
  devices: Type.Array(ScenarioDevice, { minItems: 1 }),
  /** the metering tree handed to the cloud's analytics (energy balance, tce, GB 17167 coverage) */
  energyTree: Type.Optional(Type.Array(ScenarioTreeNode)),
  /** standard-coal factors handed to the cloud's analytics (`analytics.standardCoal`: the electricity 等价值) */
  standardCoal: Type.Optional(StandardCoal),
  /** HJ 212 dataloggers (CEMS, wastewater) that dial the agent: one agent device per outlet (MN) */
  dataloggers: Type.Optional(
    Type.Array(
      Strict({
        id: Id,
        outlets: Type.Array(
          Strict({
            id: Id,
            mn: Type.String({ pattern: '^[A-Za-z0-9]{1,24}$' }),
            password: Type.String({ pattern: '^[A-Za-z0-9]{1,32}$' }),
            profile: Type.Union([Type.Literal('boiler-stack'), Type.Literal('wastewater')]),
            line: Type.Optional(Type.String({ minLength: 1 })),
          }),
          { minItems: 1 },
        ),
      }),
    ),
  ),
});
export type Scenario = StaticDecode<typeof Scenario>;
