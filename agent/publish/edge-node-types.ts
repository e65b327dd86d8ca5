import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';
import type { NodeMetricValue } from '../../protocols/sparkplug/outbox-metrics.js';

/** One MQTT publish the uplink must perform, in the order returned. */
export interface OutMsg {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  retain: boolean;
}

export type PublishFormat = 'sparkplug' | 'json';

export interface EdgeNodeOptions {
  /** Sparkplug group_id */
  site: string;
  /** Sparkplug edge_node_id */
  node: string;
  /**
   * `tags` (the config's `devices[].tags`, e.g. `{ line: 'line3' }`) go into the device's DBIRTH as String metrics
   * `Properties/<key>` (Sparkplug's own convention, as in the spec's `Properties/Hardware Make`); never in DDATA.
   */
  devices: EdgeDeviceSpec[];
  /**
   * The node's own properties, String metrics `Properties/<key>` of its NBIRTH: the agent sends `Version`, `Started`
   * (its process start) and `Config Hash` (the hash of the configuration it runs), which the ingester's fleet view
   * reads; `reconfigure` replaces them.
   */
  properties?: Readonly<Record<string, string>>;
  /**
   * The node's own metrics and their values now (the agent's outbox state, protocols/sparkplug/outbox-metrics.ts):
   * read at every NBIRTH, which declares them with these values (Sparkplug 3.0: anything later in NDATA is in the
   * NBIRTH), and by `nodeData()`. Int64, sent by name (no alias). Default none.
   */
  nodeMetrics?: () => readonly NodeMetricValue[];
  /** Sparkplug host id to wait for (STATE online) before births */
  primaryHost?: string;
  /**
   * A STATE whose timestamp is more than this ahead of `clock()` is refused (`state-refused`): one forged retained
   * STATE with a far-future timestamp would otherwise outrank every genuine one. Default 5 minutes.
   */
  stateClockSkewMs?: number;
  /** ms since epoch; default Date.now */
  clock?: () => number;
  /** default 'sparkplug' */
  format?: PublishFormat;
  /**
   * QoS of births, data and device deaths. Default 1: the delivery contract
   * (docs/architecture.md#delivery-contract) promises a sample leaves the outbox only on PUBACK. Sparkplug
   * 3.0 asks for QoS 0 (tck-id-payloads-*-qos); set 0 for strict conformance at the cost of that promise. The
   * will (NDEATH) is always QoS 1.
   */
  qos?: 0 | 1;
  /** bdSeq of the first session (persist `nextBdSeq` across restarts to keep it increasing); default 0 */
  initialBdSeq?: number;
  /**
   * Where every event goes, as it happens: the one path by which the edge node reports (the agent's session logs and
   * counts them there). Without it, events queue for `takeEvents()` and `onMessage` returns them (tests, scripts).
   */
  onEvent?: (event: EdgeEvent) => void;
}

/** One device as the edge node announces it: its metrics and tags. */
export interface EdgeDeviceSpec {
  id: string;
  metrics: MetricInfo[];
  tags?: Readonly<Record<string, string>>;
}

export type DataRefusal = 'not-connected' | 'waiting-for-primary-host' | 'unknown-device' | 'device-not-born';

/**
 * What became of one outbox entry handed to the edge node: a message to publish, or why not. `device-not-born`:
 * keep it until the device's next birth; `not-connected` / `waiting-for-primary-host`: keep it until births are due;
 * `unknown-device` / `nothing-publishable` (every sample dropped, each a `sample-dropped` event): it can never be
 * published.
 */
export type DataOutcome = { msg: OutMsg } | { refused: DataRefusal | 'nothing-publishable' };

/**
 * What happened, for the uplink to log and count. `data-refused` samples were NOT published and are still the
 * uplink's to keep (they stay in the outbox); `sample-dropped` samples can never be published (unknown metric,
 * value not fitting the metric's kind) and must be counted and removed.
 */
export type EdgeEvent =
  | {
      type: 'births-published';
      reason: 'connected' | 'rebirth-requested' | 'primary-host-online' | 'reconfigured';
      devices: number;
    }
  | { type: 'waiting-for-primary-host'; hostId: string }
  | { type: 'primary-host-online'; hostId: string; timestamp: number }
  /** NDEATH is in `out`: publish it, then disconnect and reconnect (Sparkplug 3.0 operational behaviour) */
  | { type: 'primary-host-offline'; hostId: string; timestamp: number; disconnect: true }
  | { type: 'command-refused'; topic: string; device?: string; reason: string }
  | { type: 'message-ignored'; topic: string; reason: string }
  /** a primary host STATE beyond the clock-skew window: ignored, the session goes on as before */
  | {
      type: 'state-refused';
      topic: string;
      hostId: string;
      timestamp: number;
      online: boolean;
      reason: string;
    }
  | { type: 'data-refused'; device: string; samples: number; reason: DataRefusal }
  | { type: 'sample-dropped'; device: string; metric: string; reason: string };

export interface MetricSlot {
  info: MetricInfo;
  alias: bigint;
  datatype: number;
}

/** A device tag as a Sparkplug birth metric `Properties/<key>` (String), with its own alias. */
export interface PropertySlot {
  name: string;
  alias: bigint;
  value: string;
}

/** Per-device state the wire formats read. */
export interface DeviceState {
  id: string;
  metrics: Map<string, MetricSlot>;
  /** the device's tags, sent in its DBIRTH only */
  properties: PropertySlot[];
  last: Map<string, Sample>;
  born: boolean;
  /** last reported by `deviceDown` / `deviceUp`; undefined until the first report */
  reachable: boolean | undefined;
}

/** How one message format puts the edge node's messages on the wire. */
export interface EdgeWire {
  will(bdSeq: number, now: number): OutMsg;
  /** `properties`: the node's `Properties/<key>` String metrics (name includes the prefix) */
  nodeBirth(
    bdSeq: number,
    seq: number,
    now: number,
    properties: readonly { name: string; value: string }[],
    metrics: readonly NodeMetricValue[],
  ): OutMsg;
  /** NDATA of the node's own metrics; undefined when the format has no such message (JSON) or none is given */
  nodeData(metrics: readonly NodeMetricValue[], seq: number, now: number): OutMsg | undefined;
  deviceBirth(dev: DeviceState, seq: number, now: number): OutMsg;
  /** undefined when every sample was dropped (reported through `drop`) */
  deviceData(
    dev: DeviceState,
    samples: readonly Sample[],
    historical: boolean,
    seq: number,
    now: number,
    drop: (s: Sample, reason: string) => void,
  ): OutMsg | undefined;
  deviceDeath(dev: DeviceState, reason: string, seq: number, now: number): OutMsg;
  commandTopics(): string[];
}
