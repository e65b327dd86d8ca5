/**
 * The simulated plant: every device of a scenario as a function of time. Production machines run on their
 * timelines (machine-timeline.ts); the compressor's load follows how many machines run; the main meter sums every
 * load plus the building's base load; the boiler fires in shifts and keeps warm outside them, its gas meter
 * accumulates and its stack analyser reports NOx, SO2, particulates and O2 (with the odd burner upset over the NOx
 * limit). Values are engineering values keyed by metric name, identical whoever reads them: Modbus registers, OPC
 * UA nodes and the backfill all sample `valuesAt(t)`.
 */
import { FAST_LATHE, LATHE, MachineModel as LatheModel } from '../retrofit/machine-model.js';
import { Accumulator } from './accumulator.js';
import { BusMeterSignals } from './bus-meter-signals.js';
import { MachineTimeline, type PlantState, round } from './machine-timeline.js';
import type { LatheDevice, ProductionDevice, Scenario, ScenarioDevice } from './scenario-schema.js';
import { noise, seedFor } from './seeded-noise.js';
import { ShiftCalendar } from './shift-calendar.js';
import { BoilerSignals, CompressorSignals, PowerMeterSignals } from './utility-signals.js';

export type SignalValue = number | string | boolean;
export type Values = Record<string, SignalValue>;

export { BoilerSignals, CompressorSignals, PowerMeterSignals };

/** One device as seen at time t. Boilers have three: controller, gas meter, stack analyser. */
export interface DeviceSignals {
  readonly id: string;
  readonly kind: string;
  valuesAt(t: number): Values;
  /** electrical load (kW) at t, for the main meter; undefined: not on the meter */
  powerKwAt?(t: number): number;
}

export interface PlantOptions {
  seed: number;
  /** where every timeline and counter starts (ms since epoch) */
  epoch: number;
  /** process durations are divided by this (default 1) */
  speed?: number;
}

/** PLC state codes of the press and the CNCs (and the analytics mapping of each). */
export const STATE_CODES: Record<PlantState, number> = {
  planned_stop: 0,
  running: 1,
  idle: 2,
  down: 3,
  setup: 4,
};
/** PackML StateCurrent used by the injection moulding machine for each state. */
export const PACKML_CODES: Record<PlantState, number> = {
  planned_stop: 2, // Stopped
  running: 6, // Execute
  idle: 5, // Suspended (starved or blocked)
  down: 9, // Aborted
  setup: 15, // Resetting (mould change)
};

export class ProductionSignals implements DeviceSignals {
  readonly id: string;
  readonly kind: ProductionDevice['kind'];
  readonly timeline: MachineTimeline;
  readonly #d: ProductionDevice;
  readonly #seed: number;

  constructor(d: ProductionDevice, calendar: ShiftCalendar, opts: PlantOptions) {
    this.id = d.id;
    this.kind = d.kind;
    this.#d = d;
    this.#seed = seedFor(opts.seed, d.id);
    this.timeline = new MachineTimeline({
      behaviour: d.behaviour,
      calendar,
      seed: this.#seed,
      epoch: opts.epoch,
      speed: opts.speed ?? 1,
    });
  }

  /** parts per cycle (injection: cavities) */
  get perCycle(): number {
    return this.#d.kind === 'injection' ? (this.#d.cavities ?? 1) : 1;
  }

  powerKwAt(t: number): number {
    return this.timeline.powerKwAt(t);
  }

  valuesAt(t: number): Values {
    const tl = this.timeline;
    const state = tl.stateAt(t);
    const running = state === 'running';
    const common = {
      part_count: tl.partsAt(t) * this.perCycle,
      scrap_count: tl.scrapAt(t) * this.perCycle,
      power_kw: tl.powerKwAt(t),
      energy_kwh: round(tl.energyKwhAt(t), 3),
    };
    const n = noise(this.#seed, t);
    switch (this.#d.kind) {
      case 'press':
        return {
          state_code: STATE_CODES[state],
          ...common,
          stroke_rate: running ? Math.round(60_000 / tl.cycleMs) : 0,
        };
      case 'cnc': {
        const rpm = this.#d.spindleRpm ?? 8000;
        return {
          state_code: STATE_CODES[state],
          ...common,
          spindle_rpm: running ? round(rpm * (1 + n * 0.01), 1) : 0,
          spindle_load_pct: running ? round(55 + 20 * Math.sin(t / 4000) + n * 6, 1) : 0,
          program: this.#d.program ?? 'O1001',
          alarm_active: state === 'down',
        };
      }
      case 'injection':
        return {
          packml_state: PACKML_CODES[state],
          ...common,
          cycle_time_s: round((tl.cycleMs / 1000) * (1 + n * 0.02), 2),
          melt_temp_c: round(state === 'planned_stop' ? 60 + n : 235 + n * 3, 1),
          injection_pressure_bar: running ? round(1150 + 80 * Math.sin(t / 1500) + n * 20, 1) : 0,
        };
    }
  }
}

/** The retrofitted lathe: its own machine model (simulators/retrofit), seen through the IO module by the agent. */
export class LatheSignals implements DeviceSignals {
  readonly id: string;
  readonly kind = 'lathe';
  readonly model: LatheModel;
  readonly #epoch: number;
  readonly #speed: number;
  readonly #energy: Accumulator;

