/**
 * A DL/T 645 meter of the scenario's meter bus: its power is the sum of the devices on its feeder plus a base load
 * no other meter sees (the deliberate unmetered share of the energy balance), its register integrates that power.
 */
import { Accumulator } from './accumulator.js';
import { round } from './machine-timeline.js';
import type { DeviceSignals, Values } from './plant-model.js';
import type { BusMeter } from './scenario-schema.js';
import type { ShiftCalendar } from './shift-calendar.js';

export class BusMeterSignals implements DeviceSignals {
  readonly id: string;
  readonly kind = 'dlt645-meter';
  readonly address: string;
  readonly #m: BusMeter;
  readonly #loads: DeviceSignals[];
  readonly #calendar: ShiftCalendar;
  readonly #energy: Accumulator;

  constructor(m: BusMeter, loads: DeviceSignals[], calendar: ShiftCalendar, epoch: number) {
    this.id = m.id;
    this.address = m.address;
    this.#m = m;
    this.#loads = loads;
    this.#calendar = calendar;
    this.#energy = new Accumulator((t) => this.totalKw(t), epoch);
  }

  totalKw(t: number): number {
    const base = this.#m.baseLoadKw;
    let kw = base === undefined ? 0 : this.#calendar.inShift(t) ? base.shift : base.offShift;
    for (const l of this.#loads) kw += l.powerKwAt?.(t) ?? 0;
    return kw;
  }

  /** the register (kWh) at t */
  energyKwhAt(t: number): number {
    return (this.#m.startKwh ?? 10_000) + this.#energy.at(t);
  }

  valuesAt(t: number): Values {
    return { energy_kwh: round(this.energyKwhAt(t), 2), power_kw: round(this.totalKw(t), 3) };
  }
}
