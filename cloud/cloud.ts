import { join, resolve } from 'node:path';
import type { Logger } from '../config/logging.js';
import type { CloudConfig } from '../config/schemas/cloud.js';
import { toBytes, toMs } from '../config/schemas/common.js';
import { type RunningBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
import { HostApplication } from './host/host-application.js';
import { DeadLetterFile } from './ingest/dead-letter.js';
import { createMessageHandler, type IngestStats } from './ingest/message-handler.js';
import { MqttConsumer } from './ingest/mqtt-consumer.js';
import { HostPointMapper } from './ingest/points-from-host.js';
import { openSpoolPipeline, type SpoolPipelineStats } from './ingest/spool-pipeline.js';
import { createInfluxSink } from './sink/index.js';

export interface RunningCloud {
  brokerUrl: string | undefined;
  stats(): { ingest: IngestStats; spool: SpoolPipelineStats; broker?: ReturnType<RunningBroker['stats']> };
  stop(): Promise<void>;
}

export const DEFAULT_HOST_ID = 'plantpulse-cloud';

/**
 * The cloud process: the embedded broker (optional), the Sparkplug host + ingester writing to InfluxDB.
 * Stop order: stop consuming (unacknowledged messages stay with the broker), then the broker, then the spool
 * drainer (what is not yet in InfluxDB stays in the spool for the next start), then the sink.
 */
export async function startCloud(cfg: CloudConfig, log: Logger): Promise<RunningCloud> {
  const dataDir = resolve(cfg.spool?.path ?? '.plantpulse');
  const broker = cfg.broker
    ? await startEmbeddedBroker(cfg.broker, log.child({ component: 'broker' }))
    : undefined;
  const url = cfg.mqtt.url ?? broker?.url;
  if (!url) throw new Error('mqtt.url is required when no embedded broker is configured');

  const sink = createInfluxSink(cfg.influx, log.child({ component: 'sink' }));
  const sinkLog = log.child({ component: 'sink' });
  sink
    .ensureDatabase()
    .catch((err: unknown) =>
      sinkLog.warn({ err: (err as Error).message }, 'InfluxDB not ready at start; writes will retry'),
    );
  const dead = new DeadLetterFile(
    join(dataDir, 'dead-letter.jsonl'),
    log.child({ component: 'dead-letter' }),
  );
  // A message is acknowledged once its points are committed to the ingester's disk spool; the spool drains to
  // InfluxDB in batches (docs/delivery.md).
  const pipeline = openSpoolPipeline({
    dataDir,
    influx: cfg.influx,
    sink,
    dead,
    log,
    ...(cfg.spool?.maxBytes === undefined ? {} : { maxBytes: toBytes(cfg.spool.maxBytes) }),
    ...(cfg.spool?.sync === undefined ? {} : { sync: cfg.spool.sync }),
    ...(cfg.influx.batchSize === undefined ? {} : { batchLines: cfg.influx.batchSize }),
    ...(cfg.influx.flushInterval === undefined ? {} : { flushIntervalMs: toMs(cfg.influx.flushInterval) }),
  });
  pipeline.start();
  const hostId = cfg.mqtt.hostId ?? DEFAULT_HOST_ID;
  const host = new HostApplication({ hostId, format: cfg.mqtt.format ?? 'sparkplug' });
  const mapper = new HostPointMapper();

  let consumer: MqttConsumer | undefined;
  const handler = createMessageHandler({
    host,
    mapper,
    writer: pipeline.writer,
    dead,
    log: log.child({ component: 'ingest' }),
    command: (msg) => consumer?.publish(msg) ?? Promise.reject(new Error('not connected')),
  });
  consumer = new MqttConsumer(
    { ...cfg.mqtt, url, clientId: cfg.mqtt.clientId ?? `plantpulse-ingest-${hostId}` },
    {
      will: () => host.willMessage(),
      online: () => host.onlineMessage(),
      subscriptions: () => host.subscriptions(),
      handle: handler.handle,
    },
    log.child({ component: 'mqtt' }),
  );
  consumer.start();

  return {
    brokerUrl: broker?.url,
    stats: () => ({
      ingest: handler.stats(),
      spool: pipeline.stats(),
      ...(broker ? { broker: broker.stats() } : {}),
    }),
    async stop() {
      await consumer?.stop();
      await broker?.close();
      await pipeline.stop();
      await sink.close();
    },
  };
}
