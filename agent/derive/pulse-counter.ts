/**
 * Part count from a pulse-counter register: rollover at the register width and reset detection
 * (docs/architecture.md#counters-rollover-and-reset). Pure. The total is the number of pulses seen since the
 * agent first read the register, carried across agent restarts by the caller's persisted state.
 */
export interface PulseCounterOptions {
  bits: 16 | 32 | 64;
  /** most pulses per second the input can produce; decides rollover vs reset on a drop */
  maxPerSecond?: number;
}

export interface PulseCounterState {
  total: number;
  /** last register value, as a decimal string (64-bit registers exceed 2^53) */
  lastRaw?: string;
  lastT?: number;
}

export type CounterStep =
  | { kind: 'first'; total: number }
  | { kind: 'count'; total: number; delta: number }
  | { kind: 'rollover'; total: number; delta: number; from: bigint; to: bigint }
  | { kind: 'reset'; total: number; delta: number; from: bigint; to: bigint };

export class PulseCounter {
  private readonly modulus: bigint;
  private readonly maxPerSecond: number | undefined;
  private total: number;
  private lastRaw: bigint | undefined;
  private lastT: number | undefined;

  constructor(opts: PulseCounterOptions, restored?: PulseCounterState) {
    this.modulus = 1n << BigInt(opts.bits);
    this.maxPerSecond = opts.maxPerSecond;
    this.total = restored?.total ?? 0;
    this.lastRaw = restored?.lastRaw === undefined ? undefined : BigInt(restored.lastRaw);
    this.lastT = restored?.lastT;
  }

  get state(): PulseCounterState {
    const s: PulseCounterState = { total: this.total };
    if (this.lastRaw !== undefined) s.lastRaw = this.lastRaw.toString();
    if (this.lastT !== undefined) s.lastT = this.lastT;
    return s;
  }

  /** Feeds one register reading (a non-negative integer below 2^bits). */
  push(t: number, raw: number | bigint): CounterStep {
    const cur = BigInt(raw);
    const prev = this.lastRaw;
    const prevT = this.lastT;
    this.lastRaw = cur;
    this.lastT = t;
    if (prev === undefined || prevT === undefined) return { kind: 'first', total: this.total };
    if (cur >= prev) {
      const delta = Number(cur - prev);
      this.total += delta;
      return { kind: 'count', total: this.total, delta };
    }
    const wrapped = cur - prev + this.modulus;
    if (wrapped <= this.maxStep(t - prevT)) {
      const delta = Number(wrapped);
      this.total += delta;
      return { kind: 'rollover', total: this.total, delta, from: prev, to: cur };
    }
    // the register restarted (module power cycle, counter cleared): what it shows now was counted since
    const delta = Number(cur);
    this.total += delta;
    return { kind: 'reset', total: this.total, delta, from: prev, to: cur };
  }

  private maxStep(dtMs: number): bigint {
    if (this.maxPerSecond === undefined) return this.modulus / 2n;
    return BigInt(Math.ceil((this.maxPerSecond * Math.max(dtMs, 0)) / 1000)) + 1n;
  }
}
