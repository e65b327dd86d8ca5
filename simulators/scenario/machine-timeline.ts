/**
 * One production machine's life, as a timeline of state segments generated lazily from an epoch: it follows the
 * shift calendar (planned_stop outside it, a warm-up idle after each start), runs parts at its cycle time (a little
 * slower than ideal: speed loss), fails at random (exponential MTBF on running time) and waits for repair
 * (exponential MTTR), changes over after a number of parts, and waits for material now and then. Scrap is a
 * per-part coin flip. Everything comes from a seeded PRNG drawn in generation order, so a timeline depends only on
 * (behaviour, calendar, seed, epoch, speed), never on who asks when or how often. `speed` divides every process
 * duration (cycle, MTBF, MTTR, changeover, waits); the calendar stays wall-clock.
 */
import { hash01, mulberry32 } from '../retrofit/prng.js';
import type { MachineBehaviour } from './scenario-schema.js';
import type { ShiftCalendar } from './shift-calendar.js';

export type PlantState = 'running' | 'idle' | 'down' | 'setup' | 'planned_stop';

export interface Segment {
  state: PlantState;
  start: number;
  end: number;
  /** running ms before this segment */
  runBefore: number;
  /** kWh drawn before this segment (state power only, no noise) */
  kwhBefore: number;
}

export interface TimelineOptions {
  behaviour: MachineBehaviour;
  calendar: ShiftCalendar;
  seed: number;
  /** ms since epoch where the timeline starts (the machine is idle-fresh: counters 0) */
  epoch: number;
  /** process durations are divided by this (default 1) */
  speed?: number;
}

const MAX_SEGMENT_MS = 6 * 3_600_000;

export class MachineTimeline {
  readonly idealCycleMs: number;
  readonly cycleMs: number;
  readonly epoch: number;
  readonly #b: MachineBehaviour;
  readonly #cal: ShiftCalendar;
  readonly #rand: () => number;
  readonly #seed: number;
  readonly #speed: number;
  readonly #segments: Segment[] = [];
  #cursor: number;
  #runMs = 0;
  #kwh = 0;
  #queue: { state: PlantState; ms: number }[] = [];
  #wasPlanned = false;
  #nextFail: number;
  #nextChange: number;
  #nextWait: number;
  #scrapCache = { parts: 0, scrap: 0 };

