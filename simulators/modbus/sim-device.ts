/** One simulated unit: its register bank, the engineering value of each point, and when each last changed. */
import { isBitTable, pointWidth } from '../../protocols/modbus/point.js';
import { decodePoint, encodePoint, type ModbusValue } from '../../protocols/modbus/register-codec.js';
import type { SimPoint, SimProfile } from './profile.js';
import { RegisterBank } from './register-bank.js';

/** A value change inside the simulator, as `onChange` reports it. */
export interface SimChange {
  unitId: number;
  name: string;
  /** the engineering value set */
  value: ModbusValue;
  /** what an agent reading the point must decode (float32 rounding, scale) */
  expected: ModbusValue;
  /** wall-clock ms */
  at: number;
}

export class SimDevice {
  readonly unitId: number;
  readonly bank: RegisterBank;
  private readonly points = new Map<string, SimPoint>();
  private readonly values = new Map<string, ModbusValue>();
  private readonly changed = new Map<string, number>();

  constructor(
    readonly profile: SimProfile,
    private readonly now: () => number,
    private readonly onChange?: (c: SimChange) => void,
  ) {
    this.unitId = profile.unitId ?? 1;
    this.bank = new RegisterBank(profile);
    for (const p of profile.points) {
      if (this.points.has(p.name)) throw new Error(`profile ${profile.name}: duplicate point ${p.name}`);
      this.points.set(p.name, p);
      this.set(p.name, p.initial);
    }
  }

  point(name: string): SimPoint {
    const p = this.points.get(name);
    if (p === undefined) throw new Error(`profile ${this.profile.name} has no point ${name}`);
    return p;
  }

  get(name: string): ModbusValue {
    this.point(name);
    return this.values.get(name) as ModbusValue;
  }

  /** Writes an engineering value into the registers (unscaled and encoded like the device would hold it). */
  set(name: string, value: ModbusValue): void {
    const p = this.point(name);
    const prev = this.values.get(name);
    if (isBitTable(p.table)) {
      this.bank[p.table][p.address] = value === true || value === 1 ? 1 : 0;
    } else {
      const table = this.bank[p.table as 'holding' | 'input'];
      const words = encodePoint(p, value, table[p.address] ?? 0);
      table.set(words, p.address);
    }
    this.values.set(name, value);
    if (prev === undefined || prev !== value) this.changedNow(name, value);
  }

  /** What an agent configured with the same point must decode right now (float32 rounding, scale, …). */
  expected(name: string): ModbusValue {
    const p = this.point(name);
    if (isBitTable(p.table)) return this.bank[p.table][p.address] === 1;
    const table = this.bank[p.table as 'holding' | 'input'];
    return decodePoint(p, table, p.address);
  }

  private changedNow(name: string, value: ModbusValue): void {
    const at = this.now();
    this.changed.set(name, at);
    this.onChange?.({ unitId: this.unitId, name, value, expected: this.expected(name), at });
  }

  /** Wall-clock ms of the last change of a point's value (set, behaviour or a master's write). */
  changedAt(name: string): number {
    this.point(name);
    return this.changed.get(name) ?? 0;
  }

  /** Runs every behaviour once at simulated time t. */
  tick(t: number): void {
    for (const p of this.points.values()) {
      if (p.behaviour === undefined) continue;
      const next = p.behaviour({ t, value: this.get(p.name), get: (n) => this.get(n) });
      if (next !== this.values.get(p.name)) this.set(p.name, next);
    }
  }

  /** After a master wrote registers or coils: re-derive the values of the points it touched. */
  afterWrite(table: 'holding' | 'coil', address: number, count: number): void {
    for (const p of this.points.values()) {
      if (p.table !== table) continue;
      const w = isBitTable(p.table) ? 1 : pointWidth(p);
      if (p.address + w <= address || p.address >= address + count) continue;
      const v = this.expected(p.name);
      if (v !== this.values.get(p.name)) {
        this.values.set(p.name, v);
        this.changedNow(p.name, v);
      }
    }
  }
}
