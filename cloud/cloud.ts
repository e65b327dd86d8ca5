import { join, resolve } from 'node:path';
import type { Logger } from '../config/logging.js';
import type { CloudConfig } from '../config/schemas/cloud.js';
import { type RunningBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
import { HostApplication } from './host/host-application.js';
import { DeadLetterFile } from './ingest/dead-letter.js';
import { createMessageHandler, type IngestStats } from './ingest/message-handler.js';
import { MqttConsumer } from './ingest/mqtt-consumer.js';
import { HostPointMapper } from './ingest/points-from-host.js';
import { RetryingWriter, type WriterStats } from './ingest/retrying-writer.js';
import { createInfluxSink } from './sink/index.js';

export interface RunningCloud {
  brokerUrl: string | undefined;
  stats(): { ingest: IngestStats; writer: WriterStats; broker?: ReturnType<RunningBroker['stats']> };
  stop(): Promise<void>;
}

export const DEFAULT_HOST_ID = 'plantpulse-cloud';

/**
 * The cloud process: the embedded broker (optional), the Sparkplug host + ingester writing to InfluxDB.
 * Stop order: stop consuming (unacknowledged messages stay with the broker), then the broker, then the sink.
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
  const writer = new RetryingWriter(sink, dead, log.child({ component: 'writer' }));
  const hostId = cfg.mqtt.hostId ?? DEFAULT_HOST_ID;
  const host = new HostApplication({ hostId, format: cfg.mqtt.format ?? 'sparkplug' });
  const mapper = new HostPointMapper();

  let consumer: MqttConsumer | undefined;
  const handler = createMessageHandler({
    host,
    mapper,
    writer,
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
      writer: writer.stats(),
      ...(broker ? { broker: broker.stats() } : {}),
    }),
    async stop() {
      await consumer?.stop();
      await broker?.close();
      await sink.close();
    },
  };
}
