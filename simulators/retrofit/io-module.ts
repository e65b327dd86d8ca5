/**
 * A small RTU IO module (the kind sold for retrofits: 2 analogue inputs, a pulse counter, 4 digital inputs)
 * wired to a machine model. Pure register logic; `retrofit-profile.ts` puts it on a Modbus line.
 *
 * Register map (0-based protocol addresses, unit id as configured):
 *
 * | table    | address | type   | content                                                                   |
 * |----------|---------|--------|---------------------------------------------------------------------------|
 * | input    | 0       | uint16 | AI0 loop current in µA (0–24000): CT transducer, 0–ctRangeA → 4–20 mA      |
 * | input    | 1       | uint16 | AI1 voltage in mV (0–11000): cabinet temperature, 0–100 °C → 0–10 V        |
 * | input    | 2–3     | uint32 | DI0 pulse counter (rising edges), high word first (ABCD), wraps at 2^bits |
 * | input    | 4       | uint16 | channel status: bit 0 AI0 wire break (< 3.6 mA), bit 1 AI1 over-range      |
 * | discrete | 0       | bool   | DI0 photo-eye, true while a part blocks the beam                           |
 * | discrete | 1–3     | bool   | DI1–DI3, not wired (false)                                                 |
 * | holding  | 0       | uint16 | write 1 to clear the pulse counter; reads 0                               |
 */
import type { MachineModel } from './machine-model.js';

export interface RetrofitIoOptions {
  /** current at 20 mA on the CT transducer; default 50 A */
  ctRangeA?: number;
  /** counter width: 32 (default) or 16 (wraps at 65536, for rollover tests) */
  counterBits?: 16 | 32;
  /** counter value when the module starts (a module that has been counting for a while) */
  counterStart?: number;
}

export const RETROFIT_IO_MAP = {
  ai0: { table: 'input', address: 0 },
  ai1: { table: 'input', address: 1 },
  counter: { table: 'input', address: 2 },
  status: { table: 'input', address: 4 },
  photoEye: { table: 'discrete', address: 0 },
  counterReset: { table: 'holding', address: 0 },
} as const;

export class RetrofitIoModule {
  readonly model: MachineModel;
  readonly ctRangeA: number;
  private readonly modulus: number;
  private counterBase: number;
  private partsAtReset = 0;
  private readonly broken = [false, false];

  constructor(model: MachineModel, opts: RetrofitIoOptions = {}) {
    this.model = model;
    this.ctRangeA = opts.ctRangeA ?? 50;
    this.modulus = 2 ** (opts.counterBits ?? 32);
    this.counterBase = opts.counterStart ?? 0;
  }

  /** AI0 in µA: 4–20 mA for 0–ctRangeA; the transducer saturates at 20.5 mA; 0 with a broken wire. */
  ai0MicroAmps(t: number): number {
    if (this.broken[0]) return 0;
    const ma = 4 + (this.model.currentAt(t) / this.ctRangeA) * 16;
    return Math.round(Math.min(20.5, Math.max(4, ma)) * 1000);
  }

  /** AI1 in mV: cabinet temperature 0–100 °C on 0–10 V, warming slowly while the machine runs. */
  ai1MilliVolts(t: number): number {
    if (this.broken[1]) return 0;
    const celsius = 28 + 4 * Math.sin(t / 1_200_000) + (this.model.stateAt(t) === 'running' ? 3 : 0);
    return Math.round(celsius * 100);
  }

  /** The pulse counter register value. */
  counter(t: number): number {
    return (this.counterBase + this.model.partsUntil(t) - this.partsAtReset) % this.modulus;
  }

  status(t: number): number {
    return (this.ai0MicroAmps(t) < 3_600 ? 1 : 0) | (this.ai1MilliVolts(t) > 10_500 ? 2 : 0);
  }

  discreteInput(index: number, t: number): boolean {
    return index === 0 ? this.model.photoEyeAt(t) : false;
  }

  /** Clears the counter (holding register 0 ← 1, or a module power cycle). */
  resetCounter(t: number): void {
    this.counterBase = 0;
    this.partsAtReset = this.model.partsUntil(t);
  }

  /** Fault injection: cut (or repair) the wire of analogue input 0 or 1. */
  breakWire(channel: 0 | 1, broken = true): void {
    this.broken[channel] = broken;
  }
}
