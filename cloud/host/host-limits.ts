/**
 * The host's bounds per edge node and per device (README "Security / Ingester"), and the problems a refusal
 * reports, the same for the Sparkplug and the JSON side. Every refused value is counted in `dropped`.
 */
import type { HostApplicationOptions, HostProblem } from './host-types.js';

export interface HostLimits {
  maxDevicesPerNode: number;
  maxMetricsPerDevice: number;
}

export const NO_LIMITS: HostLimits = {
  maxDevicesPerNode: Number.POSITIVE_INFINITY,
  maxMetricsPerDevice: Number.POSITIVE_INFINITY,
};

export function hostLimits(opts: HostApplicationOptions): HostLimits {
  return {
    maxDevicesPerNode: opts.maxDevicesPerNode ?? 1000,
    maxMetricsPerDevice: opts.maxMetricsPerDevice ?? 2000,
  };
}

/** A device the node has not announced, with the node at its bound: refused whole. */
export function deviceLimit(
  topic: string,
  node: string,
  known: number,
  device: string,
  metrics: number,
): HostProblem {
  return {
    code: 'DEVICE_LIMIT',
    message: `${topic}: ${node} already has ${known} devices (maxDevicesPerNode); device ${device} refused, ${metrics} metrics dropped`,
    dropped: metrics,
  };
}

/** Metrics past a device's bound: `why` says where they were seen. */
export function metricLimit(where: string, refused: number, why: string): HostProblem {
  return {
    code: 'METRIC_LIMIT',
    message: `${where}: ${refused} metrics refused: ${why} (maxMetricsPerDevice)`,
    dropped: refused,
  };
}
