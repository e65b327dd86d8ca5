import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';

/**
 * The source contract (docs/architecture.md#small-interfaces-one-runner). A source does I/O and decoding
 * only; scheduling, reconnect backoff, overrun skipping and health bookkeeping live once, in agent/runner.
 * Constructors never dial: `connect` does.
 */
export interface SourceBase {
  readonly device: string;
  /** every metric this source can produce, for births; known before connect */
  readonly metrics: readonly MetricInfo[];
  connect(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** One scheduled read: its samples (bad ones included, with quality) and what went wrong, as values. */
export interface ReadResult {
  samples: Sample[];
  /** failed requests of this read; their points are in `samples` as quality bad */
  failures: ReadFailure[];
}

export interface ReadFailure {
  /** stable code, e.g. MODBUS_TIMEOUT, MODBUS_EXCEPTION, MODBUS_CRC, OPCUA_BAD_STATUS */
  code: string;
  message: string;
  /** protocol detail, e.g. Modbus exception code 2 */
  detail?: number | string;
  /** true when the link itself is suspect (timeouts, resets): the runner counts these toward reconnect */
  linkFault: boolean;
  /**
   * the device gave no answer (timeout, skipped while backing off) although the link may be fine — e.g. one dead
   * unit on a shared RS-485 line. The runner reports such a device unreachable without resetting the line.
   */
  noAnswer?: boolean;
  /** the metrics this failure made bad (absent when the source cannot tell), so a reader can show why each is bad */
  metrics?: readonly string[];
}

export interface PollGroupInfo {
  readonly intervalMs: number;
  readonly description: string;
}

export interface PollingSource extends SourceBase {
  readonly kind: 'polling';
  readonly groups: readonly PollGroupInfo[];
  read(group: number, signal: AbortSignal): Promise<ReadResult>;
}

export interface SubscribingSource extends SourceBase {
  readonly kind: 'subscribing';
  /**
   * resolves once subscriptions are established; keeps emitting until the signal aborts or close().
   * `lost` (optional) is called at most once when the subscription can no longer deliver (connection lost,
   * watchdog expired): the runner then closes the source and connects again with backoff.
   */
  subscribe(
    emit: (samples: Sample[]) => void,
    signal: AbortSignal,
    lost?: (err: Error) => void,
  ): Promise<void>;
}

export type Source = PollingSource | SubscribingSource;
