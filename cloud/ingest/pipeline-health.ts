import { type ComponentHealth, HealthTracker, RecentRise } from '../../protocols/health/component-health.js';
import type { SpoolPipelineStats } from './spool-pipeline.js';

/**
 * The spool and the InfluxDB writer (drainer → retrying writer → sink) as components, from the pipeline's `stats()`:
 *
 * - spool: degraded while it makes the broker wait (full: a rise of `waits` within the last minute) or cannot store
 *   messages (written straight to InfluxDB instead); ok otherwise. It is never down: the ingester writes around it.
 * - influxdb: down while writes fail and are retried (the spool holds the data meanwhile); degraded while InfluxDB
 *   refuses lines (dead-lettered) or the drainer cannot read its batches; ok otherwise.
 */
export class PipelineHealth {
  readonly #database: string;
  readonly #spool: HealthTracker;
  readonly #influx: HealthTracker;
  readonly #waits = new RecentRise();
  readonly #storeFailures = new RecentRise();
  readonly #deadLettered = new RecentRise();
  readonly #drainFailures = new RecentRise();

  constructor(database: string, now: number) {
    this.#database = database;
    this.#spool = new HealthTracker('ok', now);
    this.#influx = new HealthTracker('ok', now);
  }

  report(s: SpoolPipelineStats, now: number): ComponentHealth[] {
    const full = this.#waits.within(s.spool.waits, now);
    const failing = this.#storeFailures.within(s.spool.storeFailures, now);
    const level = `${s.spool.messages} messages, ${s.spool.lines} lines, ${s.spool.bytes} bytes, oldest ${Math.round(s.spool.oldestAgeMs / 1000)} s`;
    const spool = this.#spool.report(full || failing ? 'degraded' : 'ok', now, {
      component: 'spool',
      id: 'spool',
      detail: failing
        ? `cannot store messages: writing them straight to InfluxDB (${level})`
        : full
          ? `full: the broker waits for room (${level})`
          : level,
      counters: {
        messages: s.spool.messages,
        lines: s.spool.lines,
        bytes: s.spool.bytes,
        oldestAgeMs: s.spool.oldestAgeMs,
        appended: s.spool.appended,
        drained: s.spool.drained,
        waits: s.spool.waits,
        storeFailures: s.spool.storeFailures,
        direct: s.intake.direct,
      },
    });
    const refusing = this.#deadLettered.within(s.writer.deadLettered, now);
    const unreadable = this.#drainFailures.within(s.drain.failures, now);
    const status = s.writer.degraded ? 'down' : refusing || unreadable ? 'degraded' : 'ok';
    const influx = this.#influx.report(status, now, {
      component: 'influxdb',
      id: this.#database,
      detail:
        status === 'down'
          ? `writes fail, retrying with backoff (the spool keeps the data): ${s.writer.lastError ?? ''}`
          : refusing
            ? 'InfluxDB refuses some lines: dead-lettered with the reason'
            : unreadable
              ? 'spool batches could not be read or written; retrying'
              : 'writing',
      counters: {
        writes: s.writer.writes,
        points: s.writer.points,
        retries: s.writer.retries,
        deadLettered: s.writer.deadLettered,
        batches: s.drain.batches,
        lines: s.drain.lines,
        drainFailures: s.drain.failures,
      },
    });
    return [spool, influx];
  }
}
