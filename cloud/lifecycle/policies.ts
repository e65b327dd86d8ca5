/**
 * The names the data lifecycle gives InfluxDB's retention policies (v2: buckets) and the roll-up measurements, and
 * how a reader names a measurement: one place, shared by the ingester, the roll-ups, the API and analytics.
 */
import type { LifecycleConfig } from '../../config/schemas/lifecycle.js';

/** telemetry at full resolution */
export const RAW_POLICY = 'raw';
/** 1-minute and hourly roll-ups of telemetry */
export const MINUTE_POLICY = 'rollup_1m';
export const HOUR_POLICY = 'rollup_1h';
export const MINUTE_MEASUREMENT = 'telemetry_1m';
export const HOUR_MEASUREMENT = 'telemetry_1h';
/** the aggregates each roll-up keeps per metric, as fields `<aggregate>_<metric>` (InfluxQL's `SELECT mean(*)` names) */
export const ROLLUP_AGGREGATES = ['mean', 'min', 'max', 'last', 'sum', 'count'] as const;

export type Resolution = 'raw' | '1m' | '1h';

/** One retention policy as the lifecycle wants it: `isDefault` takes every measurement not routed elsewhere. */
export interface PolicySpec {
  name: string;
  durationMs: number;
  isDefault: boolean;
}

/**
 * The policies of a lifecycle config. The default policy keeps its name (usually `autogen`): it is found on the
 * server and only its duration is set, so what it holds stays where every reader already looks.
 */
export function policySpecs(cfg: LifecycleConfig): PolicySpec[] {
  return [
    { name: RAW_POLICY, durationMs: cfg.raw, isDefault: false },
    { name: MINUTE_POLICY, durationMs: cfg.minute, isDefault: false },
    { name: HOUR_POLICY, durationMs: cfg.hour, isDefault: false },
  ];
}

/** `"db"."rp"."measurement"`-style quoting for InfluxQL identifiers. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Where a reader finds raw telemetry: `"raw"."telemetry"` with a lifecycle, the default policy's `"telemetry"`
 * without one.
 */
export function telemetryFrom(lifecycle: boolean): string {
  return lifecycle ? `${quoteIdent(RAW_POLICY)}."telemetry"` : '"telemetry"';
}
