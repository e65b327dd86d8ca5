import { join } from 'node:path';
import type { Logger } from '../../config/logging.js';
import { MemoryOutbox } from './memory-outbox.js';
import type { Outbox, OutboxDrop } from './outbox.js';
import { type OutboxSync, SqliteOutbox } from './sqlite-outbox.js';

export const OUTBOX_FILE = 'outbox.db';

export interface OpenOutboxOptions {
  /** the agent's state directory (the outbox is `<dir>/outbox.db`), or `:memory:` for a non-durable outbox */
  path: string;
  maxBytes: number;
  sync?: OutboxSync;
  log: Logger;
  onDrop: (drop: OutboxDrop) => void;
}

/** The outbox a configuration asks for: durable SQLite by default, memory only when asked for by name. */
export function openOutbox(o: OpenOutboxOptions): Outbox {
  if (o.path === ':memory:') {
    o.log.warn('outbox in memory: batches waiting for the broker are lost on restart');
    return new MemoryOutbox(o.maxBytes, o.onDrop);
  }
  return SqliteOutbox.open({
    file: join(o.path, OUTBOX_FILE),
    maxBytes: o.maxBytes,
    log: o.log,
    onDrop: o.onDrop,
    ...(o.sync === undefined ? {} : { sync: o.sync }),
  });
}
