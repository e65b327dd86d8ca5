import { type StaticDecode, Type } from '@sinclair/typebox';
import { ByteSize } from '../../config/schemas/common.js';
import { optional, Section } from '../../config/spec.js';

/** The agent's state directory and durable outbox (`outbox:`, docs/delivery.md). */
export const OutboxSettings = Section({
  path: optional(Type.String({ minLength: 1 }), {
    description:
      'state dir: outbox.db, the Sparkplug bdSeq, derived totals, the OPC UA PKI; `:memory:` keeps nothing on disk',
    default: '.plantpulse-agent',
  }),
  maxBytes: optional(ByteSize, {
    description: 'the outbox’s bound; on overflow the oldest batches are dropped, counted and logged',
    default: '256MiB',
  }),
  replayRate: optional(Type.Number({ minimum: 1 }), {
    description: 'replay rate of the backlog after an outage (live data goes first)',
    unit: 'messages/s',
    default: 200,
  }),
  sync: optional(Type.Union([Type.Literal('full'), Type.Literal('normal')]), {
    description: 'full: fsync before a batch counts as stored; normal: fsync about every second',
    default: 'full',
  }),
});
export type OutboxSettings = StaticDecode<typeof OutboxSettings>;
