/**
 * Every durable queue built on protocols/durable-queue, behind one small test-facing shape, so that one contract suite
 * (queue-contract.ts) and one child process (queue-writer-child.ts) run over each of them — aedes-persistence's
 * abstract.js / MQTT.js abstract_store style. No vitest here: the child process imports it from dist/.
 */
import { join } from 'node:path';
import { SqliteOutbox } from '../../../agent/outbox/sqlite-outbox.js';
import { Spool } from '../../../cloud/ingest/spool.js';
import type { Logger } from '../../../config/logging.js';
import type { DurableQueueStats, QueueSync } from '../../../protocols/durable-queue/index.js';
import type { Sample } from '../../../protocols/sample.js';

/** What happens at the byte bound: each queue's own policy, counted in its own terms. */
export type Overflow =
  | {
      policy: 'drop-oldest';
      /** entries and items dropped to stay within the bound (persisted) */
      dropped(): { entries: number; items: number };
    }
  | {
      policy: 'back-pressure';
      full(): boolean;
      /** resolves once there is room again */
      waitForRoom(signal: AbortSignal): Promise<void>;
      waits(): number;
    };

export interface QueueUnderTest {
  /** stores entry `i` (its content derives from `i`, with `pad` more bytes); its id, undefined when not stored */
  append(i: number, now: number, pad?: number): number | undefined;
  /** the `i` of the oldest `limit` entries held, oldest first, without taking them */
  read(limit: number): number[];
  /** the consumer is done with the oldest `n` entries (outbox: their PUBACKs; spool: written to InfluxDB) */
  take(n: number): void;
  storage(now: number): DurableQueueStats;
  overflow: Overflow;
  close(): Promise<void>;
}

export interface OpenQueue {
  dir: string;
  maxBytes: number;
  sync: QueueSync;
  log: Logger;
}

export interface QueueKind {
  name: string;
  /** the file in the state directory (unchanged since the first release: installations keep their data) */
  fileName: string;
  /** the table of its rows in that file */
  table: string;
  open(o: OpenQueue): QueueUnderTest;
}

export const T0 = 1_767_225_600_000;

function seqOf(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new Error(`not an entry of the contract: ${String(v)}`);
  return v;
}

const outbox: QueueKind = {
  name: 'outbox',
  fileName: 'outbox.db',
  table: 'entries',
  open(o) {
    const box = SqliteOutbox.open({
      file: join(o.dir, 'outbox.db'),
      maxBytes: o.maxBytes,
      sync: o.sync,
      log: o.log,
    });
    return {
      append(i, now, pad = 0) {
        const samples: Sample[] = [
          { device: 'd', metric: 'seq', value: i, timestamp: T0 + i, quality: 'good' },
        ];
        if (pad > 0)
          samples.push({
            device: 'd',
            metric: 'pad',
            value: 'x'.repeat(pad),
            timestamp: T0 + i,
            quality: 'good',
          });
        return box.append('d', samples, now)?.id;
      },
      read: (limit) => box.peekAfter(0, limit).map((e) => seqOf(e.samples[0]?.value)),
      take(n) {
        for (const e of box.peekAfter(0, n)) box.ack(e.id);
      },
      storage(now) {
        const s = box.stats(now).storage;
        if (!s) throw new Error('a SqliteOutbox reports its storage');
        return s;
      },
      overflow: {
        policy: 'drop-oldest',
        dropped: () => {
          const s = box.stats(0);
          return { entries: s.dropped, items: s.droppedSamples };
        },
      },
      close: () => box.close(),
    };
  },
};

const spool: QueueKind = {
  name: 'spool',
  fileName: 'spool.db',
  table: 'lines',
  open(o) {
    let clock = T0;
    const sp = Spool.open({
      file: join(o.dir, 'spool.db'),
      maxBytes: o.maxBytes,
      sync: o.sync,
      log: o.log,
      clock: () => clock,
    });
    return {
      append(i, now, pad = 0) {
        clock = now;
        const fields = pad > 0 ? `seq=${i}i,pad="${'x'.repeat(pad)}"` : `seq=${i}i`;
        return sp.append({ text: `telemetry,device=d ${fields} ${T0 + i}`, lines: 1 });
      },
      read: (limit) =>
        (sp.peek(limit)?.blocks ?? []).map((l) => seqOf(Number(/seq=(\d+)i/.exec(l.text)?.[1]))),
      take(n) {
        const batch = sp.peek(n);
        if (batch) sp.remove(batch.upToId);
      },
      storage(now) {
        clock = now;
        return sp.stats().storage;
      },
      overflow: {
        policy: 'back-pressure',
        full: () => sp.full,
        waitForRoom: (signal) => sp.waitForRoom(signal),
        waits: () => sp.stats().waits,
      },
      close: () => sp.close(),
    };
  },
};

/** The registry the contract runs over: add a queue here and it runs the whole suite. */
export const queueKinds = { outbox, spool } satisfies Record<string, QueueKind>;
export type QueueKindName = keyof typeof queueKinds;
