import type { DurableQueueStats } from '../../protocols/durable-queue/index.js';
import type { Sample } from '../../protocols/sample.js';

/** One batch of one device's samples, as stored before publishing. Samples are stored unencoded: Sparkplug seq and
 * aliases are assigned at publish time, so a replay carries the current session's numbering. */
export interface OutboxEntry {
  id: number;
  device: string;
  samples: Sample[];
  /** ms since epoch when the batch was appended */
  createdAt: number;
  bytes: number;
}

export interface OutboxStats {
  messages: number;
  bytes: number;
  /** age of the oldest entry in ms, 0 when empty */
  oldestAgeMs: number;
  /** entries dropped because the outbox was full (oldest first) */
  dropped: number;
  droppedSamples: number;
  /**
   * dropped batches whose PUBACK arrived anyway (they were in flight when dropped): the loss is
   * `droppedSamples − droppedDeliveredSamples`
   */
  droppedDelivered: number;
  droppedDeliveredSamples: number;
  /** entries published after having waited for a reconnect */
  replayed: number;
  appended: number;
  acked: number;
  /** batches that could not be stored at all (disk full, I/O error): counted and logged by the caller */
  storeFailures: number;
  droppedCorrupt: number;
  /** the durable queue under a durable outbox: file and WAL size, recoveries, checkpoints (absent in memory) */
  storage?: DurableQueueStats;
}

/** What the outbox tells its owner about each batch it dropped to stay within its byte bound. */
export interface OutboxDrop {
  id: number;
  device: string;
  samples: number;
  bytes: number;
  createdAt: number;
  reason: 'full' | 'corrupt';
}

/**
 * The contract every outbox implementation honours (tests/unit/outbox runs one suite against all of them):
 * FIFO; bounded by bytes (overflow drops the oldest, counted); `append` returns only once the entry is as durable as
 * the implementation promises; an entry leaves only through `ack` (or a counted drop). Ids only grow.
 */
export interface Outbox {
  readonly kind: string;
  /**
   * Stores one batch; when it returns the batch is as durable as the implementation promises. Returns undefined
   * when the batch could not be stored (counted in `storeFailures`), never throws for that.
   */
  append(device: string, samples: Sample[], now: number): OutboxEntry | undefined;
  /** up to `limit` entries with id > afterId, oldest first */
  peekAfter(afterId: number, limit: number): OutboxEntry[];
  ack(id: number): void;
  /** whether any entry of `device` waits (a device removed by a reload leaves once none does) */
  holds(device: string): boolean;
  /** the id of the newest entry ever appended (0 when none) */
  lastId(): number;
  markReplayed(count: number): void;
  stats(now: number): OutboxStats;
  close(): Promise<void>;
}

/** Rough serialized size of a batch, the unit of the byte bound. */
export function batchBytes(device: string, samples: readonly Sample[]): number {
  let n = device.length + 16;
  for (const s of samples) {
    n += s.metric.length + 24;
    n += typeof s.value === 'string' ? s.value.length : 8;
  }
  return n;
}
