/**
 * What the ingester reports about itself: one snapshot of every component's numbers and health, read by `/readyz`
 * and `/metrics` (cloud/cloud-metrics.ts) of its `http: { port }` endpoint (docs/metrics.md).
 */

import type { ComponentHealth, HealthTracker } from '../protocols/health/component-health.js';
import type { AnalyticsStats } from './analytics/index.js';
import type { LiveBusStats } from './api/live-bus.js';
import type { RunningBroker } from './broker/embedded-broker.js';
import type { DeadLetterStats } from './ingest/dead-letter.js';
import type { IngestStats } from './ingest/message-handler.js';
import type { ConsumerStats } from './ingest/mqtt-consumer.js';
import type { SpoolPipelineStats } from './ingest/spool-pipeline.js';
import type { LifecycleStats } from './lifecycle/open-lifecycle.js';

export interface AnalyticsRunStats {
  stats: AnalyticsStats;
  /** the start-up rebuild from InfluxDB failed: the engine started from empty state */
  rebuildFailed: boolean;
  ticks: number;
  tickFailures: number;
  /** the last tick failed (with why) */
  lastTickError: string | null;
}

export interface ApiRunStats {
  url: string;
  live: LiveBusStats;
  /** responses by HTTP status code */
  responses: Record<string, number>;
}

export interface CloudSnapshot {
  consumer: ConsumerStats;
  ingest: IngestStats;
  pipeline: SpoolPipelineStats;
  deadLetters: DeadLetterStats;
  analytics?: AnalyticsRunStats;
  api?: ApiRunStats;
  broker?: ReturnType<RunningBroker['stats']>;
  /** retention policies and roll-ups (with `lifecycle`) */
  lifecycle?: LifecycleStats;
  components: ComponentHealth[];
}

/** Ready: consuming from the broker (the spool takes what InfluxDB cannot yet). */
export function cloudReady(components: readonly ComponentHealth[]): boolean {
  return components.some((c) => c.component === 'mqtt' && c.status !== 'down');
}

/** ok; degraded when it started from empty state (rebuild failed) or its last tick failed. */
export function analyticsHealth(a: AnalyticsRunStats, tracker: HealthTracker, now: number): ComponentHealth {
  const problem = a.lastTickError
    ? `the last tick failed: ${a.lastTickError}`
    : a.rebuildFailed
      ? 'started from empty state: the rebuild from InfluxDB failed'
      : undefined;
  return tracker.report(problem ? 'degraded' : 'ok', now, {
    component: 'analytics',
    id: 'analytics',
    detail: problem ?? 'computing state, OEE, energy and emissions',
    counters: { samples: a.stats.samples, ticks: a.ticks, tickFailures: a.tickFailures },
  });
}

/** ok while listening. */
export function apiHealth(a: ApiRunStats, tracker: HealthTracker, now: number): ComponentHealth {
  return tracker.report('ok', now, {
    component: 'api',
    id: a.url,
    detail: `listening, ${a.live.subscribers} live client(s)`,
    counters: {
      liveClients: a.live.subscribers,
      liveEvents: a.live.published,
      liveDropped: a.live.dropped,
      responses: Object.values(a.responses).reduce((x, y) => x + y, 0),
    },
  });
}

/** The embedded broker: ok while it runs. */
export function brokerHealth(
  b: ReturnType<RunningBroker['stats']>,
  tracker: HealthTracker,
  now: number,
): ComponentHealth {
  return tracker.report('ok', now, {
    component: 'broker',
    id: 'embedded',
    detail: `${b.clients} client(s) connected`,
    counters: {
      clients: b.clients,
      rejectedAuth: b.rejectedAuth,
      rejectedPublish: b.rejectedPublish,
      rejectedSubscribe: b.rejectedSubscribe,
      limited: b.limited,
      kdfRuns: b.kdfRuns,
    },
  });
}
