import { type StaticDecode, Type } from '@sinclair/typebox';
import { optional, Section } from '../spec.js';
import { ByteSize, Duration } from './common.js';

/** Which sample times the ingester stores, relative to its own clock when the message arrives. */
export const AcceptWindow = Section({
  maxFuture: optional(Duration, {
    description:
      'values dated further ahead of the ingester’s clock are refused (dead-lettered, counted): a gateway clock running ahead would otherwise show its values as the latest for that long',
    default: '5m',
  }),
  maxAge: optional(Duration, {
    description:
      'values dated further back are refused (dead-lettered, counted): a gateway clock reset to 1970; keep it at most the database’s retention, and above the longest outage an agent’s outbox bridges',
    default: '366d',
  }),
});
export type AcceptWindow = StaticDecode<typeof AcceptWindow>;

export const DeadLetterSettings = Section({
  maxFileBytes: optional(ByteSize, {
    description: 'dead-letter.jsonl is rotated (to dead-letter.1.jsonl, …) before it grows past this',
    default: '64MiB',
  }),
  maxFiles: optional(Type.Integer({ minimum: 1, maximum: 1000 }), {
    description:
      'rotated files kept besides the current one; the oldest is deleted (counted, logged): the dead letters never take more than (maxFiles + 1) × maxFileBytes',
    default: 4,
    unit: 'files',
  }),
});
export type DeadLetterSettings = StaticDecode<typeof DeadLetterSettings>;

export const WarningLimit = Section({
  max: optional(Type.Integer({ minimum: 1 }), {
    description: 'warnings logged per problem code per window; the next one says how many were left out',
    default: 10,
    unit: 'lines',
  }),
  window: optional(Duration, { description: 'the window warnings are counted in', default: '1m' }),
});
export type WarningLimit = StaticDecode<typeof WarningLimit>;

/** What the ingester accepts from the gateways, and how much it keeps (README "Security / Ingester"). */
export const IngestSettings = Section({
  acceptWindow: optional(AcceptWindow, { description: 'accepted sample times', default: {} }),
  maxDevicesPerNode: optional(Type.Integer({ minimum: 1 }), {
    description:
      'devices one edge node may announce; births of more are refused (dead-lettered, counted), the known ones keep working',
    default: 1000,
    unit: 'devices',
  }),
  maxMetricsPerDevice: optional(Type.Integer({ minimum: 1 }), {
    description:
      'metrics one device (or a node itself) may have; more in a birth or new names in JSON mode are refused (dead-lettered, counted)',
    default: 2000,
    unit: 'metrics',
  }),
  deadLetter: optional(DeadLetterSettings, { description: 'the dead-letter file’s size cap', default: {} }),
  warnings: optional(WarningLimit, {
    description: 'rate limit of the ingester’s warnings about bad messages (every one is still counted)',
    default: {},
  }),
});
export type IngestSettings = StaticDecode<typeof IngestSettings>;
