import type { Sample, SampleValue } from '../../protocols/sample.js';

interface LastSent {
  value: SampleValue;
  quality: Sample['quality'];
  at: number;
}

export interface ReportOptions {
  /** absolute deadband per `device/metric`; a numeric change within it is not reported */
  deadbands?: ReadonlyMap<string, number>;
  /** report every metric at least this often even when unchanged (0 = never) */
  heartbeatMs?: number;
}

/**
 * Report by exception: a sample passes when its value or quality changed (numbers: by more than the metric's
 * deadband, measured against the last *reported* value so slow drifts are not lost), or when the heartbeat is due.
 * Historical samples always pass: they are replays of what was already decided.
 */
export class ReportByException {
  readonly #last = new Map<string, LastSent>();
  readonly #deadbands: Map<string, number>;
  #heartbeatMs: number;
  #suppressed = 0;

  constructor(opts: ReportOptions = {}) {
    this.#deadbands = new Map(opts.deadbands ?? []);
    this.#heartbeatMs = opts.heartbeatMs ?? 0;
  }

  get suppressed(): number {
    return this.#suppressed;
  }

  filter(samples: readonly Sample[]): Sample[] {
    const out: Sample[] = [];
    for (const s of samples) {
      if (s.historical) {
        out.push(s);
        continue;
      }
      const key = `${s.device}/${s.metric}`;
      const last = this.#last.get(key);
      if (last === undefined || this.#changed(key, last, s) || this.#heartbeatDue(last, s)) {
        this.#last.set(key, { value: s.value, quality: s.quality, at: s.timestamp });
        out.push(s);
      } else {
        this.#suppressed++;
      }
    }
    return out;
  }

  /** A configuration reload: the device's deadbands (`metric` → band) replace its old ones. */
  setDeadbands(device: string, bands: ReadonlyMap<string, number>): void {
    for (const key of [...this.#deadbands.keys()])
      if (key.startsWith(`${device}/`)) this.#deadbands.delete(key);
    for (const [metric, band] of bands) this.#deadbands.set(`${device}/${metric}`, band);
  }

  /** A configuration reload: the new heartbeat (0 = never). */
  setHeartbeat(ms: number): void {
    this.#heartbeatMs = ms;
  }

  /** Forget what was reported for a device, so its next samples all pass (after a rebirth or reconnect). */
  reset(device?: string): void {
    if (device === undefined) {
      this.#last.clear();
      return;
    }
    for (const key of this.#last.keys()) if (key.startsWith(`${device}/`)) this.#last.delete(key);
  }

  #changed(key: string, last: LastSent, s: Sample): boolean {
    if (last.quality !== s.quality) return true;
    if (typeof s.value === 'number' && typeof last.value === 'number') {
      const band = this.#deadbands.get(key) ?? 0;
      return Math.abs(s.value - last.value) > band || (band === 0 && s.value !== last.value);
    }
    return s.value !== last.value;
  }

  #heartbeatDue(last: LastSent, s: Sample): boolean {
    return this.#heartbeatMs > 0 && s.timestamp - last.at >= this.#heartbeatMs;
  }
}
