/**
 * Machine state from a current (A) or power (kW) signal: off / idle / running.
 * Pure and clock-free: time comes from the sample timestamps.
 *
 * Two stages, so the state never flaps:
 *  1. a Schmitt trigger classifies each reading: running is entered above `running` and left below
 *     `running − hysteresis`; off is entered below `off` and left above `off + hysteresis`;
 *  2. a dwell filter: a new class becomes the state only after it has held for `minDwellMs`. The change is
 *     then dated back to the first reading that left the old state, so time-in-state stays accurate, and
 *     no reported state is ever shorter than `minDwellMs`. The first state is dated from when its class began.
 * A missing or bad reading is the class `unknown`, which goes through the same dwell filter.
 */
export type MachineState = 'off' | 'idle' | 'running';
export type DetectedState = MachineState | 'unknown';

export interface StateThresholds {
  off: number;
  running: number;
  hysteresis: number;
  minDwellMs: number;
}

export interface StateChange {
  state: DetectedState;
  /** when the state began (ms): the first reading that showed it */
  since: number;
}

export class StateDetector {
  private readonly th: StateThresholds;
  private trigger: MachineState | undefined;
  private committed: StateChange | undefined;
  private departedAt: number | undefined;
  private candidate: DetectedState | undefined;
  private candidateSince = 0;

  constructor(thresholds: StateThresholds) {
    if (!(thresholds.off < thresholds.running)) {
      throw new RangeError(
        `state thresholds: off (${thresholds.off}) must be below running (${thresholds.running})`,
      );
    }
    this.th = thresholds;
  }

  /** the state reported so far, if any */
  get current(): StateChange | undefined {
    return this.committed;
  }

  /** Classifies one reading with hysteresis (stage 1). */
  classify(value: number): MachineState {
    const { off, running, hysteresis: h } = this.th;
    switch (this.trigger) {
      case 'running':
        return value < off ? 'off' : value < running - h ? 'idle' : 'running';
      case 'off':
        return value > running ? 'running' : value > off + h ? 'idle' : 'off';
      default:
        return value > running ? 'running' : value < off ? 'off' : 'idle';
    }
  }

  /**
   * Feeds one reading (null when the reading is bad or missing). Returns the new state when one is confirmed.
   * Timestamps must increase; the caller drops out-of-order readings.
   */
  push(t: number, value: number | null): StateChange | undefined {
    let cls: DetectedState;
    if (value === null) {
      cls = 'unknown';
    } else {
      cls = this.classify(value);
      this.trigger = cls;
    }
    if (this.committed !== undefined && cls === this.committed.state) {
      this.departedAt = undefined;
      this.candidate = undefined;
      return undefined;
    }
    if (this.departedAt === undefined) this.departedAt = t;
    if (this.candidate !== cls) {
      this.candidate = cls;
      this.candidateSince = t;
    }
    if (t - this.candidateSince < this.th.minDwellMs) return undefined;
    // the first state starts when its class began: what came before it never held long enough to be a state
    const since = this.committed === undefined ? this.candidateSince : this.departedAt;
    const change: StateChange = { state: cls, since };
    this.committed = change;
    this.departedAt = undefined;
    this.candidate = undefined;
    return change;
  }
}
