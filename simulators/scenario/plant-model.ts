/**
 * The simulated plant: every device of a scenario as a function of time. Production machines run on their
 * timelines (machine-timeline.ts); the compressor's load follows how many machines run; the main meter sums every
 * load plus the building's base load; the boiler fires in shifts and keeps warm outside them, its gas meter
 * accumulates and its stack analyser reports NOx, SO2, particulates and O2 (with the odd burner upset over the NOx
 * limit). Values are engineering values keyed by metric name, identical whoever reads them: Modbus registers, OPC
 * UA nodes and the backfill all sample `valuesAt(t)`.
 */
import { toMs } from '../../config/schemas/common.js';
import { FAST_LATHE, LATHE, MachineModel as LatheModel } from '../retrofit/machine-model.js';
import { hash01 } from '../retrofit/prng.js';
import { Accumulator } from './accumulator.js';
import { MachineTimeline, type PlantState, round } from './machine-timeline.js';
import type {
  BoilerDevice,
  CompressorDevice,
  LatheDevice,
  PowerMeterDevice,
  ProductionDevice,
  Scenario,
  ScenarioDevice,
} from './scenario-schema.js';
import { ShiftCalendar } from './shift-calendar.js';

export type SignalValue = number | string | boolean;
export type Values = Record<string, SignalValue>;

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

