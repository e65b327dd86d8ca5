/** Sparkplug B 3.0: payload codec, topic namespace and the mapping to our Sample/MetricInfo records. */
export type { Result } from './array-codec.js';
export { SparkplugDecodeError, SparkplugEncodeError, SparkplugTopicError } from './errors.js';
export * from './metric-mapping.js';
export * from './outbox-metrics.js';
export { decodePayload, encodePayload } from './payload-codec.js';
export * from './topic.js';
export * from './types.js';
export { retypeValue } from './values.js';
