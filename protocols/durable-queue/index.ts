// The durable queue core shared by the agent's outbox and the ingester's spool: storage mechanics, no delivery policy.
export { DurableQueue } from './durable-queue.js';
export { QueueOpenError, QueueWriteError } from './errors.js';
export type {
  DurableQueueOptions,
  DurableQueueStats,
  PayloadColumns,
  QueueSync,
  QueueTable,
  RowMeta,
  SqlValue,
} from './queue-types.js';
export { DamagedFileError, isDamage, isDiskFull, openSqliteFile, type Recovery } from './sqlite-file.js';