function seedFor(seed: number, id: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function noise(seed: number, t: number, bucketMs = 1000): number {
  return hash01(seed, Math.floor(t / bucketMs)) - 0.5;
}

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

export class CompressorSignals implements DeviceSignals {
  readonly id: string;
  readonly kind = 'compressor';
  readonly #d: CompressorDevice;
  readonly #machines: ProductionSignals[];
  readonly #calendar: ShiftCalendar;
  readonly #energy: Accumulator;
  readonly #seed: number;

  constructor(
    d: CompressorDevice,
    machines: ProductionSignals[],
    calendar: ShiftCalendar,
    opts: PlantOptions,
  ) {
    this.id = d.id;
    this.#d = d;
    this.#machines = machines;
    this.#calendar = calendar;
    this.#seed = seedFor(opts.seed, d.id);
    this.#energy = new Accumulator((t) => this.meanPowerKw(t), opts.epoch);
  }

  /** share of the time the compressor runs loaded: leaks off shift, more with every running machine */
  loadShare(t: number): number {
    if (this.#machines.length === 0) return 0.5;
    const running = this.#machines.filter((m) => m.timeline.stateAt(t) === 'running').length;
    const base = this.#calendar.inShift(t) ? 0.2 : 0.12;
    return Math.min(0.95, base + (0.7 * running) / this.#machines.length);
  }

  meanPowerKw(t: number): number {
    const s = this.loadShare(t);
    const unl = this.#d.unloadedShare ?? 0.25;
    return this.#d.ratedKw * (s + (1 - s) * unl);
  }

  #loaded(t: number): boolean {
    return (t % 60_000) / 60_000 < this.loadShare(t);
  }

  powerKwAt(t: number): number {
    const loaded = this.#loaded(t);
    const n = noise(this.#seed, t) * 0.03;
    return round(this.#d.ratedKw * (loaded ? 1 : (this.#d.unloadedShare ?? 0.25)) * (1 + n), 2);
  }

  valuesAt(t: number): Values {
    const loaded = this.#loaded(t);
    const p = this.#d.pressureBar ?? 7.5;
    const phase = (t % 60_000) / 60_000;
    return {
      state_code: loaded ? 2 : 1,
      pressure_bar: round(p - 0.4 + 0.5 * (loaded ? phase : 1 - phase), 2),
      flow_m3min: round(loaded ? this.#d.fadM3min * (0.95 + noise(this.#seed, t) * 0.05) : 0, 2),
      power_kw: this.powerKwAt(t),
      energy_kwh: round(this.#energy.at(t), 2),
    };
  }
}

export class PowerMeterSignals implements DeviceSignals {
  readonly id: string;
  readonly kind = 'power-meter';
  readonly #d: PowerMeterDevice;
  readonly #loads: DeviceSignals[];
  readonly #calendar: ShiftCalendar;
  readonly #energy: Accumulator;
  readonly #seed: number;

  constructor(d: PowerMeterDevice, loads: DeviceSignals[], calendar: ShiftCalendar, opts: PlantOptions) {
    this.id = d.id;
    this.#d = d;
    this.#loads = loads;
    this.#calendar = calendar;
    this.#seed = seedFor(opts.seed, d.id);
    this.#energy = new Accumulator((t) => this.totalKw(t), opts.epoch);
  }

  baseKw(t: number): number {
    return this.#calendar.inShift(t) ? this.#d.baseLoadKw.shift : this.#d.baseLoadKw.offShift;
  }

  totalKw(t: number): number {
    let kw = this.baseKw(t);
    for (const l of this.#loads) kw += l.powerKwAt?.(t) ?? 0;
    return kw;
  }

  valuesAt(t: number): Values {
    const kw = this.totalKw(t);
    const v = (this.#d.voltage ?? 400) * (1 + noise(this.#seed, t, 5000) * 0.01);
    const pf = round(0.9 + 0.04 * Math.min(1, kw / 600) + noise(this.#seed ^ 7, t) * 0.01, 3);
    return {
      voltage_v: round(v, 1),
      current_a: round((kw * 1000) / (Math.sqrt(3) * v * pf), 1),
      import_kw: round(kw, 2),
      power_factor: pf,
      import_kwh: round(this.#energy.at(t), 1),
    };
  }
}

/** The boiler's three Modbus units: controller (`<id>`), gas meter (`<id>-gas`), stack analyser (`<id>-stack`). */
export class BoilerSignals {
  readonly controller: DeviceSignals;
  readonly gasMeter: DeviceSignals;
  readonly stack: DeviceSignals;
  readonly #d: BoilerDevice;
  readonly #calendar: ShiftCalendar;
  readonly #seed: number;
  readonly #gas: Accumulator;
  readonly #upsetEveryMs: number;
  readonly #speed: number;

  constructor(d: BoilerDevice, calendar: ShiftCalendar, opts: PlantOptions) {
    this.#d = d;
    this.#calendar = calendar;
    this.#seed = seedFor(opts.seed, d.id);
    this.#speed = opts.speed ?? 1;
    this.#upsetEveryMs = toMs(d.upsetEvery ?? '8h') / this.#speed;
    this.#gas = new Accumulator((t) => this.gasM3h(t), opts.epoch);
    this.controller = { id: d.id, kind: 'boiler', valuesAt: (t) => this.#controller(t) };
    this.gasMeter = { id: `${d.id}-gas`, kind: 'gas-meter', valuesAt: (t) => this.#gasMeter(t) };
    this.stack = { id: `${d.id}-stack`, kind: 'stack-analyser', valuesAt: (t) => this.#stack(t) };
  }

  firing(t: number): number {
    if (!this.#calendar.inShift(t)) return this.#d.firing.offShift;
    const f = this.#d.firing.shift * (0.85 + 0.15 * Math.sin((2 * Math.PI * t) / 2_700_000));
    return Math.min(1, f + noise(this.#seed, t, 10_000) * 0.04);
  }

  gasM3h(t: number): number {
    return this.#d.fullFireM3h * this.firing(t);
  }

  /** a burner upset (NOx over the limit) in progress at t: ~6 simulated minutes, one per `upsetEvery` on average */
  upset(t: number): boolean {
    const bucket = Math.max(60_000, this.#upsetEveryMs / 8);
    const k = Math.floor(t / bucket);
    if (hash01(this.#seed ^ 0xb011, k) >= bucket / this.#upsetEveryMs) return false;
    const start = k * bucket + hash01(this.#seed ^ 0xb012, k) * bucket * 0.5;
    return t >= start && t < start + 360_000 / this.#speed;
  }

  #controller(t: number): Values {
    const f = this.firing(t);
    return {
      state_code: f < 0.01 ? 0 : f < 0.5 ? 1 : 2,
      firing_pct: round(f * 100, 1),
      steam_bar: round(f < 0.01 ? 0.5 : 7.8 + f * 0.6 + noise(this.#seed, t) * 0.1, 2),
      flue_temp_c: round(90 + 80 * f + noise(this.#seed ^ 3, t) * 2, 1),
    };
  }

  #gasMeter(t: number): Values {
    return { gas_flow_m3h: round(this.gasM3h(t), 2), gas_total_m3: round(this.#gas.at(t), 2) };
  }

  #stack(t: number): Values {
    const s = this.#d.stack;
    const rel = this.firing(t) / Math.max(0.01, this.#d.firing.shift);
    const n = (k: number) => noise(this.#seed ^ k, t, 5000);
    const nox = s.noxMgM3 * (0.6 + 0.4 * rel) * (1 + n(11) * 0.08) * (this.upset(t) ? 2.3 : 1);
    return {
      nox_mg_m3: round(nox, 1),
      so2_mg_m3: round(s.so2MgM3 * (1 + n(12) * 0.3), 2),
      pm_mg_m3: round(s.pmMgM3 * (1 + n(13) * 0.3), 2),
      o2_pct: round(s.o2Pct + 2.5 * (1 - Math.min(1, rel)) + n(14) * 0.2, 2),
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
  }

  /** Every device signal source, by agent device id, in scenario order. */
  devices(): DeviceSignals[] {
    return [
      ...this.production,
      ...this.lathes,
      ...this.compressors,
      ...this.meters,
      ...this.boilers.flatMap((b) => [b.controller, b.gasMeter, b.stack]),
    ];
  }
}
