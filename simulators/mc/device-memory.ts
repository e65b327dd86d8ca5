/**
 * A simulated MELSEC CPU's device memory: words and bits by device, with the CPU's device sizes (a read past them
 * is answered with end code C056, as a real CPU does). Values are written with the agent's own point vocabulary
 * (protocols/mc/point.ts), so a test sets `D102 uint32 = 70000` and the words land low word first.
 */
import {
  MC_DEVICES,
  type McAddress,
  type McDeviceName,
  type McSeries,
  parseMcAddress,
} from '../../protocols/mc/devices.js';
import { asRegisterPoint, type McPointSpec, resolveMcPoint } from '../../protocols/mc/point.js';
import { encodePoint, type ModbusValue } from '../../protocols/modbus/register-codec.js';

/** Device sizes of the simulated CPU (points); defaults are those of an FX5U with default device settings where known. */
export type DeviceSizes = Partial<Record<McDeviceName, number>>;

const DEFAULT_SIZES: Record<McDeviceName, number> = {
  SM: 10000,
  X: 1024,
  Y: 1024,
  M: 32768,
  L: 32768,
  B: 32768,
  SD: 12000,
  D: 8000,
  W: 32768,
  TN: 1024,
  CN: 1024,
  R: 32768,
  ZR: 32768,
};

export class DeviceMemory {
  readonly #words = new Map<McDeviceName, Map<number, number>>();
  readonly #bits = new Map<McDeviceName, Set<number>>();
  readonly #sizes: Record<McDeviceName, number>;

  constructor(
    readonly series: McSeries,
    sizes: DeviceSizes = {},
  ) {
    this.#sizes = { ...DEFAULT_SIZES, ...sizes };
  }

  /** true when `count` points from `a` exist on this CPU */
  inRange(a: McAddress, count: number): boolean {
    return a.number + count <= this.#sizes[a.device];
  }

  word(a: McAddress): number {
    if (MC_DEVICES[a.device].kind === 'bit') {
      // a bit device read in word units: 16 points, the first in bit 0
      let w = 0;
      for (let i = 0; i < 16; i++) if (this.bit({ device: a.device, number: a.number + i })) w |= 1 << i;
      return w;
    }
    return this.#words.get(a.device)?.get(a.number) ?? 0;
  }

  bit(a: McAddress): boolean {
    if (MC_DEVICES[a.device].kind === 'word') return false;
    return this.#bits.get(a.device)?.has(a.number) ?? false;
  }

  setWord(a: McAddress, value: number): void {
    const m = this.#words.get(a.device) ?? new Map<number, number>();
    this.#words.set(a.device, m);
    m.set(a.number, value & 0xffff);
  }

  setBit(a: McAddress, on: boolean): void {
    const s = this.#bits.get(a.device) ?? new Set<number>();
    this.#bits.set(a.device, s);
    if (on) s.add(a.number);
    else s.delete(a.number);
  }

  /** Writes an engineering value the way the agent's point `p` reads it back (scale undone, words low first). */
  set(p: McPointSpec, value: ModbusValue): void {
    const r = resolveMcPoint(p, this.series);
    if (Array.isArray(r)) throw new Error(`${p.name}: ${r.map((x) => x.message).join('; ')}`);
    if (r.bit) {
      this.setBit(r.address, value === true || value === 1);
      return;
    }
    const words = encodePoint(asRegisterPoint(p, r.type), value);
    for (const [i, w] of words.entries())
      this.setWord({ device: r.address.device, number: r.address.number + i }, w);
  }

  /** Shorthand for tests and profiles: `memory.put('D100', 'uint16', 3)`. */
  put(device: string, type: McPointSpec['type'], value: ModbusValue, length?: number): void {
    const parsed = parseMcAddress(device, this.series);
    if ('problem' in parsed) throw new Error(parsed.problem);
    this.set(
      {
        name: 'sim',
        device,
        ...(type === undefined ? {} : { type }),
        ...(length === undefined ? {} : { length }),
      },
      value,
    );
  }
}
