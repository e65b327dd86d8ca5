// The InfluxDB sink of the ingester: write → { accepted, rejected }, never retries itself.
export { classifyWriteError, parseRetryAfter, type WriteErrorDecision } from './classify-write-error.js';
export {
  createInfluxSink,
  type InfluxSink,
  type InfluxSinkOptions,
  type RejectedLine,
  type WriteOutcome,
} from './influx-sink.js';
export { type LineBlock, splitBlocks } from './line-block.js';
export { SinkError, type SinkErrorCode } from './sink-error.js';
