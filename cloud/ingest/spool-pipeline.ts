import { join } from 'node:path';
import type { Logger } from '../../config/logging.js';
import type { InfluxTarget } from '../../config/schemas/influx.js';
import { queryInfluxQLSeries } from '../../protocols/influx/influxql-query.js';
import type { InfluxSink } from '../sink/index.js';
import type { LineBlock } from '../sink/line-block.js';
import type { DeadLetterFile } from './dead-letter.js';
import { FieldTypeRegistry, isFieldType } from './field-types.js';
import { RetryingWriter } from './retrying-writer.js';
import { Spool, type SpoolStats, type SpoolSync } from './spool.js';
import { SpoolDrainer, type SpoolDrainerStats } from './spool-drainer.js';
import { SpoolWriter, type SpoolWriterStats } from './spool-writer.js';

export const SPOOL_FILE = 'spool.db';

/** Sizes and timings come resolved from the config (spool.*, influx.batchSize/flushInterval; their defaults there). */
export interface SpoolPipelineOptions {
  dataDir: string;
  maxBytes: number;
  sync?: SpoolSync;
  batchLines: number;
  flushIntervalMs: number;
  /** write without waiting for the interval once no message has been spooled for this long (SpoolDrainer) */
  idleFlushMs?: number;
  influx: InfluxTarget;
  sink: InfluxSink;
  dead: DeadLetterFile;
  log: Logger;
  /** told of every batch InfluxDB has stored (telemetry roll-ups) */
  onWritten?: (blocks: readonly LineBlock[]) => void;
}

export interface SpoolPipelineStats {
  spool: SpoolStats;
  intake: SpoolWriterStats;
  drain: SpoolDrainerStats;
  writer: ReturnType<RetryingWriter['stats']>;
  fieldTypes: number;
}

export interface SpoolPipeline {
  /** give this to the message handler: resolves once a message's points are spooled */
  readonly writer: SpoolWriter;
  readonly spool: Spool;
  readonly types: FieldTypeRegistry;
  readonly drainer: SpoolDrainer;
  start(): void;
  /** settles once the field types were read from InfluxDB at start (or that failed; the registry then learns) */
  readonly seeded: Promise<void>;
  stats(): SpoolPipelineStats;
  /**
   * Gives the drainer `drainMs` (default 2 s) to write what is spooled, then stops it (what is left stays on disk
   * for the next start) and closes the spool.
   */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

/**
 * message handler → SpoolWriter (type registry, back-pressure) → Spool (SQLite WAL) → SpoolDrainer (batches) →
 * RetryingWriter (Retry-After, backoff, dead letters) → InfluxSink. Opens the spool file (synchronous I/O).
 */
export function openSpoolPipeline(o: SpoolPipelineOptions): SpoolPipeline {
  const spool = Spool.open({
    file: join(o.dataDir, SPOOL_FILE),
    maxBytes: o.maxBytes,
    log: o.log.child({ component: 'spool' }),
    ...(o.sync === undefined ? {} : { sync: o.sync }),
  });
  const types = new FieldTypeRegistry(spool);
  const writerLog = o.log.child({ component: 'writer' });
  const writer = new RetryingWriter(o.sink, o.dead, writerLog, {
    onRejected: (rejected) => {
      for (const r of rejected) types.learnFromServer(r.reason);
    },
  });
  const intake = new SpoolWriter({
    spool,
    types,
    dead: o.dead,
    direct: writer,
    log: o.log.child({ component: 'spool-intake' }),
  });
  const drainer = new SpoolDrainer({
    spool,
    writer,
    dead: o.dead,
    log: o.log.child({ component: 'spool-drain' }),
    batchLines: o.batchLines,
    flushIntervalMs: o.flushIntervalMs,
    ...(o.idleFlushMs === undefined ? {} : { idleFlushMs: o.idleFlushMs }),
    ...(o.onWritten ? { onWritten: o.onWritten } : {}),
  });
  const seedAbort = new AbortController();
  let seededDone!: () => void;
  const seeded = new Promise<void>((r) => {
    seededDone = r;
  });
  return {
    seeded,
    writer: intake,
    spool,
    types,
    drainer,
    start() {
      drainer.start();
      seedFieldTypes(o.influx, types, seedAbort.signal)
        .catch((err: unknown) =>
          o.log.debug(
            { err: (err as Error).message },
            'field types not read from InfluxDB; learning as data comes',
          ),
        )
        .finally(seededDone);
    },
    stats: () => ({
      spool: spool.stats(),
      intake: intake.stats(),
      drain: drainer.stats(),
      writer: writer.stats(),
      fieldTypes: types.size,
    }),
    async stop(opts = {}) {
      seedAbort.abort();
      await drainer.drained(AbortSignal.timeout(opts.drainMs ?? 2000)).catch(() => undefined);
      await drainer.stop();
      await spool.close();
    },
  };
}

/** What InfluxDB already holds wins: `SHOW FIELD KEYS` seeds the registry (best effort). */
async function seedFieldTypes(
  target: InfluxTarget,
  types: FieldTypeRegistry,
  signal: AbortSignal,
): Promise<void> {
  const auth =
    target.token !== undefined
      ? { token: target.token }
      : target.username !== undefined
        ? { username: target.username, password: target.password ?? '' }
        : undefined;
  const statements = await queryInfluxQLSeries(target.url, {
    q: 'SHOW FIELD KEYS',
    db: target.database,
    signal,
    timeoutMs: 10_000,
    ...(auth ? { auth } : {}),
  });
  for (const series of statements) {
    for (const s of series) {
      if (!s.name) continue;
      for (const row of s.rows) {
        const field = row['fieldKey'];
        const type = row['fieldType'];
        if (typeof field === 'string' && typeof type === 'string' && isFieldType(type))
          types.set(s.name, field, type);
      }
    }
  }
}
