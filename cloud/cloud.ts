import { join, resolve } from 'node:path';
import type { Logger } from '../config/logging.js';
import type { CloudConfig } from '../config/schemas/cloud.js';
import { Backoff } from '../protocols/backoff.js';
import { ensurePrivateDir } from '../protocols/durable-queue/private-files.js';
import { FloodLimit } from '../protocols/flood-limit.js';
import { HealthTracker } from '../protocols/health/component-health.js';
import { serveHealth } from '../protocols/health/health-server.js';
import { type InfluxAuth, type InfluxRow, queryInfluxQL } from '../protocols/influx/index.js';
import { packageVersion } from '../protocols/package-version.js';
import { type Analytics, createAnalytics, equalValueNotice } from './analytics/index.js';
import { limitsFromAlarmRules } from './api/alarm-rule-limits.js';
import { DeviceRegistry } from './api/device-registry.js';
import { FleetRegistry } from './api/fleet-registry.js';
import { IngestFeed } from './api/ingest-feed.js';
import { LiveBus } from './api/live-bus.js';
import { createApiServer } from './api/server.js';
import { type ConfigSource, openAuditLog } from './audit/open-audit.js';
import {
  type BrokerSecurityEvent,
  type RunningBroker,
  startEmbeddedBroker,
} from './broker/embedded-broker.js';
import {
  type AnalyticsRunStats,
  analyticsHealth,
  apiHealth,
  brokerHealth,
  type CloudSnapshot,
  cloudReady,
} from './cloud-health.js';
import { cloudMetrics } from './cloud-metrics.js';
import { diffCloudConfig } from './cloud-reload.js';
import { SqliteBirthStore } from './host/birth-store.js';
import { HostApplication } from './host/host-application.js';
import { DeadLetterFile } from './ingest/dead-letter.js';
import { createMessageHandler, type IngestStats } from './ingest/message-handler.js';
import { MqttConsumer } from './ingest/mqtt-consumer.js';
import { PipelineHealth } from './ingest/pipeline-health.js';
import { HostPointMapper } from './ingest/points-from-host.js';
import { sharedSubscriptions } from './ingest/shared-subscriptions.js';
import { IDLE_FLUSH_MS } from './ingest/spool-drainer.js';
import { openSpoolPipeline, type SpoolPipelineStats } from './ingest/spool-pipeline.js';
import { openLifecycle } from './lifecycle/open-lifecycle.js';
import { telemetryFrom } from './lifecycle/policies.js';
import { createInfluxSink } from './sink/index.js';

export interface RunningCloud {
  brokerUrl: string | undefined;
  /** http://host:port of the API and dashboard, when `api` is configured */
  apiUrl: string | undefined;
  /** http://host:port of /healthz, /readyz and /metrics, when `http` is configured */
  httpUrl: string | undefined;
  stats(): { ingest: IngestStats; spool: SpoolPipelineStats; broker?: ReturnType<RunningBroker['stats']> };
  /** every component's numbers and health, as /readyz and /metrics report them */
  snapshot(): CloudSnapshot;
  /** applies a validated configuration: only `analytics` changes live (cloud/cloud-reload.ts); false when refused */
  reload(next: CloudConfig): Promise<boolean>;
  stop(): Promise<void>;
}

const ANALYTICS_TICK_MS = 5_000;

function influxAuth(cfg: CloudConfig['influx']): InfluxAuth | undefined {
  if (cfg.token !== undefined) return { token: cfg.token };
  if (cfg.username !== undefined && cfg.password !== undefined) {
    return { username: cfg.username, password: cfg.password };
  }
  return undefined;
}

/**
 * The cloud process: the embedded broker (optional), the Sparkplug host + ingester writing to InfluxDB, analytics
 * (state, OEE, energy, emissions, alarms), and the API with the dashboard.
 * Stop order: stop consuming (unacknowledged messages stay with the broker), the API, the broker, the spool drainer
 * (what is not yet in InfluxDB stays in the spool for the next start), then the sink.
 */
/** The ingester's MQTT client id: configured, or derived from its host id. */
function ingesterClientId(cfg: CloudConfig): string {
  return cfg.mqtt.clientId ?? `plantpulse-ingest-${cfg.mqtt.hostId}`;
}

export interface CloudOptions {
  /** the config file as read (its SHA-256 goes into the audit log's config.loaded) */
  configSource?: ConfigSource;
  /** also told of the embedded broker's logins, refusals and limit hits (they are audited in any case) */
  onBrokerSecurityEvent?: (e: BrokerSecurityEvent) => void;
}

