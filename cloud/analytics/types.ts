/**
 * The analytics engine's contract with the ingester (docs/architecture.md#analytics). The input types are
 * structurally identical to the Sparkplug host's (`cloud/host`) and the output events to the API's live bus
 * (`cloud/api/live-bus.ts`), so neither side has to import the other.
 */
import type { Point } from '@influxdata/influxdb-client';
import type { DeviceStatus, HostSample } from '../host/host-types.js';

export type MachineState = 'running' | 'idle' | 'down' | 'planned_stop' | 'setup' | 'offline';

/** The Sparkplug host's output (cloud/host): samples with their site and node, births and deaths. */
export type { DeviceStatus, HostSample } from '../host/host-types.js';

/** One InfluxQL result row: `time` in ms (an RFC 3339 string is accepted too), then the columns. */
export type Row = Record<string, unknown> & { time: number | string };

export interface LiveStateEvent {
  type: 'state';
  site: string;
  device: string;
  timestamp: number;
  state: MachineState;
  previous?: MachineState;
  code?: number;
}

export interface LiveAlarmEvent {
  type: 'alarm';
  site: string;
  device: string;
  timestamp: number;
  metric: string;
  severity: string;
  active: boolean;
  message: string;
  value?: number;
  limit?: number;
  raisedAt?: number;
}

export type AnalyticsEvent = LiveStateEvent | LiveAlarmEvent;

export interface AnalyticsOutput {
  /**
   * machine_state, oee, energy, emissions, kpi, alarms points (docs/architecture.md#influxdb-schema); the
   * ingester writes them
   */
  points: Point[];
  /** state changes and alarm raise/clear, for the API's live stream */
  events: AnalyticsEvent[];
}

/** Counters of what the engine did not use, each also logged once with its reason. */
export interface AnalyticsStats {
  samples: number;
  /** samples older than the horizon: stored raw by the sink, but no window is recomputed for them */
  tooLate: number;
  /** samples stamped more than 5 minutes ahead of the ingester's clock (a wrong device clock): not used */
  future: number;
  /** state values the configured map does not know (booked as the `unknown` state) */
  unknownStateValues: number;
  /** values of the wrong type for what the metric is used for (e.g. text in a counter) */
  unusableValues: number;
  /** counter increases above maxDelta */
  quarantinedDeltas: number;
  counterResets: number;
  counterWraps: number;
}

export interface Analytics {
  /**
   * Restores state from InfluxDB (raw telemetry, quality, device status, own alarms); call before the first ingest.
   * Throws AnalyticsRebuildError (retryable) or AnalyticsConfigError; the engine is usable afterwards either way.
   */
  rebuild(now: number, signal?: AbortSignal): Promise<void>;
  /** Takes samples (live or historical) and device status changes; returns state changes and alarms at once. */
  ingest(samples: readonly HostSample[], status?: readonly DeviceStatus[]): AnalyticsOutput;
  /** whether any analytic uses `device`'s values: the ingester makes sample objects only for those (issue 16) */
  uses(device: string): boolean;
  /** Closes windows, detects stale devices, re-emits every window late data touched. Call every few seconds. */
  tick(now: number): AnalyticsOutput;
  stats(): AnalyticsStats;
}
