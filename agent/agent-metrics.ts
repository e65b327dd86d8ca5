import { componentStatusFamily, counter, gauge, type MetricFamily } from '../protocols/health/prometheus.js';
import type { AgentSnapshot } from './agent.js';

/** The agent's Prometheus metrics, from one snapshot. Every name is in docs/metrics.md (a test holds them equal). */
export function agentMetrics(s: AgentSnapshot): MetricFamily[] {
  const perDevice = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    pick: (d: AgentSnapshot['devices'][number]) => number,
  ): MetricFamily => ({
    name,
    help,
    type,
    values: s.devices.map((d) => ({ labels: { device: d.device, mode: d.mode }, value: pick(d) })),
  });
  const derive: MetricFamily = {
    name: 'plantpulse_derive_events_total',
    help: 'virtual-sensor events by device and kind (bad inputs, out-of-order readings, signal faults, rollovers, …)',
    type: 'counter',
    values: Object.entries(s.derive).flatMap(([device, stats]) =>
      Object.entries(stats)
        .filter(([, v]) => typeof v === 'number')
        .map(([what, value]) => ({ labels: { device, what }, value })),
    ),
  };
  const sparkplug = s.components.find((x) => x.component === 'sparkplug')?.counters ?? {};
  return [
    componentStatusFamily(s.components),
    derive,
    gauge('plantpulse_uplink_connected', 'MQTT uplink connected (1) or not (0)', s.uplink.connected ? 1 : 0),
    counter('plantpulse_uplink_connects_total', 'MQTT sessions opened', s.uplink.connects),
    counter('plantpulse_uplink_published_total', 'messages acknowledged by the broker', s.uplink.published),
    counter(
      'plantpulse_uplink_publish_failures_total',
      'publishes that failed (resent from the outbox)',
      s.uplink.publishFailures,
    ),
    gauge('plantpulse_uplink_inflight', 'messages awaiting PUBACK', s.uplink.inflight),
    counter(
      'plantpulse_sparkplug_births_total',
      'NBIRTH with DBIRTHs published (connects, rebirths, primary host)',
      sparkplug['births'] ?? 0,
    ),
    counter(
      'plantpulse_sparkplug_commands_refused_total',
      'NCMD/DCMD refused (read-only gateway)',
      sparkplug['commandsRefused'] ?? 0,
    ),
    gauge('plantpulse_outbox_messages', 'batches waiting in the outbox', s.outbox.messages),
    gauge('plantpulse_outbox_bytes', 'bytes waiting in the outbox', s.outbox.bytes),
    gauge(
      'plantpulse_outbox_oldest_age_seconds',
      'age of the oldest waiting batch',
      s.outbox.oldestAgeMs / 1000,
    ),
    counter(
      'plantpulse_outbox_dropped_total',
      'batches dropped because the outbox was full',
      s.outbox.dropped,
    ),
    counter(
      'plantpulse_outbox_dropped_samples_total',
      'samples dropped because the outbox was full',
      s.outbox.droppedSamples,
    ),
    counter(
      'plantpulse_outbox_dropped_delivered_samples_total',
      'samples of dropped batches acknowledged anyway (in flight when dropped); loss = dropped − this',
      s.outbox.droppedDeliveredSamples,
    ),
    counter('plantpulse_outbox_replayed_total', 'batches sent as history after an outage', s.outbox.replayed),
    counter(
      'plantpulse_outbox_unpublishable_total',
      'batches removed because they can never be published (unknown device, no valid sample)',
      s.publisher.unpublishable,
    ),
    counter(
      'plantpulse_report_suppressed_total',
      'samples not sent because they did not change',
      s.suppressed,
    ),
    counter('plantpulse_dropped_total', 'samples dropped, by reason', 'code', s.dropped),
    {
      name: 'plantpulse_config_info',
      help: 'the running configuration: its SHA-256 (secrets left out), also in the NBIRTH as Properties/Config Hash',
      type: 'gauge',
      values: [{ labels: { hash: s.config.hash }, value: 1 }],
    },
    counter(
      'plantpulse_config_reloads_total',
      'configuration reloads (SIGHUP, --watch-config), by result',
      'result',
      {
        applied: s.config.applied,
        refused: s.config.refused,
        unchanged: s.config.unchanged,
      },
    ),
    gauge(
      'plantpulse_config_retiring_devices',
      'devices removed by a reload still publishing their buffered samples before their DDEATH',
      s.config.retiring,
    ),
    perDevice('plantpulse_device_reachable', 'device answering (1) or not (0)', 'gauge', (d) =>
      d.reachable ? 1 : 0,
    ),
    perDevice('plantpulse_device_polls_total', 'polls done (polling sources)', 'counter', (d) => d.polls),
    perDevice('plantpulse_device_samples_total', 'samples the source delivered', 'counter', (d) => d.samples),
    perDevice(
      'plantpulse_device_skipped_ticks_total',
      'poll ticks skipped because the event loop was blocked past them',
      'counter',
      (d) => d.skippedTicks,
    ),
    perDevice(
      'plantpulse_device_overruns_total',
      'poll ticks that came while the previous poll still ran (read again right after it)',
      'counter',
      (d) => d.overruns,
    ),
    perDevice('plantpulse_device_reconnects_total', 'connections re-created', 'counter', (d) => d.reconnects),
    {
      name: 'plantpulse_device_errors_total',
      help: 'failed requests by device and code',
      type: 'counter',
      values: s.devices.flatMap((d) =>
        Object.entries(d.errors).map(([code, value]) => ({
          labels: { device: d.device, mode: d.mode, code },
          value,
        })),
      ),
    },
    {
      name: 'plantpulse_device_poll_lateness_seconds',
      help: 'how late each poll started against its schedule',
      type: 'histogram',
      values: s.devices.flatMap((d) =>
        d.lateness ? [{ labels: { device: d.device }, snapshot: d.lateness }] : [],
      ),
    },
  ];
}
