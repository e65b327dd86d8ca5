/**
 * Telemetry roll-ups computed by the ingester (docs/architecture.md "Data lifecycle"): it sees every telemetry line
 * it writes, so it marks the minutes and hours (and devices) each written line falls in, and once a bucket has
 * ended (plus `rollupDelay`) it has InfluxDB recompute that bucket from the raw data with
 * `SELECT mean(*), min(*), max(*), last(*), sum(*), count(*) INTO … GROUP BY time(…), *`. A bucket is therefore
 * always equal to a recomputation from raw, late data included: a late line marks its bucket again, whatever its
 * age. InfluxDB 1.x only (the v2 compatibility API runs no `SELECT … INTO`).
 */
import type { Logger } from '../../config/logging.js';
import type { LineBlock } from '../sink/line-block.js';
import {
  HOUR_MEASUREMENT,
  HOUR_POLICY,
  MINUTE_MEASUREMENT,
  MINUTE_POLICY,
  quoteIdent,
  telemetryFrom,
} from './policies.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** above this many devices in a range, the recomputation takes every series of the range */
const MAX_DEVICE_FILTER = 50;
/** the longest range one statement recomputes */
const MAX_RANGE = { [MINUTE]: 6 * HOUR, [HOUR]: 7 * 24 * HOUR } as const;
/** at start: the window recomputed once, for marks a crash lost (lines written, bucket not yet computed) */
export const RECOMPUTE_ON_START_MS = 2 * HOUR;

export interface RollupsOptions {
  database: string;
  /** runs one InfluxQL statement (POST /query) */
  query: (q: string, signal?: AbortSignal) => Promise<unknown>;
  /** a bucket is computed this long after its end */
  delayMs: number;
  /** raw retention: buckets starting before now − raw are not recomputed (their raw data has expired) */
  rawMs: number;
  log: Logger;
  clock?: () => number;
}

export interface RollupStats {
  /** statements run, per width */
  minuteRuns: number;
  hourRuns: number;
  /** buckets computed */
  minuteBuckets: number;
  hourBuckets: number;
  /** buckets not recomputed because their raw data had expired */
  expired: number;
  failures: number;
  lastError: string | null;
  /** buckets waiting */
  pending: number;
}

/** bucket start → devices written there (`null`: all of them) */
type Marks = Map<number, Set<string> | null>;

/** The `device` tag and time (ms) of a `telemetry` line; undefined for other lines. */
export function telemetryLineKey(line: string): { device: string; time: number } | undefined {
  if (!line.startsWith('telemetry,')) return undefined;
  const sp = line.lastIndexOf(' ');
  const time = Number(line.slice(sp + 1));
  const at = line.indexOf(',device=');
  if (!Number.isFinite(time) || at === -1) return undefined;
  const start = at + 8;
  let end = start;
  while (end < line.length && line[end] !== ',' && line[end] !== ' ' && line[end] !== '\\') end++;
  // the usual case, a tag value without escapes: one slice
  if (line[end] !== '\\') return { device: line.slice(start, end), time };
  let device = '';
  for (let i = start; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) {
      device += line[++i];
      continue;
    }
    if (c === ',' || c === ' ') break;
    device += c;
  }
  return { device, time };
}

