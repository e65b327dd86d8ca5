import type { ComponentHealth, HealthStatus } from '../../protocols/health/component-health.js';
import type { HistogramSnapshot } from '../../protocols/health/prometheus.js';

/** A device may have one source of each mode (OPC UA `subscribe:` and `read:`), each with its own connection. */
export type SourceMode = 'poll' | 'subscribe';

/** What the runner knows about each device, for the agent's /readyz, /metrics and logs. */
export interface DeviceHealth {
  device: string;
  /** which runner drives the source: poll (Modbus, OPC UA cyclic reads) or subscribe (OPC UA subscriptions) */
  mode: SourceMode;
  /** the source's connection is open */
  connected: boolean;
  /** last reachability reported through onReachability (null before the first connect attempt ends) */
  reachable: boolean | null;
  /** the last poll had a failure (a bad point, a timeout) although the device answered */
  failing: boolean;
  /** ms since epoch of the runner's start or the last change of `reachable` or `failing` */
  since: number;
  /** ms since epoch of the last poll without any failure */
  lastGoodPoll: number | null;
  lastError: { code: string; message: string; at: number; detail?: number | string } | null;
  /** failures by code (MODBUS_TIMEOUT, MODBUS_EXCEPTION, …, CONNECT_FAILED, SOURCE_THREW) */
  errors: Record<string, number>;
  /** Modbus exception counts by exception code, e.g. { "2": 4 } */
  exceptionCodes: Record<string, number>;
  /** ticks skipped because the event loop was blocked past them (never queued) */
  skippedTicks: number;
  /** ticks that came while the previous poll of that group was still running: read again right after it */
  overruns: number;
  polls: number;
  /** samples the source delivered (good and bad) */
  samples: number;
  reconnects: number;
  consecutiveLinkFaults: number;
  /** how late each poll started against its schedule, in seconds (polling only) */
  lateness: HistogramSnapshot | null;
}

/** Poll lateness buckets, seconds: a poll on time is late by the timer's jitter, an overloaded one by much more. */
export const LATENESS_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export function emptyHealth(device: string, mode: DeviceHealth['mode'], now: number): DeviceHealth {
  return {
    device,
    mode,
    connected: false,
    reachable: null,
    failing: false,
    since: now,
    lastGoodPoll: null,
    lastError: null,
    errors: {},
    exceptionCodes: {},
    skippedTicks: 0,
    overruns: 0,
    polls: 0,
    samples: 0,
    reconnects: 0,
    consecutiveLinkFaults: 0,
    lateness: null,
  };
}

/**
 * A source as a component (`poll` or `subscribe`, id the device): ok while its device answers, degraded while it
 * answers with failures (some points bad), down while it is unreachable or not yet connected.
 */
export function sourceHealth(h: DeviceHealth): ComponentHealth {
  const status: HealthStatus = h.reachable !== true ? 'down' : h.failing ? 'degraded' : 'ok';
  const err = h.lastError ? `${h.lastError.code}: ${h.lastError.message}` : undefined;
  const detail =
    h.reachable === null
      ? `connecting${err ? ` (${err})` : ''}`
      : status === 'ok'
        ? 'answering'
        : `${status === 'down' ? 'unreachable' : 'answering with failures'}${err ? `: ${err}` : ''}`;
  return {
    component: h.mode,
    id: h.device,
    status,
    since: h.since,
    detail,
    counters: {
      polls: h.polls,
      samples: h.samples,
      errors: Object.values(h.errors).reduce((a, b) => a + b, 0),
      skippedTicks: h.skippedTicks,
      overruns: h.overruns,
      reconnects: h.reconnects,
    },
  };
}
