// The durable queue core shared by the agent's outbox and the ingester's spool: storage mechanics, no delivery policy.
export { DurableQueue, queueFormat } from './durable-queue.js';
export { QueueOpenError, QueueWriteError } from './errors.js';
export {
  applyFileFormat,
  type FileFormat,
  FileFormatTooNewError,
  type FormatMigration,
  fileVersion,
  hasTable,
  STAMP_FIRST_RELEASE,
} from './file-format.js';
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
