/**
 * One metric's retained history, sorted by time, one value per timestamp (a redelivered sample replaces itself,
 * so at-least-once delivery never double counts). Late samples are inserted in place. Pure data structure.
 */
export type StoredValue = number | string | boolean | null;

export class Series {
  readonly times: number[] = [];
  readonly values: StoredValue[] = [];

  get length(): number {
    return this.times.length;
  }

  /** Inserts or replaces; returns true when the history changed. */
  insert(t: number, v: StoredValue): boolean {
    const n = this.times.length;
    const lastT = this.times[n - 1];
    if (lastT === undefined || t > lastT) {
      this.times.push(t);
      this.values.push(v);
      return true;
    }
    const i = this.lowerBound(t);
    if (this.times[i] === t) {
      if (this.values[i] === v) return false;
      this.values[i] = v;
      return true;
    }
    this.times.splice(i, 0, t);
    this.values.splice(i, 0, v);
    return true;
  }

  /** First index with time ≥ t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the last sample at or before t, or -1. */
  atOrBefore(t: number): number {
    return this.lowerBound(t + 1) - 1;
  }

  /** Drops samples before `cutoff`, keeping the last one before it as the seed of what follows. */
  trim(cutoff: number): void {
    const keepFrom = this.lowerBound(cutoff) - 1;
    if (keepFrom > 0) {
      this.times.splice(0, keepFrom);
      this.values.splice(0, keepFrom);
    }
  }
}

/**
 * When a device produced data: runs of sample times whose gaps are at most `staleAfter`. A gap longer than that is
 * offline time; a death inside a run is ignored because data on both sides proves the device kept working (the
 * transport dropped, the outbox replayed).
 */
export class Liveness {
  /** sorted, disjoint [first, last] sample times */
  readonly runs: { first: number; last: number }[] = [];
  constructor(readonly staleAfter: number) {}

  /** Records a sample time; returns true when the runs changed. */
  insert(t: number): boolean {
    const runs = this.runs;
    const lastRun = runs[runs.length - 1];
    if (lastRun && t >= lastRun.first) {
      if (t <= lastRun.last) return false;
      if (t - lastRun.last <= this.staleAfter) {
        lastRun.last = t;
        return true;
      }
      runs.push({ first: t, last: t });
      return true;
    }
    // Late: find the run at or before t.
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((runs[mid] as { first: number }).first <= t) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    const prev = runs[i];
    const next = runs[i + 1];
    if (prev && t <= prev.last) return false;
    const joinPrev = prev !== undefined && t - prev.last <= this.staleAfter;
    const joinNext = next !== undefined && next.first - t <= this.staleAfter;
    if (joinPrev && joinNext && prev && next) {
      prev.last = next.last;
      runs.splice(i + 1, 1);
    } else if (joinPrev && prev) prev.last = t;
    else if (joinNext && next) next.first = t;
    else runs.splice(i + 1, 0, { first: t, last: t });
    return true;
  }

  trim(cutoff: number): void {
    let drop = 0;
    while (drop < this.runs.length - 1 && (this.runs[drop] as { last: number }).last < cutoff) drop++;
    if (drop > 0) this.runs.splice(0, drop);
  }
}
