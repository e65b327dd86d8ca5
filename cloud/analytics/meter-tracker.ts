/**
 * One energy meter's retained history and per-minute consumption and cost (cached; a reading invalidates from the
 * previous reading on, because a register increase or a rate segment is spread over the time between readings).
 */
import type { Carrier, Meter } from '../../config/schemas/analytics.js';
import { type CounterRules, integrateRate, spreadIncrease } from './counters.js';
import type { EmissionFactor } from './emission-factors.js';
import { Series, type StoredValue } from './series.js';
import type { TariffClock } from './tariff.js';
import { HOUR, MINUTE } from './windows.js';

export const DEFAULT_UNIT: Record<Carrier, string> = {
  electricity: 'kWh',
  natural_gas: 'm3',
  water: 'm3',
  compressed_air: 'm3',
  steam: 'GJ',
  diesel: 'kg',
};

/** Scope of each carrier's emissions (GHG Protocol): purchased electricity and heat 2, own combustion 1. */
export const SCOPE: Partial<Record<Carrier, 1 | 2>> = { electricity: 2, steam: 2, natural_gas: 1, diesel: 1 };

interface MinuteEnergy {
  consumption: number;
  cost: number;
}

export class MeterTracker {
  readonly device: string;
  readonly name: string;
  readonly carrier: Carrier;
  readonly unit: string;
  readonly metric: string;
  /** machine whose good parts divide this meter's consumption */
  readonly machine: string;
  site: string | undefined;
  readonly series = new Series();
  dirtyFrom = Number.POSITIVE_INFINITY;
  factor: EmissionFactor | undefined;
  /** consumption unit → factor unit multiplier */
  factorScale = 1;
  private readonly buckets = new Map<number, MinuteEnergy>();
  private readonly hours = new Map<number, MinuteEnergy>();
  private readonly rules: CounterRules = {};
  private readonly maxGapMs: number;

  constructor(
    readonly cfg: Meter,
    readonly tariff: TariffClock | undefined,
  ) {
    this.device = cfg.device;
    this.carrier = cfg.carrier;
    this.name = cfg.name ?? cfg.carrier;
    this.unit = cfg.unit ?? DEFAULT_UNIT[cfg.carrier];
    this.machine = cfg.machine ?? cfg.device;
    this.metric = cfg.counter?.metric ?? cfg.rate?.metric ?? '';
    if (cfg.counter?.bits !== undefined) this.rules.bits = cfg.counter.bits;
    if (cfg.counter?.maxDelta !== undefined) this.rules.maxDelta = cfg.counter.maxDelta;
    // a counter meter never integrates: only a rate meter has (and uses) maxGap
    this.maxGapMs = cfg.rate?.maxGap ?? Number.POSITIVE_INFINITY;
  }

  get isCounter(): boolean {
    return this.cfg.counter !== undefined;
  }

  get counterRules(): CounterRules {
    return this.rules;
  }

  store(t: number, v: StoredValue): boolean {
    if (!this.series.insert(t, v)) return false;
    const i = this.series.lowerBound(t);
    const prev = this.series.times[i - 1];
    this.markDirty(prev ?? t);
    return true;
  }

  markDirty(t: number): void {
    if (t < this.dirtyFrom) this.dirtyFrom = t;
  }

  invalidate(from: number): void {
    if (!Number.isFinite(from)) return;
    const cut = Math.floor(from / MINUTE) * MINUTE;
    for (const k of this.buckets.keys()) if (k >= cut) this.buckets.delete(k);
    const hourCut = Math.floor(from / HOUR) * HOUR;
    for (const k of this.hours.keys()) if (k >= hourCut) this.hours.delete(k);
  }

  /** Consumption and cost in [from, to) (minute-aligned) as of `now`. */
  sum(from: number, to: number, now: number): MinuteEnergy {
    const out = { consumption: 0, cost: 0 };
    let a = from;
    while (a < to && a <= now) {
      const whole = a % HOUR === 0 && a + HOUR <= to && a + HOUR <= now;
      const m = whole ? this.hour(a, now) : this.bucket(a, now);
      out.consumption += m.consumption;
      out.cost += m.cost;
      a += whole ? HOUR : MINUTE;
    }
    return out;
  }

  private hour(h: number, now: number): MinuteEnergy {
    const hit = this.hours.get(h);
    if (hit) return hit;
    const out = { consumption: 0, cost: 0 };
    for (let a = h; a < h + HOUR; a += MINUTE) {
      const m = this.bucket(a, now);
      out.consumption += m.consumption;
      out.cost += m.cost;
    }
    this.hours.set(h, out);
    return out;
  }

  trim(cutoff: number): void {
    this.series.trim(cutoff);
    for (const k of this.buckets.keys()) if (k < cutoff - MINUTE) this.buckets.delete(k);
    for (const k of this.hours.keys()) if (k < cutoff - HOUR) this.hours.delete(k);
  }

  private bucket(a: number, now: number): MinuteEnergy {
    const hit = this.buckets.get(a);
    if (hit) return hit;
    const b = a + MINUTE;
    const consumption = this.isCounter
      ? spreadIncrease(this.series, a, b, this.rules)
      : integrateRate(this.series, a, b, this.maxGapMs);
    const m = { consumption, cost: this.tariff ? consumption * this.tariff.priceAt(a) : 0 };
    if (b <= now) this.buckets.set(a, m);
    return m;
  }
}

/** How many factor units one consumption unit is (kWh per MWh, …); undefined when they do not convert. */
export function unitScale(from: string, to: string): number | undefined {
  const norm = (u: string) => u.trim().toLowerCase().replace('nm3', 'm3').replace('m³', 'm3');
  const a = norm(from);
  const b = norm(to);
  if (a === b) return 1;
  const table: Record<string, [string, number]> = {
    wh: ['kwh', 0.001],
    mwh: ['kwh', 1000],
    t: ['kg', 1000],
    mj: ['gj', 0.001],
    l: ['l', 1],
  };
  const fa = table[a];
  if (fa && fa[0] === b) return fa[1];
  const fb = table[b];
  if (fb && fb[0] === a) return 1 / fb[1];
  return undefined;
}
