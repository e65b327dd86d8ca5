/**
 * The plant's utilities as functions of time: the compressor (its load follows how many machines run), the main
 * incomer meter (every load plus the building's base load) and the gas boiler with its gas meter and stack analyser.
 */
import { hash01 } from '../retrofit/prng.js';
import { Accumulator } from './accumulator.js';
import { round } from './machine-timeline.js';
import type { DeviceSignals, PlantOptions, ProductionSignals, Values } from './plant-model.js';
import type { BoilerDevice, CompressorDevice, PowerMeterDevice } from './scenario-schema.js';
import { noise, seedFor } from './seeded-noise.js';
import type { ShiftCalendar } from './shift-calendar.js';

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
    this.#upsetEveryMs = (d.upsetEvery ?? 8 * 3_600_000) / this.#speed;
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
