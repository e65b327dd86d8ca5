import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit-event.js';
import type { DeviceRegistry } from './device-registry.js';
import type { FleetRegistry } from './fleet-registry.js';
import type { InfluxReader } from './influx-reader.js';
import type { LiveBus } from './live-bus.js';

/** A configured limit of a metric (stack pollutants, temperatures, …), shown as a line on charts. */
export interface MetricLimit {
  metric: string;
  limit: number;
  /** limit applies to this device only; all devices when absent */
  device?: string;
  severity?: string;
  unit?: string;
  /** alarm when the value goes above (default) or below the limit */
  direction?: 'above' | 'below';
}

/** The data lifecycle as the API sees it: how long each resolution is kept, and whether roll-ups are computed. */
export interface ApiLifecycle {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
  /** false until the ingester knows the server computes roll-ups (InfluxDB 1.x) */
  rollups: () => boolean;
}

/** What every route reads from. */
export interface ApiContext {
  reader: InfluxReader;
  registry: DeviceRegistry;
  live: LiveBus;
  log: Logger;
  /** the default site when a request names none */
  site: string | undefined;
  clock: () => number;
  limits: readonly MetricLimit[];
  /** telemetry metric shown as the machine's power on the overview (default `power_kw`) */
  powerMetric: string;
  /** where alarm acknowledgements are recorded */
  audit: AuditSink;
  /** present when the ingester manages retention and roll-ups (telemetry then lives in the `raw` policy) */
  lifecycle?: ApiLifecycle;
  /** the gateways the ingester hears from, and its own version (the fleet view) */
  fleet?: { registry: FleetRegistry; version: string };
}

export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
