import { componentStatusFamily, counter, gauge, type MetricFamily } from '../protocols/health/prometheus.js';
import type { CloudSnapshot } from './cloud-health.js';

/** The ingester's Prometheus metrics, from one snapshot. Every name is in docs/metrics.md (a test holds them equal). */
export function cloudMetrics(s: CloudSnapshot): MetricFamily[] {
  const { spool, intake, drain, writer } = s.pipeline;
  const out: MetricFamily[] = [
    componentStatusFamily(s.components),
    gauge(
      'plantpulse_ingest_mqtt_connected',
      'ingester connected to the broker (1) or not (0)',
      s.consumer.connected ? 1 : 0,
    ),
    counter(
      'plantpulse_ingest_mqtt_connects_total',
      'MQTT sessions opened by the ingester',
      s.consumer.connects,
    ),
    counter('plantpulse_ingest_messages_total', 'MQTT messages handled', s.ingest.messages),
    counter('plantpulse_ingest_samples_total', 'samples decoded from the messages', s.ingest.samples),
    counter(
      'plantpulse_ingest_points_total',
      'InfluxDB points made from the messages (telemetry, status, analytics)',
      s.ingest.points,
    ),
    counter(
      'plantpulse_ingest_problems_total',
      'Sparkplug/JSON problems by code (seq gaps, unknown aliases, …)',
      'code',
      s.ingest.problems,
    ),
    counter(
      'plantpulse_ingest_dropped_total',
      'values that could not be stored, by code',
      'code',
      s.ingest.dropped,
    ),
    counter(
      'plantpulse_ingest_rejected_total',
      'values refused by the accepted timestamp window and the device/metric bounds, by code (dead-lettered)',
      'code',
      { TIMESTAMP_OUT_OF_WINDOW: 0, DEVICE_LIMIT: 0, METRIC_LIMIT: 0, ...s.ingest.rejected },
    ),
    counter(
      'plantpulse_ingest_warnings_suppressed_total',
      'warnings about bad messages left out of the log by the rate limit (ingest.warnings)',
      s.ingest.warningsSuppressed,
    ),
    counter(
      'plantpulse_ingest_field_type_conflicts_total',
      'fields taken out of points for a type conflict (dead-lettered)',
      intake.typeConflicts,
    ),
    gauge('plantpulse_spool_messages', 'messages waiting in the spool', spool.messages),
    gauge('plantpulse_spool_lines', 'lines waiting in the spool', spool.lines),
    gauge('plantpulse_spool_bytes', 'bytes waiting in the spool', spool.bytes),
    gauge(
      'plantpulse_spool_oldest_age_seconds',
      'age of the oldest waiting message',
      spool.oldestAgeMs / 1000,
    ),
    counter(
      'plantpulse_spool_appended_total',
      'messages committed to the spool (then acknowledged)',
      spool.appended,
    ),
    counter(
      'plantpulse_spool_drained_total',
      'messages written to InfluxDB and removed from the spool',
      spool.drained,
    ),
    counter(
      'plantpulse_spool_full_waits_total',
      'times a message waited for room (back-pressure on the broker)',
      spool.waits,
    ),
    counter(
      'plantpulse_spool_direct_writes_total',
      'messages written straight to InfluxDB because the spool could not store them',
      intake.direct,
    ),
    counter('plantpulse_influx_batches_total', 'batches written to InfluxDB', drain.batches),
    counter('plantpulse_influx_writes_total', 'write requests InfluxDB accepted', writer.writes),
    counter('plantpulse_influx_points_total', 'points InfluxDB stored', writer.points),
    counter('plantpulse_influx_retries_total', 'failed writes retried with backoff', writer.retries),
    counter('plantpulse_influx_write_errors_total', 'failed write attempts by code', 'code', writer.errors),
    counter(
      'plantpulse_dead_letters_total',
      'entries written to the dead-letter file, by kind (line refused by InfluxDB, message not decodable)',
      'kind',
      { line: s.deadLetters.line, message: s.deadLetters.message },
    ),
    counter(
      'plantpulse_dead_letter_rotations_total',
      'times dead-letter.jsonl was rotated (ingest.deadLetter.maxFileBytes)',
      s.deadLetters.rotations,
    ),
    counter(
      'plantpulse_dead_letter_deleted_bytes_total',
      'bytes of the oldest rotated dead-letter files deleted to keep the size cap',
      s.deadLetters.deletedBytes,
    ),
  ];
  if (s.analytics) {
    const a = s.analytics.stats;
    out.push(
      counter('plantpulse_analytics_samples_total', 'samples analytics took', a.samples),
      counter(
        'plantpulse_analytics_ticks_total',
        'analytics ticks (windows closed, stale devices found)',
        s.analytics.ticks,
      ),
      counter(
        'plantpulse_analytics_tick_failures_total',
        'analytics ticks that failed',
        s.analytics.tickFailures,
      ),
      counter(
        'plantpulse_analytics_issues_total',
        'samples analytics could not use as they are, by what (too late, future, unknown state, …)',
        'what',
        {
          too_late: a.tooLate,
          future: a.future,
          unknown_state: a.unknownStateValues,
          unusable_value: a.unusableValues,
          quarantined_delta: a.quarantinedDeltas,
          counter_reset: a.counterResets,
          counter_wrap: a.counterWraps,
        },
      ),
    );
  }
  if (s.api) {
    out.push(
      gauge('plantpulse_api_live_clients', 'live-stream (SSE) clients connected', s.api.live.subscribers),
      counter(
        'plantpulse_api_live_events_total',
        'live events published to the stream',
        s.api.live.published,
      ),
      counter(
        'plantpulse_api_live_dropped_total',
        'live events dropped for slow clients',
        s.api.live.dropped,
      ),
      counter('plantpulse_api_responses_total', 'API responses by HTTP status code', 'code', s.api.responses),
    );
  }
  if (s.lifecycle) {
    const r = s.lifecycle.rollups;
    out.push(
      gauge(
        'plantpulse_retention_policies_ensured',
        'the lifecycle’s retention policies are in place as configured (1) or not yet (0)',
        s.lifecycle.policies === null ? 0 : 1,
      ),
      counter('plantpulse_rollup_buckets_total', 'telemetry roll-up buckets computed, by width', 'width', {
        '1m': r?.minuteBuckets ?? 0,
        '1h': r?.hourBuckets ?? 0,
      }),
      gauge(
        'plantpulse_rollup_pending_buckets',
        'roll-up buckets marked and not yet computed',
        r?.pending ?? 0,
      ),
      counter(
        'plantpulse_rollup_expired_total',
        'buckets not recomputed because their raw data had expired',
        r?.expired ?? 0,
      ),
      counter(
        'plantpulse_rollup_failures_total',
        'roll-up statements that failed (retried)',
        r?.failures ?? 0,
      ),
    );
  }
  if (s.broker) {
    const b = s.broker;
    out.push(
      gauge('plantpulse_broker_clients', 'MQTT clients connected to the embedded broker', b.clients),
      counter(
        'plantpulse_broker_rejected_total',
        'connections and packets the embedded broker refused, by what',
        'what',
        {
          auth: b.rejectedAuth,
          publish: b.rejectedPublish,
          subscribe: b.rejectedSubscribe,
          limit: b.limited,
        },
      ),
      counter(
        'plantpulse_broker_security_events_total',
        'logins, refusals and limit hits of the embedded broker, by type',
        'type',
        b.events,
      ),
      counter(
        'plantpulse_broker_login_kdf_total',
        'password checks (scrypt runs) for broker logins',
        b.kdfRuns,
      ),
      gauge(
        'plantpulse_broker_queued_messages',
        'QoS 1/2 messages queued for persistent sessions (offline or not yet acknowledged)',
        b.queue.messages,
      ),
      gauge('plantpulse_broker_queued_bytes', 'payload bytes queued for persistent sessions', b.queue.bytes),
      counter(
        'plantpulse_broker_queue_dropped_total',
        'messages dropped because a persistent session’s queue was full, by the bound it hit',
        'limit',
        b.queue.dropped,
      ),
    );
  }
  return out;
}
