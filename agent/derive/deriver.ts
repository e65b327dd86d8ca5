import type { Logger } from 'pino';
import type { MetricInfo } from '../../protocols/metric.js';
import type { Quality, Sample } from '../../protocols/sample.js';
import type { AnyDevice } from '../sources/component.js';
import { CycleDetector } from './cycle-detector.js';
import { DeriveConfigError } from './errors.js';
import { DERIVED_NAMES, type DerivePlan, planDerive, type SignalPlan } from './plan.js';
import { EnergyIntegrator, powerKw } from './power-energy.js';
import { PulseCounter } from './pulse-counter.js';
import { scaleSignal } from './signal-scaling.js';
import { StateDetector } from './state-detector.js';
import type { PersistedDerive } from './state-store.js';
import { TotalsPersister } from './totals-persister.js';
import type { Deriver, DeriverDeps, DeriveStats } from './types.js';

/**
 * createDeriver: the derive stage for one device (contract in types.ts). Inputs are dispatched by metric name to
 * the configured virtual sensors; a derived sample is dispatched in turn, so a scaled current feeds power, state
 * and cycles, and power can feed state and cycles.
 */
export type { Deriver, DeriverDeps, DeriveStats } from './types.js';

const DEFAULT_PERSIST_EVERY_MS = 5_000;

/** Builds the deriver for a device, or undefined when it has no `derive` section. Throws DeriveConfigError. */
export function createDeriver(device: AnyDevice, deps: DeriverDeps): Deriver | undefined {
  const { plan, problems } = planDerive(device);
  if (plan === undefined) return undefined;
  if (problems.length > 0) throw new DeriveConfigError(device.id, problems);
  return new DeviceDeriver(device.id, plan, deps);
}

type Handler = (s: Sample, out: Sample[]) => void;

class DeviceDeriver implements Deriver {
  readonly metrics: MetricInfo[];
  private readonly device: string;
  private readonly plan: DerivePlan;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly totals: TotalsPersister;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly lastT = new Map<string, number>();
  private readonly faults = new Map<string, boolean>();
  private readonly badSince = new Set<string>();
  private readonly counts: DeriveStats = {
    badInputs: 0,
    outOfOrder: 0,
    historicalSkipped: 0,
    signalFaults: 0,
    counterRollovers: 0,
    counterResets: 0,
    shortPeaks: 0,
    energyGaps: 0,
    stateWrites: 0,
    stateWriteErrors: 0,
  };
  private state: StateDetector | undefined;
  private counter: PulseCounter | undefined;
  private cycles: CycleDetector | undefined;
  private cycleTotal = 0;
  private energy: EnergyIntegrator | undefined;

  constructor(device: string, plan: DerivePlan, deps: DeriverDeps) {
    this.device = device;
    this.plan = plan;
    // accept either the root logger or one already bound to this component and device
    const b = deps.log.bindings();
    this.log =
      b['component'] === 'derive' && b['device'] === device
        ? deps.log
        : deps.log.child({ component: 'derive', device });
    this.clock = deps.clock ?? Date.now;
    this.totals = new TotalsPersister(
      device,
      deps.stateDir,
      this.log,
      this.clock,
      deps.persistEveryMs ?? DEFAULT_PERSIST_EVERY_MS,
    );
    const restored = this.totals.restore(
      plan.power !== undefined || plan.counter !== undefined || plan.cycles !== undefined,
    );
    this.metrics = [];
    for (const s of plan.signals) this.addSignal(s);
    if (plan.power) this.addPower(plan.power, restored);
    if (plan.state) this.addState(plan.state);
    if (plan.counter) this.addCounter(plan.counter, restored);
    if (plan.cycles) this.addCycles(plan.cycles, restored);
  }

  process(samples: Sample[]): Sample[] {
    const out = samples.slice();
    for (const s of samples) {
      if (s.device === this.device && this.faults.has(s.metric)) this.faults.set(s.metric, s.value === true);
    }
    for (const s of samples) if (s.device === this.device) this.dispatch(s, out);
    this.totals.maybeSave(() => this.snapshot());
    return out;
  }

  stats(): Readonly<DeriveStats> {
    return { ...this.counts, stateWrites: this.totals.writes, stateWriteErrors: this.totals.writeErrors };
  }

  async close(): Promise<void> {
    await this.totals.close(() => this.snapshot());
  }

  // ---- wiring ----------------------------------------------------------------------------------------------

  private on(metric: string, h: Handler): void {
    const list = this.handlers.get(metric);
    if (list) list.push(h);
    else this.handlers.set(metric, [h]);
  }

  private dispatch(s: Sample, out: Sample[]): void {
    const hs = this.handlers.get(s.metric);
    if (hs === undefined) return;
    if (s.historical === true) {
      this.counts.historicalSkipped++;
      return;
    }
    const prev = this.lastT.get(s.metric);
    if (prev !== undefined && s.timestamp <= prev) {
      this.counts.outOfOrder++;
      this.log.warn(
        { metric: s.metric, timestamp: s.timestamp, previous: prev },
        'reading is not newer than the previous one: not used for derived metrics',
      );
      return;
    }
    this.lastT.set(s.metric, s.timestamp);
    this.noteQuality(s);
    for (const h of hs) h(s, out);
  }