  constructor(opts: TimelineOptions) {
    this.#b = opts.behaviour;
    this.#cal = opts.calendar;
    this.#seed = opts.seed >>> 0;
    this.#rand = mulberry32(opts.seed);
    this.#speed = opts.speed ?? 1;
    this.epoch = opts.epoch;
    this.#cursor = opts.epoch;
    this.idealCycleMs = this.#b.cycle / this.#speed;
    this.cycleMs = this.idealCycleMs * (1 + (this.#b.slowdown ?? 0.05));
    this.#nextFail = this.#exp(this.#dur(this.#b.mtbf));
    this.#nextChange =
      this.#b.changeover === undefined
        ? Number.POSITIVE_INFINITY
        : this.#b.changeover.everyParts * this.cycleMs;
    this.#nextWait =
      this.#b.waitEvery === undefined ? Number.POSITIVE_INFINITY : this.#exp(this.#dur(this.#b.waitEvery));
  }

  #dur(d: MachineBehaviour['cycle']): number {
    return d / this.#speed;
  }

  #exp(mean: number): number {
    return Math.max(1, -Math.log(1 - this.#rand()) * mean);
  }

  /** The segment covering t (t ≥ epoch; earlier times read as the first segment). */
  segmentAt(t: number): Segment {
    this.#ensure(t);
    const s = this.#segments;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid]?.start ?? 0) <= t) lo = mid;
      else hi = mid - 1;
    }
    return s[lo] as Segment;
  }

  stateAt(t: number): PlantState {
    return this.segmentAt(t).state;
  }

  /** Segments overlapping [from, to), clipped. */
  segments(from: number, to: number): Segment[] {
    this.#ensure(to);
    return this.#segments
      .filter((s) => s.end > from && s.start < to)
      .map((s) => ({ ...s, start: Math.max(s.start, from), end: Math.min(s.end, to) }));
  }

  runMsAt(t: number): number {
    const s = this.segmentAt(t);
    return s.runBefore + (s.state === 'running' ? Math.max(0, Math.min(t, s.end) - s.start) : 0);
  }

  /** Parts made since the epoch (a cumulative counter, as a PLC keeps it). */
  partsAt(t: number): number {
    return Math.floor(this.runMsAt(t) / this.cycleMs + 1e-9);
  }

  /** Scrap parts among `partsAt(t)`: each part is scrap with the scenario's probability, decided by its number. */
  scrapAt(t: number): number {
    const parts = this.partsAt(t);
    const rate = this.#b.scrap ?? 0.01;
    if (parts < this.#scrapCache.parts) this.#scrapCache = { parts: 0, scrap: 0 };
    let { scrap } = this.#scrapCache;
    for (let i = this.#scrapCache.parts + 1; i <= parts; i++)
      if (hash01(this.#seed ^ 0x5c4a, i) < rate) scrap++;
    this.#scrapCache = { parts, scrap };
    return scrap;
  }

  /** State power (kW) without noise. */
  statePowerKw(state: PlantState): number {
    const p = this.#b.power;
    switch (state) {
      case 'running':
        return p.running;
      case 'idle':
        return p.idle;
      case 'setup':
        return p.setup ?? p.idle;
      case 'down':
        return p.down ?? p.idle * 0.5;
      case 'planned_stop':
        return p.off;
    }
  }

  /** Power at t: the state's power with a deterministic ripple while running (the load follows the cycle). */
  powerKwAt(t: number): number {
    const s = this.segmentAt(t);
    const base = this.statePowerKw(s.state);
    const noise = (hash01(this.#seed ^ 0x9137, Math.floor(t / 1000)) - 0.5) * 0.04;
    if (s.state !== 'running') return round(base * (1 + noise), 3);
    const phase = ((this.runMsAt(t) % this.cycleMs) / this.cycleMs) * 2 * Math.PI;
    return round(base * (1 + 0.12 * Math.sin(phase) + noise), 3);
  }

  /** Energy drawn since the epoch (kWh): the integral of the state power, exact per segment. */
  energyKwhAt(t: number): number {
    const s = this.segmentAt(t);
    const ms = Math.max(0, Math.min(t, s.end) - s.start);
    return s.kwhBefore + (this.statePowerKw(s.state) * ms) / 3_600_000;
  }

  #push(state: PlantState, duration: number): void {
    // whole milliseconds: timestamps on the wire are integers
    const ms = Math.max(1, Math.round(duration));
    const start = this.#cursor;
    const end = start + ms;
    const last = this.#segments[this.#segments.length - 1];
    if (last && last.state === state && last.end === start) last.end = end;
    else this.#segments.push({ state, start, end, runBefore: this.#runMs, kwhBefore: this.#kwh });
    if (state === 'running') this.#runMs += ms;
    this.#kwh += (this.statePowerKw(state) * ms) / 3_600_000;
    this.#cursor = end;
  }

  #ensure(t: number): void {
    while (this.#cursor <= t) this.#step();
  }

  #step(): void {
    const cal = this.#cal.at(this.#cursor);
    const limit = Math.min(cal.until, this.#cursor + MAX_SEGMENT_MS);
    if (!cal.planned) {
      this.#wasPlanned = false;
      this.#push('planned_stop', limit - this.#cursor);
      return;
    }
    if (!this.#wasPlanned) {
      this.#wasPlanned = true;
      const warm = this.#b.warmup === undefined ? 0 : this.#exp(this.#dur(this.#b.warmup));
      if (warm > 0) this.#queue.push({ state: 'idle', ms: warm });
    }
    const head = this.#queue[0];
    if (head) {
      const ms = Math.max(1, Math.round(Math.min(head.ms, limit - this.#cursor)));
      this.#push(head.state, ms);
      head.ms -= ms;
      if (head.ms <= 0) this.#queue.shift();
      return;
    }
    const run = Math.max(
      1,
      Math.min(
        this.#nextFail - this.#runMs,
        this.#nextChange - this.#runMs,
        this.#nextWait - this.#runMs,
        limit - this.#cursor,
      ),
    );
    this.#push('running', Math.ceil(run));
    if (this.#runMs >= this.#nextFail) {
      this.#queue.push({ state: 'down', ms: this.#exp(this.#dur(this.#b.mttr)) });
      this.#nextFail = this.#runMs + this.#exp(this.#dur(this.#b.mtbf));
    } else if (this.#runMs >= this.#nextChange && this.#b.changeover !== undefined) {
      this.#queue.push({
        state: 'setup',
        ms: this.#dur(this.#b.changeover.duration) * (0.8 + 0.4 * this.#rand()),
      });
      this.#nextChange += this.#b.changeover.everyParts * this.cycleMs;
    } else if (this.#runMs >= this.#nextWait && this.#b.waitEvery !== undefined) {
      this.#queue.push({ state: 'idle', ms: this.#exp(this.#dur(this.#b.waitFor ?? 180_000)) });
      this.#nextWait = this.#runMs + this.#exp(this.#dur(this.#b.waitEvery));
    }
  }
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
