// Sample → Point mapping, sanitising, the v1 write transport and InfluxQL reads
// (docs/architecture.md#influxdb-schema).
export { InfluxConnectionError, InfluxQueryError, type InfluxQueryErrorCode } from './errors.js';
export { detectFlavour, flavourOf, type InfluxFlavour } from './flavour.js';
export {
  type InfluxAuth,
  type InfluxQLOptions,
  type InfluxRow,
  type InfluxSeries,
  type InfluxValue,
  queryInfluxQL,
  queryInfluxQLSeries,
} from './influxql-query.js';
export { parseJsonWithBigInts } from './json-bigint.js';
export {
  buildPoint,
  type FieldValue,
  INT64_MAX,
  INT64_MIN,
  type IntegerValue,
  type PointProblemCode,
  type PointResult,
  type PointSpec,
} from './point-builder.js';
export {
  type PointContext,
  QUALITY_MEASUREMENT,
  qualityPoint,
  type SamplePointResult,
  type SampleSkipCode,
  TELEMETRY_MEASUREMENT,
  type TelemetryContext,
  telemetryPoint,
} from './sample-points.js';
export { keyProblem, RESERVED_KEYS, sanitiseStringField, sanitiseTag, wellFormed } from './sanitise.js';
export { basicAuth, createV1WriteTransport, type V1TransportOptions, v1WritePath } from './v1-transport.js';