const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export class Rollups {
  readonly #o: RollupsOptions;
  readonly #clock: () => number;
  readonly #minutes: Marks = new Map();
  readonly #hours: Marks = new Map();
  readonly #stats: Omit<RollupStats, 'pending'> = {
    minuteRuns: 0,
    hourRuns: 0,
    minuteBuckets: 0,
    hourBuckets: 0,
    expired: 0,
    failures: 0,
    lastError: null,
  };
  #running: Promise<void> = Promise.resolve();
  #queued = false;

  constructor(o: RollupsOptions) {
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
  }

  stats(): RollupStats {
    return { ...this.#stats, pending: this.#minutes.size + this.#hours.size };
  }

  /** Marks the buckets of the telemetry lines InfluxDB has just stored (the spool drainer calls it). */
  noteWritten(blocks: readonly LineBlock[]): void {
    for (const b of blocks) {
      if (!b.text.includes('telemetry,')) continue;
      for (const line of b.lines === 1 ? [b.text] : b.text.split('\n')) {
        const k = telemetryLineKey(line);
        if (k) this.#mark(k.time, k.time + 1, k.device);
      }
    }
  }

  /** Marks every series of [from, to) (start-up, or a rebuild asked for). */
  markRange(from: number, to: number): void {
    this.#mark(from, to, null);
  }

  #mark(from: number, to: number, device: string | null): void {
    for (const [width, marks] of [
      [MINUTE, this.#minutes],
      [HOUR, this.#hours],
    ] as const) {
      for (let t = Math.floor(from / width) * width; t < to; t += width) {
        const have = marks.get(t);
        if (device === null || have === null) marks.set(t, null);
        else if (have) have.add(device);
        else marks.set(t, new Set([device]));
      }
    }
  }

  /**
   * Computes every bucket that is due (ended `delayMs` ago). Runs are serialised, and at most one waits behind the
   * one in progress (a timer firing during a long run does not queue up runs).
   */
  run(signal?: AbortSignal): Promise<void> {
    if (this.#queued) return this.#running;
    this.#queued = true;
    this.#running = this.#running.then(() => {
      this.#queued = false;
      return this.#runOnce(signal);
    });
    return this.#running;
  }

  async #runOnce(signal?: AbortSignal): Promise<void> {
    const now = this.#clock();
    await this.#compute(MINUTE, this.#minutes, now, signal);
    await this.#compute(HOUR, this.#hours, now, signal);
  }

  async #compute(width: number, marks: Marks, now: number, signal?: AbortSignal): Promise<void> {
    const due = [...marks.keys()].filter((t) => t + width + this.#o.delayMs <= now).sort((a, b) => a - b);
    const oldest = now - this.#o.rawMs;
    const ranges: { from: number; to: number; devices: Set<string> | null }[] = [];
    for (const t of due) {
      const devices = marks.get(t) ?? null;
      marks.delete(t);
      if (t < oldest) {
        this.#stats.expired++;
        continue;
      }
      const last = ranges.at(-1);
      if (last && last.to === t && t + width - last.from <= MAX_RANGE[width as 60_000 | 3_600_000]) {
        last.to = t + width;
        if (last.devices === null || devices === null) last.devices = null;
        else for (const d of devices) last.devices.add(d);
      } else ranges.push({ from: t, to: t + width, devices: devices === null ? null : new Set(devices) });
    }
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i] as (typeof ranges)[number];
      try {
        await this.#o.query(this.#statement(width, r.from, r.to, r.devices), signal);
        if (width === MINUTE) this.#stats.minuteRuns++;
        else this.#stats.hourRuns++;
        const buckets = (r.to - r.from) / width;
        if (width === MINUTE) this.#stats.minuteBuckets += buckets;
        else this.#stats.hourBuckets += buckets;
      } catch (err) {
        // keep the marks of this range and the ones not tried: the next run tries them again
        for (const rest of ranges.slice(i)) {
          for (let t = rest.from; t < rest.to; t += width) {
            const have = marks.get(t);
            if (rest.devices === null || have === null) marks.set(t, null);
            else marks.set(t, new Set([...(have ?? []), ...rest.devices]));
          }
        }
        if (signal?.aborted) return;
        this.#stats.failures++;
        this.#stats.lastError = (err as Error).message;
        this.#o.log.warn(
          { err: (err as Error).message, width },
          'roll-up not computed; retrying on the next run',
        );
        return;
      }
    }
  }

  #statement(width: number, from: number, to: number, devices: Set<string> | null): string {
    const [policy, measurement, group] =
      width === MINUTE ? [MINUTE_POLICY, MINUTE_MEASUREMENT, '1m'] : [HOUR_POLICY, HOUR_MEASUREMENT, '1h'];
    const conds = [`time >= ${from}ms`, `time < ${to}ms`];
    if (devices !== null && devices.size <= MAX_DEVICE_FILTER) {
      conds.push(`(${[...devices].map((d) => `"device" = ${str(d)}`).join(' OR ')})`);
    }
    return (
      'SELECT mean(*), min(*), max(*), last(*), sum(*), count(*) ' +
      `INTO ${quoteIdent(this.#o.database)}.${quoteIdent(policy)}.${quoteIdent(measurement)} ` +
      `FROM ${telemetryFrom(true)} WHERE ${conds.join(' AND ')} GROUP BY time(${group}), *`
    );
  }
}