export async function startCloud(
  cfg: CloudConfig,
  log: Logger,
  opts: CloudOptions = {},
): Promise<RunningCloud> {
  let running = cfg; // the configuration in force (a reload replaces its analytics)
  const dataDir = resolve(cfg.spool.path);
  ensurePrivateDir(dataDir); // spool, dead letters, births: 0700 (README "Security / Secrets at rest")
  const audit = await openAuditLog(cfg.audit, dataDir, log, opts.configSource);
  // every broker login and refusal is audited; refusals and limit hits at most 30 a minute per address (a flood
  // of CONNECTs cannot fill the disk through the audit log; the next event says how many were left out)
  const brokerRefusals = new FloodLimit({ max: 30, windowMs: 60_000 });
  const onBrokerSecurityEvent = (e: BrokerSecurityEvent) => {
    const { type, ...fields } = e;
    const suppressed = type === 'broker.login' ? 0 : brokerRefusals.admit(e.address ?? 'unknown');
    if (suppressed !== undefined)
      audit.record({ type, fields: { ...fields, ...(suppressed > 0 ? { suppressed } : {}) } });
    opts.onBrokerSecurityEvent?.(e);
  };
  const broker = cfg.broker
    ? await startEmbeddedBroker(cfg.broker, log.child({ component: 'broker' }), {
        // the ingester's own login is the host application: its role defaults to host, its client id is its own
        hostUsers: [cfg.mqtt.username],
        reservedClientIds: { [ingesterClientId(cfg)]: cfg.mqtt.username },
        onSecurityEvent: onBrokerSecurityEvent,
      })
    : undefined;
  // the embedded broker is dialled at its listen address and verified by its certificate's name (no DNS needed here)
  const dial = cfg.mqtt.url !== undefined ? { url: cfg.mqtt.url } : broker?.local;
  if (!dial) throw new Error('mqtt.url is required when no embedded broker is configured');
  const stop = new AbortController();

  const auth = influxAuth(cfg.influx);
  // with a lifecycle, telemetry goes to the `raw` policy and roll-ups are computed (cloud/lifecycle/)
  const lifecycle = cfg.lifecycle
    ? openLifecycle({ target: cfg.influx, lifecycle: cfg.lifecycle, log, ...(auth ? { auth } : {}) })
    : undefined;
  const sink = lifecycle?.sink ?? createInfluxSink(cfg.influx, log.child({ component: 'sink' }));
  lifecycle?.start();
  const sinkLog = log.child({ component: 'sink' });
  sink
    .ensureDatabase()
    .catch((err: unknown) =>
      sinkLog.warn({ err: (err as Error).message }, 'InfluxDB not ready at start; writes will retry'),
    );
  const dead = new DeadLetterFile(
    join(dataDir, 'dead-letter.jsonl'),
    log.child({ component: 'dead-letter' }),
    cfg.ingest.deadLetter,
  );
  // A message is acknowledged once its points are committed to the ingester's disk spool; the spool drains to
  // InfluxDB in batches, in order (docs/delivery.md). Analytics points take the same path.
  const pipeline = openSpoolPipeline({
    dataDir,
    influx: cfg.influx,
    sink,
    dead,
    log,
    maxBytes: cfg.spool.maxBytes,
    sync: cfg.spool.sync,
    batchLines: cfg.influx.batchSize,
    flushIntervalMs: cfg.influx.flushInterval,
    // a pause in the intake writes what is spooled at once: the interval only bounds the wait under steady load
    idleFlushMs: Math.min(IDLE_FLUSH_MS, cfg.influx.flushInterval),
    ...(lifecycle ? { onWritten: lifecycle.onWritten } : {}),
  });
  pipeline.start();
  const writer = pipeline.writer;
  const hostId = cfg.mqtt.hostId;
  // The last births per node/device survive a restart, so queued aliased data decodes at once (docs/sparkplug.md).
  const hostLog = log.child({ component: 'host' });
  const births = SqliteBirthStore.open(join(dataDir, 'sparkplug-births.sqlite'), hostLog);
  // Sharing the data with other ingesters (`$share/`), this host sees only part of each node's seq: no gap checks.
  const host = new HostApplication({
    hostId,
    format: cfg.mqtt.format,
    births,
    checkSeq: cfg.mqtt.sharedGroup === undefined,
    maxDevicesPerNode: cfg.ingest.maxDevicesPerNode,
    maxMetricsPerDevice: cfg.ingest.maxMetricsPerDevice,
  });
  const mapper = new HostPointMapper({ maxDevicesPerNode: cfg.ingest.maxDevicesPerNode });
  const restored = host.restore(births.load());
  mapper.map(restored); // learn the metric kinds; a births-only result makes no points
  for (const p of restored.problems)
    hostLog.warn({ code: p.code, detail: p.message }, 'stored birth not restored');
  if (restored.births.length > 0)
    hostLog.info({ births: restored.births.length }, 'Sparkplug births restored');
  const query = (q: string) =>
    queryInfluxQL<InfluxRow & { time: number }>(cfg.influx.url, {
      db: cfg.influx.database,
      q,
      ...(auth ? { auth } : {}),
    });

  // Live view: device registry + live event bus, fed by the host and analytics.
  const live = new LiveBus();
  const registry = new DeviceRegistry();
  const fleet = new FleetRegistry();
  fleet.restore(restored.births);
  const feed = new IngestFeed(registry, live, { fleet });
  // device tags (lines…) from the agent's config, carried by the stored DBIRTHs; new births reach it through `feed`
  for (const b of restored.births) if (b.device && b.tags) registry.setTags(b.site, b.device, b.tags);

  // Analytics: rebuilt from InfluxDB before the first message is taken.
  const aLog = log.child({ component: 'analytics' });
  let analytics: Analytics | undefined;
  const analyticsRun = {
    rebuildFailed: false,
    ticks: 0,
    tickFailures: 0,
    lastTickError: null as string | null,
  };
  if (cfg.analytics) {
    analytics = createAnalytics(cfg.analytics, {
      log: aLog,
      query,
      telemetryFrom: telemetryFrom(lifecycle !== undefined),
    });
    const notice = equalValueNotice(cfg.analytics);
    if (notice !== undefined) aLog.warn({ key: 'analytics.standardCoal.electricityEqualValue' }, notice);
    const backoff = new Backoff({ initialMs: 1000, maxMs: 8000 });
    for (let attempt = 1; ; attempt++) {
      try {
        await analytics.rebuild(Date.now(), stop.signal);
        break;
      } catch (err) {
        if (attempt >= 5) {
          analyticsRun.rebuildFailed = true;
          aLog.error({ err }, 'analytics could not be rebuilt from InfluxDB; starting from empty state');
          break;
        }
        const retryInMs = backoff.next();
        aLog.warn({ err: (err as Error).message, attempt, retryInMs }, 'analytics rebuild failed; retrying');
        await new Promise((r) => setTimeout(r, retryInMs));
      }
    }
  }

  let consumer: MqttConsumer | undefined;
  const handler = createMessageHandler({
    host,
    mapper,
    writer,
    dead,
    log: log.child({ component: 'ingest' }),
    command: (msg) => consumer?.publish(msg) ?? Promise.reject(new Error('not connected')),
    ...(analytics
      ? {
          extra: (r) => {
            // only the devices an analytic uses become sample objects (issue 16, point 4)
            const a = analytics as Analytics;
            const out = a.ingest(
              r.samples.select((_site, device) => a.uses(device)),
              r.status,
            );
            feed.onAnalyticsEvents(out.events);
            return out.points;
          },
        }
      : {}),
    after: (r) => feed.onHostResult(r),
    acceptWindow: cfg.ingest.acceptWindow,
    warnings: { max: cfg.ingest.warnings.max, windowMs: cfg.ingest.warnings.window },
  });

  // Windows close on a clock, not only when data arrives.
  let ticking: Promise<void> = Promise.resolve();
  const tick = analytics
    ? setInterval(() => {
        ticking = ticking.then(async () => {
          try {
            const out = (analytics as Analytics).tick(Date.now());
            feed.onAnalyticsEvents(out.events);
            await writer.write(out.points, stop.signal);
            analyticsRun.ticks++;
            analyticsRun.lastTickError = null;
          } catch (err) {
            if (stop.signal.aborted) return;
            analyticsRun.tickFailures++;
            analyticsRun.lastTickError = (err as Error).message;
            aLog.error({ err }, 'analytics tick failed');
          }
        });
      }, ANALYTICS_TICK_MS)
    : undefined;

  consumer = new MqttConsumer(
    { ...cfg.mqtt, ...dial, clientId: ingesterClientId(cfg) },
    {
      will: () => host.willMessage(),
      online: () => host.onlineMessage(),
      subscriptions: () => sharedSubscriptions(host.subscriptions(), cfg.mqtt.sharedGroup),
      handle: handler.handle,
    },
    log.child({ component: 'mqtt' }),
  );
  consumer.start();
  const mqttConsumer = consumer;

  let apiUrl: string | undefined;
  const responses: Record<string, number> = {};
  const api = cfg.api
    ? createApiServer({
        config: cfg.api,
        influx: { url: cfg.influx.url, database: cfg.influx.database, ...(auth ? { auth } : {}) },
        live,
        registry,
        log,
        // fallback for devices whose births carry no tags: lines from the analytics machines
        deviceTags: Object.fromEntries(
          (cfg.analytics?.machines ?? []).flatMap((m) => (m.line ? [[m.device, { line: m.line }]] : [])),
        ),
        // the alarm rules' limits, drawn on the dashboard's charts (stack pollutants)
        limits: limitsFromAlarmRules(cfg.analytics?.alarms ?? []),
        onResponse: (code) => {
          responses[code] = (responses[code] ?? 0) + 1;
        },
        audit,
        fleet: { registry: fleet, version: packageVersion() },
        ...(cfg.lifecycle && lifecycle
          ? {
              lifecycle: {
                rawMs: cfg.lifecycle.raw,
                minuteMs: cfg.lifecycle.minute,
                hourMs: cfg.lifecycle.hour,
                rollups: () => lifecycle.stats().rollups !== null,
              },
            }
          : {}),
      })
    : undefined;
  if (api && cfg.api) {
    apiUrl = await api.listen({ port: cfg.api.port, host: cfg.api.host });
    log.info({ url: apiUrl, dashboard: `${apiUrl}/` }, 'API and dashboard listening');
  }

  // Health: every component in one shape; the ingester's own endpoint, apart from the API (docs/metrics.md).
  const pipelineHealth = new PipelineHealth(cfg.influx.database, Date.now());
  const trackers = {
    analytics: new HealthTracker('ok', Date.now()),
    api: new HealthTracker('ok', Date.now()),
    broker: new HealthTracker('ok', Date.now()),
  };
  const snapshot = (): CloudSnapshot => {
    const now = Date.now();
    const pipelineStats = pipeline.stats();
    const a: AnalyticsRunStats | undefined = analytics
      ? { stats: analytics.stats(), ...analyticsRun }
      : undefined;
    const apiStats =
      apiUrl === undefined ? undefined : { url: apiUrl, live: live.stats(), responses: { ...responses } };
    const brokerStats = broker?.stats();
    return {
      consumer: mqttConsumer.stats(),
      ingest: handler.stats(),
      pipeline: pipelineStats,
      deadLetters: dead.stats(),
      ...(a ? { analytics: a } : {}),
      ...(apiStats ? { api: apiStats } : {}),
      ...(brokerStats ? { broker: brokerStats } : {}),
      ...(lifecycle ? { lifecycle: lifecycle.stats() } : {}),
      components: [
        mqttConsumer.health(now),
        ...pipelineHealth.report(pipelineStats, now),
        ...(a ? [analyticsHealth(a, trackers.analytics, now)] : []),
        ...(apiStats ? [apiHealth(apiStats, trackers.api, now)] : []),
        ...(brokerStats ? [brokerHealth(brokerStats, trackers.broker, now)] : []),
      ],
    };
  };
  const http = await serveHealth(cfg.http, {
    log,
    report: () => {
      const { components } = snapshot();
      return { live: true, ready: cloudReady(components), components };
    },
    metrics: () => cloudMetrics(snapshot()),
  });

  return {
    brokerUrl: broker?.url,
    apiUrl,
    httpUrl: http?.url,
    snapshot,
    async reload(next) {
      const rlog = log.child({ component: 'config-reload' });
      const d = diffCloudConfig(running, next);
      if (d.needRestart.length > 0) {
        rlog.error(
          { needRestart: d.needRestart },
          `configuration reload refused: ${d.needRestart.join(', ')} changed: only a restart applies it (systemctl restart plantpulse-cloud); nothing was changed`,
        );
        return false;
      }
      if (next.analytics && d.changed.includes('analytics')) {
        const fresh = createAnalytics(next.analytics, { log: aLog, query });
        await fresh.rebuild(Date.now(), stop.signal);
        analytics = fresh; // the message handler and the clock use it from the next message / tick
      }
      running = next;
      rlog.info(
        { changed: d.changed },
        d.changed.length > 0 ? 'configuration reloaded' : 'configuration reloaded: nothing changed',
      );
      return true;
    },
    stats: () => ({
      ingest: handler.stats(),
      spool: pipeline.stats(),
      ...(broker ? { broker: broker.stats() } : {}),
    }),
    async stop() {
      if (tick) clearInterval(tick);
      await consumer?.stop();
      stop.abort(new Error('stopping'));
      await ticking;
      await api?.close();
      await broker?.close();
      await audit.close();
      await pipeline.stop();
      await lifecycle?.stop();
      await sink.close();
      births.close();
      await http?.close();
    },
  };
}
