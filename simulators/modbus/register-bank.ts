import type { ModbusTable } from '../../protocols/modbus/point.js';
import { isBitTable, pointWidth } from '../../protocols/modbus/point.js';
import type { SimProfile } from './profile.js';

/** The memory of one simulated unit: 65536 registers per register table, 65536 bits per bit table. */
export class RegisterBank {
  readonly holding = new Uint16Array(65536);
  readonly input = new Uint16Array(65536);
  readonly coil = new Uint8Array(65536);
  readonly discrete = new Uint8Array(65536);
  /** addresses a point declares, per table; used when the profile asks for strict addressing */
  private readonly mapped: Record<ModbusTable, Uint8Array> | undefined;

  constructor(profile: SimProfile) {
    if (profile.strictAddresses !== true) return;
    this.mapped = {
      holding: new Uint8Array(65536),
      input: new Uint8Array(65536),
      coil: new Uint8Array(65536),
      discrete: new Uint8Array(65536),
    };
    for (const p of profile.points) {
      const w = isBitTable(p.table) ? 1 : pointWidth(p);
      this.mapped[p.table].fill(1, p.address, p.address + w);
    }
  }

  /** True when every address of the range exists on this device. */
  covers(table: ModbusTable, address: number, count: number): boolean {
    if (address + count > 65536) return false;
    if (this.mapped === undefined) return true;
    const m = this.mapped[table];
    for (let a = address; a < address + count; a++) if (m[a] !== 1) return false;
    return true;
  }

  readWords(table: 'holding' | 'input', address: number, count: number): Uint16Array {
    return this[table].slice(address, address + count);
  }

  readBits(table: 'coil' | 'discrete', address: number, count: number): boolean[] {
    return Array.from(this[table].subarray(address, address + count), (b) => b === 1);
  }
}