  private emit(
    out: Sample[],
    metric: string,
    timestamp: number,
    value: Sample['value'],
    quality: Quality,
  ): void {
    // a derived number can overflow on absurd input (1e300 A): never publish a non-finite value
    const finite = typeof value !== 'number' || Number.isFinite(value);
    const d: Sample = finite
      ? { device: this.device, metric, value, timestamp, quality }
      : { device: this.device, metric, value: null, timestamp, quality: 'bad' };
    out.push(d);
    this.dispatch(d, out);
  }

  /** The reading as a finite number, or null when it is bad, null or not a number. */
  private numeric(s: Sample): number | null {
    return s.quality !== 'bad' && typeof s.value === 'number' && Number.isFinite(s.value) ? s.value : null;
  }

  /** Counts every unusable input reading and logs when a metric turns bad and when it recovers. */
  private noteQuality(s: Sample): void {
    const usable =
      s.quality !== 'bad' &&
      ((typeof s.value === 'number' && Number.isFinite(s.value)) || typeof s.value === 'bigint');
    if (usable) {
      if (this.badSince.delete(s.metric))
        this.log.info({ metric: s.metric }, 'input readings are usable again');
      return;
    }
    this.counts.badInputs++;
    if (!this.badSince.has(s.metric)) {
      this.badSince.add(s.metric);
      this.log.warn(
        { metric: s.metric, value: String(s.value), quality: s.quality },
        'input reading is bad or not a number: metrics derived from it are bad or held until it recovers',
      );
    }
  }

  // ---- signals ---------------------------------------------------------------------------------------------

  private addSignal(p: SignalPlan): void {
    const info: MetricInfo = {
      name: p.name,
      kind: 'double',
      derived: true,
      description: `${p.type} ${p.from}`,
    };
    if (p.unit !== undefined) info.unit = p.unit;
    this.metrics.push(info);
    if (p.fault !== undefined) this.faults.set(p.fault, false);
    let faulty = false;
    this.on(p.from, (s, out) => {
      const raw = this.numeric(s);
      if (raw === null) {
        this.emit(out, p.name, s.timestamp, null, 'bad');
        return;
      }
      const faultBit = p.fault !== undefined && this.faults.get(p.fault) === true;
      const r = faultBit
        ? ({ ok: false, reason: 'FAULT_BIT', message: `fault input ${p.fault} is set` } as const)
        : scaleSignal(raw, p);
      if (!r.ok) {
        this.counts.signalFaults++;
        if (!faulty) this.log.warn({ metric: p.name, raw, reason: r.reason }, r.message);
        faulty = true;
        this.emit(out, p.name, s.timestamp, null, 'bad');
        return;
      }
      if (faulty) this.log.info({ metric: p.name, raw }, 'signal back in range');
      faulty = false;
      this.emit(out, p.name, s.timestamp, r.value, worst(r.quality, s.quality));
    });
  }

  // ---- power and energy ------------------------------------------------------------------------------------

  private addPower(p: NonNullable<DerivePlan['power']>, restored: PersistedDerive | undefined): void {
    this.metrics.push(
      {
        name: DERIVED_NAMES.power,
        kind: 'double',
        unit: 'kW',
        derived: true,
        description: `from ${p.current}`,
      },
      {
        name: DERIVED_NAMES.energy,
        kind: 'double',
        unit: 'kWh',
        derived: true,
        description: 'integrated power',
      },
    );
    const energyState = restored?.energyFrom === p.current ? restored.energy : undefined;
    const kept = restored?.energy;
    const energy = new EnergyIntegrator(
      p.maxGapMs,
      energyState ?? (kept === undefined ? undefined : { kwh: kept.kwh }),
    );
    this.energy = energy;
    this.on(p.current, (s, out) => {
      const amps = this.numeric(s);
      if (amps === null) {
        this.emit(out, DERIVED_NAMES.power, s.timestamp, null, 'bad');
        return;
      }
      const kw = powerKw(amps, p.model);
      const step = energy.push(s.timestamp, kw);
      if (step.kind === 'invalid') {
        this.counts.badInputs++;
        this.log.warn(
          { metric: p.current, value: amps, kw },
          'current gives an implausible power: check the clamp range and scaling; not integrated',
        );
        this.emit(out, DERIVED_NAMES.power, s.timestamp, null, 'bad');
        return;
      }
      this.emit(out, DERIVED_NAMES.power, s.timestamp, kw, s.quality);
      this.totals.touch();
      let q: Quality = s.quality;
      if (step.kind === 'gap') {
        this.counts.energyGaps++;
        q = 'uncertain';
        this.log.warn(
          { gapMs: step.gapMs, maxGapMs: p.maxGapMs },
          'no power reading for longer than maxGap: energy over the gap is not counted',
        );
      }
      this.emit(out, DERIVED_NAMES.energy, s.timestamp, step.kwh, q);
    });
  }

