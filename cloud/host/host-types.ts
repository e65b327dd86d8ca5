import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';
import type { BirthRecorder } from './birth-store.js';
import { HostSamples } from './host-samples.js';

/** One MQTT publish for the ingester to perform (same shape as the edge node's). */
export interface OutMsg {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  retain: boolean;
}

export type HostSample = Sample & { site: string; node: string };

export interface DeviceStatus {
  site: string;
  node: string;
  /** absent: the edge node itself */
  device?: string;
  online: boolean;
  reason: string;
  timestamp: number;
}

export interface BirthInfo {
  site: string;
  node: string;
  /** absent: the node's own metrics (NBIRTH) */
  device?: string;
  metrics: MetricInfo[];
  /**
   * A DBIRTH's device tags (its `Properties/<key>` String metrics, cloud/host/device-properties.ts), sanitised;
   * `{}` when it has none. Absent on node births.
   */
  tags?: Record<string, string>;
  /** an NBIRTH's `Properties/<name>` String metrics (Version, Started, Config Hash); absent on device births */
  properties?: Record<string, string>;
}

export interface HostProblem {
  /** stable: SPB_DECODE, SPB_TOPIC, UNS_DECODE, UNS_TOPIC, SEQ_GAP, NOT_BORN, UNKNOWN_ALIAS, BAD_VALUE, BAD_SAMPLE,
   *  UNSUPPORTED_METRIC, BAD_PROPERTY, STALE_NDEATH, BAD_STATE, HOST_INTERNAL, DEVICE_LIMIT, METRIC_LIMIT, and
   *  REBIRTH_REQUESTED (informational) */
  code: string;
  message: string;
  /** samples this problem cost (dropped, not in `samples`) */
  dropped?: number;
}

export interface HostResult {
  /**
   * as columns (host-samples.ts: no object per value); each one passed `checkSample` (both hosts check what they
   * emit; the point mapper relies on it)
   */
  samples: HostSamples;
  status: DeviceStatus[];
  commands: OutMsg[];
  problems: HostProblem[];
  births: BirthInfo[];
}

export function emptyResult(): HostResult {
  return { samples: new HostSamples(), status: [], commands: [], problems: [], births: [] };
}

export interface HostApplicationOptions {
  /** Sparkplug host id: STATE topic `spBv1.0/STATE/{hostId}` */
  hostId: string;
  /** ms since epoch; default Date.now */
  clock?: () => number;
  /** which namespace `subscriptions()` covers; `handle` understands both. Default 'sparkplug' */
  format?: 'sparkplug' | 'json';
  /** at most one Rebirth NCMD per node within this many ms; default 10 000 */
  rebirthIntervalMs?: number;
  /** edge nodes whose state is kept (memory bound against topic floods); default 10 000 */
  maxNodes?: number;
  /** devices one edge node may have at once (births of more are refused: DEVICE_LIMIT); default 1000 */
  maxDevicesPerNode?: number;
  /** metrics one device or node may have (more are refused: METRIC_LIMIT); default 2000 */
  maxMetricsPerDevice?: number;
  /**
   * Check each node's seq (default true). Turn off when this host sees only a share of the data (MQTT `$share/`
   * subscriptions with several ingesters): gaps are then normal and must not trigger rebirths.
   */
  checkSeq?: boolean;
  /** keeps the last births on disk (`SqliteBirthStore`) so `restore()` can rebuild alias maps after a restart */
  births?: BirthRecorder;
}
