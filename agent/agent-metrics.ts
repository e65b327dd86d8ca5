import type { AgentSnapshot } from './agent.js';
import type { MetricLine } from './http-server.js';

/** The agent's Prometheus metrics, from one snapshot. */
export function agentMetrics(s: AgentSnapshot): MetricLine[] {
  const g = (name: string, help: string, value: number): MetricLine => ({
    name,
    help,
    type: 'gauge',
    values: [{ value }],
  });
  const c = (name: string, help: string, value: number): MetricLine => ({
    name,
    help,
    type: 'counter',
    values: [{ value }],
  });
  const perDevice = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    pick: (d: AgentSnapshot['devices'][number]) => number,
  ): MetricLine => ({
    name,
    help,
    type,
    values: s.devices.map((d) => ({ labels: { device: d.device }, value: pick(d) })),
  });
  const derive: MetricLine = {
    name: 'plantpulse_derive_events_total',
    help: 'virtual-sensor events by device and kind (bad inputs, out-of-order readings, signal faults, rollovers, …)',
    type: 'counter',
    values: Object.entries(s.derive).flatMap(([device, stats]) =>
      Object.entries(stats)
        .filter(([, v]) => typeof v === 'number')
        .map(([what, value]) => ({ labels: { device, what }, value })),
    ),
  };
  return [
    derive,
    g('plantpulse_uplink_connected', 'MQTT uplink connected (1) or not (0)', s.uplink.connected ? 1 : 0),
    c('plantpulse_uplink_connects_total', 'MQTT sessions opened', s.uplink.connects),
    c('plantpulse_uplink_published_total', 'messages acknowledged by the broker', s.uplink.published),
    g('plantpulse_uplink_inflight', 'messages awaiting PUBACK', s.uplink.inflight),
    g('plantpulse_outbox_messages', 'batches waiting in the outbox', s.outbox.messages),
    g('plantpulse_outbox_bytes', 'bytes waiting in the outbox', s.outbox.bytes),
    g('plantpulse_outbox_oldest_age_seconds', 'age of the oldest waiting batch', s.outbox.oldestAgeMs / 1000),
    c('plantpulse_outbox_dropped_total', 'batches dropped because the outbox was full', s.outbox.dropped),
    c(
      'plantpulse_outbox_dropped_samples_total',
      'samples dropped because the outbox was full',
      s.outbox.droppedSamples,
    ),
    c(
      'plantpulse_outbox_dropped_delivered_samples_total',
      'samples of dropped batches acknowledged anyway (in flight when dropped); loss = dropped − this',
      s.outbox.droppedDeliveredSamples,
    ),
    c('plantpulse_outbox_replayed_total', 'batches sent as history after an outage', s.outbox.replayed),
    c('plantpulse_report_suppressed_total', 'samples not sent because they did not change', s.suppressed),
    {
      name: 'plantpulse_dropped_total',
      help: 'samples dropped, by reason',
      type: 'counter',
      values: Object.entries(s.dropped).map(([code, value]) => ({ labels: { code }, value })),
    },
    perDevice('plantpulse_device_reachable', 'device answering (1) or not (0)', 'gauge', (d) =>
      d.reachable ? 1 : 0,
    ),
    perDevice('plantpulse_device_polls_total', 'polls done', 'counter', (d) => d.polls),
    perDevice(
      'plantpulse_device_skipped_ticks_total',
      'polls skipped because the previous one overran',
      'counter',
      (d) => d.skippedTicks,
    ),
    perDevice('plantpulse_device_reconnects_total', 'connections re-created', 'counter', (d) => d.reconnects),
    {
      name: 'plantpulse_device_errors_total',
      help: 'failed requests by device and code',
      type: 'counter',
      values: s.devices.flatMap((d) =>
        Object.entries(d.errors).map(([code, value]) => ({ labels: { device: d.device, code }, value })),
      ),
    },
  ];
}