  // ---- state -----------------------------------------------------------------------------------------------

  private addState(p: NonNullable<DerivePlan['state']>): void {
    this.metrics.push({
      name: DERIVED_NAMES.state,
      kind: 'string',
      derived: true,
      description: `off | idle | running from ${p.from}`,
    });
    const det = new StateDetector(p.thresholds);
    this.state = det;
    this.on(p.from, (s, out) => {
      const change = det.push(s.timestamp, this.numeric(s));
      if (change === undefined) return;
      if (change.state === 'unknown') {
        this.log.warn({ since: change.since }, 'machine state unknown: no usable reading for minDwell');
        this.emit(out, DERIVED_NAMES.state, change.since, null, 'bad');
      } else {
        this.log.debug({ state: change.state, since: change.since }, 'machine state');
        this.emit(out, DERIVED_NAMES.state, change.since, change.state, 'good');
      }
    });
  }

  // ---- part count ------------------------------------------------------------------------------------------

  private addCounter(p: NonNullable<DerivePlan['counter']>, restored: PersistedDerive | undefined): void {
    this.metrics.push({
      name: DERIVED_NAMES.partCount,
      kind: 'int64',
      unit: 'parts',
      derived: true,
      description: `pulses on ${p.from}`,
    });
    const parts = restored?.parts;
    const counterState = restored?.partsFrom === p.from ? parts : parts && { total: parts.total };
    const opts =
      p.maxPerSecond === undefined ? { bits: p.bits } : { bits: p.bits, maxPerSecond: p.maxPerSecond };
    const counter = new PulseCounter(opts, counterState);
    this.counter = counter;
    this.on(p.from, (s, out) => {
      const v = s.value;
      const usable =
        s.quality !== 'bad' &&
        ((typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n));
      if (!usable) {
        if (s.quality !== 'bad' && v !== null) {
          this.counts.badInputs++;
          this.log.warn(
            { metric: s.metric, value: String(v) },
            'counter reading is not a non-negative integer',
          );
        }
        return;
      }
      const step = counter.push(s.timestamp, v as number | bigint);
      this.totals.touch();
      if (step.kind === 'rollover') {
        this.counts.counterRollovers++;
        this.log.info(
          { from: String(step.from), to: String(step.to), delta: step.delta },
          'pulse counter rolled over',
        );
      } else if (step.kind === 'reset') {
        this.counts.counterResets++;
        this.log.warn(
          { from: String(step.from), to: String(step.to), delta: step.delta },
          'pulse counter was reset: counting on from its new value',
        );
      }
      this.emit(out, DERIVED_NAMES.partCount, s.timestamp, step.total, s.quality);
    });
  }

  private addCycles(p: NonNullable<DerivePlan['cycles']>, restored: PersistedDerive | undefined): void {
    this.metrics.push(
      {
        name: DERIVED_NAMES.partCount,
        kind: 'int64',
        unit: 'parts',
        derived: true,
        description: `cycles on ${p.from}`,
      },
      {
        name: DERIVED_NAMES.cycleTime,
        kind: 'double',
        unit: 's',
        derived: true,
        description: 'start-to-start',
      },
    );
    this.cycleTotal = restored?.parts?.total ?? 0;
    const det = new CycleDetector(p.options);
    this.cycles = det;
    this.on(p.from, (s, out) => {
      const step = det.push(s.timestamp, this.numeric(s));
      if (step.kind === 'too-short') {
        this.counts.shortPeaks++;
        this.log.debug(
          { start: step.start, end: step.end },
          'load peak shorter than minDuration: not a cycle',
        );
        return;
      }
      if (step.kind !== 'cycle') return;
      this.cycleTotal++;
      this.totals.touch();
      this.emit(out, DERIVED_NAMES.partCount, s.timestamp, this.cycleTotal, 'good');
      if (step.cycle.cycleTimeMs !== undefined) {
        this.emit(out, DERIVED_NAMES.cycleTime, s.timestamp, step.cycle.cycleTimeMs / 1000, 'good');
      }
    });
  }

  // ---- persistence -----------------------------------------------------------------------------------------

  private snapshot(): PersistedDerive {
    const snap: PersistedDerive = { version: 1, device: this.device, savedAt: this.clock() };
    if (this.energy && this.plan.power) {
      snap.energy = this.energy.state;
      snap.energyFrom = this.plan.power.current;
    }
    if (this.counter && this.plan.counter) {
      snap.parts = this.counter.state;
      snap.partsFrom = this.plan.counter.from;
    } else if (this.cycles && this.plan.cycles) {
      snap.parts = { total: this.cycleTotal };
      snap.partsFrom = this.plan.cycles.from;
    }
    return snap;
  }
}

function worst(a: Quality, b: Quality): Quality {
  if (a === 'bad' || b === 'bad') return 'bad';
  if (a === 'uncertain' || b === 'uncertain') return 'uncertain';
  return 'good';
}
