/**
 * The HJ 212 listeners' counters as Prometheus families (docs/metrics.md "HJ 212 listeners"), one series per listen
 * address (`listen`): connections, packets accepted and refused by code, data uploads and the replies (CN 9014)
 * sent. Pure: the agent renders them on /metrics next to the device counters.
 */
import type { MetricFamily, ScalarValue } from '../../../protocols/health/prometheus.js';
import type { ListenerStats } from './listener.js';

export interface ListenerReport {
  /** the listen address as configured (`127.0.0.1:9212`) */
  listen: string;
  stats: Readonly<ListenerStats>;
  open: number;
}

/**
 * Values a device's source took from an upload and could not pass on, by device and reason: `undeclared` (a factor
 * or field the device does not declare in `pollutants:`), `pending` (more than 10,000 waiting for the subscription).
 */
export function deviceDropFamily(
  drops: ReadonlyMap<string, { readonly undeclared: number; readonly pendingDropped: number }>,
): MetricFamily {
  return {
    name: 'plantpulse_hj212_values_dropped_total',
    help: 'values of an upload the device did not pass on, by reason (undeclared factor or field; pending overflow)',
    type: 'counter',
    values: [...drops].flatMap(([device, d]): ScalarValue[] => [
      { labels: { device, reason: 'undeclared' }, value: d.undeclared },
      { labels: { device, reason: 'pending' }, value: d.pendingDropped },
    ]),
  };
}

export function listenerFamilies(listeners: readonly ListenerReport[]): MetricFamily[] {
  const each = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    pick: (l: ListenerReport) => number,
  ): MetricFamily => ({
    name,
    help,
    type,
    values: listeners.map((l) => ({ labels: { listen: l.listen }, value: pick(l) })),
  });
  const byLabel = (
    name: string,
    help: string,
    label: string,
    pick: (l: ListenerReport) => Readonly<Record<string, number>>,
  ): MetricFamily => ({
    name,
    help,
    type: 'counter',
    values: listeners.flatMap((l): ScalarValue[] =>
      Object.entries(pick(l)).map(([k, value]) => ({ labels: { listen: l.listen, [label]: k }, value })),
    ),
  });
  return [
    each('plantpulse_hj212_connections', 'datalogger connections open now', 'gauge', (l) => l.open),
    each(
      'plantpulse_hj212_connections_total',
      'datalogger connections accepted',
      'counter',
      (l) => l.stats.connections,
    ),
    each(
      'plantpulse_hj212_connections_refused_total',
      'connections closed at once because maxConnections were open',
      'counter',
      (l) => l.stats.connectionsRefused,
    ),
    byLabel(
      'plantpulse_hj212_connections_closed_total',
      'connections the listener closed, by reason',
      'reason',
      (l) => ({
        idle: l.stats.idleClosed,
        refusals: l.stats.closedForRefusals,
        outsider: l.stats.closedOutsiders,
      }),
    ),
    each(
      'plantpulse_hj212_truncated_total',
      'connections that closed in the middle of a packet (its bytes dropped; the datalogger re-sends)',
      'counter',
      (l) => l.stats.truncated,
    ),
    each(
      'plantpulse_hj212_packets_total',
      'packets framed with a good length and CRC',
      'counter',
      (l) => l.stats.packets,
    ),
    each(
      'plantpulse_hj212_uploads_total',
      'data uploads (2011, 2051, 2061, 2031) of a known MN with its password, handed to the device',
      'counter',
      (l) => l.stats.uploads,
    ),
    each(
      'plantpulse_hj212_replies_total',
      'data responses (CN 9014) sent for uploads that asked for one and were taken',
      'counter',
      (l) => l.stats.acknowledged,
    ),
    each(
      'plantpulse_hj212_other_commands_total',
      'packets with a command other than a data upload (ignored)',
      'counter',
      (l) => l.stats.otherCommands,
    ),
    byLabel(
      'plantpulse_hj212_packets_refused_total',
      'packets refused, by code',
      'code',
      (l) => l.stats.refused,
    ),
  ];
}