  constructor(d: LatheDevice, opts: PlantOptions) {
    this.id = d.id;
    this.#epoch = opts.epoch;
    this.#speed = opts.speed ?? 1;
    this.model = new LatheModel(this.#speed >= 5 ? FAST_LATHE : LATHE, seedFor(opts.seed, d.id));
    this.#energy = new Accumulator((t) => this.powerKwAt(t), opts.epoch, 2_000);
  }

  /** model time (ms from 0) at wall time t */
  modelTime(t: number): number {
    const speed = this.#speed >= 5 ? this.#speed / 10 : this.#speed;
    return Math.max(0, (t - this.#epoch) * speed);
  }

  powerKwAt(t: number): number {
    return (Math.sqrt(3) * 380 * this.model.currentAt(this.modelTime(t)) * 0.85) / 1000;
  }

  /** what the agent's derive section reports (backfill publishes these) */
  valuesAt(t: number): Values {
    const mt = this.modelTime(t);
    const a = this.model.currentAt(mt);
    return {
      current_a: round(a, 2),
      state: this.model.stateAt(mt),
      part_count: this.model.partsUntil(mt),
      power_kw: round((Math.sqrt(3) * 380 * a * 0.85) / 1000, 3),
      energy_kwh: round(this.#energy.at(t), 3),
    };
  }
}

/** Every device of a scenario, ready to sample. */
export class PlantModel {
  readonly scenario: Scenario;
  readonly calendar: ShiftCalendar;
  readonly options: Required<PlantOptions>;
  readonly production: ProductionSignals[] = [];
  readonly lathes: LatheSignals[] = [];
  readonly compressors: CompressorSignals[] = [];
  readonly meters: PowerMeterSignals[] = [];
  readonly boilers: BoilerSignals[] = [];
  /** DL/T 645 meters, per bus (device id of the bus → its meters) */
  readonly buses = new Map<string, BusMeterSignals[]>();

  constructor(scenario: Scenario, opts: PlantOptions) {
    this.scenario = scenario;
    this.options = { seed: opts.seed, epoch: opts.epoch, speed: opts.speed ?? 1 };
    this.calendar = new ShiftCalendar(scenario.calendar, scenario.timezone ?? 'Asia/Shanghai');
    const later: ScenarioDevice[] = [];
    for (const d of scenario.devices) {
      if (d.kind === 'press' || d.kind === 'cnc' || d.kind === 'injection')
        this.production.push(new ProductionSignals(d, this.calendar, this.options));
      else if (d.kind === 'lathe') this.lathes.push(new LatheSignals(d, this.options));
      else if (d.kind === 'boiler') this.boilers.push(new BoilerSignals(d, this.calendar, this.options));
      else later.push(d);
    }
    for (const d of later)
      if (d.kind === 'compressor')
        this.compressors.push(new CompressorSignals(d, this.production, this.calendar, this.options));
    for (const d of later)
      if (d.kind === 'power-meter')
        this.meters.push(
          new PowerMeterSignals(
            d,
            [...this.production, ...this.lathes, ...this.compressors],
            this.calendar,
            this.options,
          ),
        );
    const loads = new Map<string, DeviceSignals>(
      [...this.production, ...this.lathes, ...this.compressors].map((d) => [d.id, d]),
    );
    for (const d of later)
      if (d.kind === 'dlt645-bus')
        this.buses.set(
          d.id,
          d.meters.map(
            (m) =>
              new BusMeterSignals(
                m,
                m.feeds.flatMap((id) => loads.get(id) ?? []),
                this.calendar,
                this.options.epoch,
              ),
          ),
        );
  }

  /** Every device signal source, by agent device id, in scenario order. */
  devices(): DeviceSignals[] {
    return [
      ...this.production,
      ...this.lathes,
      ...this.compressors,
      ...this.meters,
      ...this.boilers.flatMap((b) => [b.controller, b.gasMeter, b.stack]),
      ...[...this.buses.values()].flat(),
    ];
  }
}
