/**
 * What a metric is, independent of the wire: births (Sparkplug NBIRTH/DBIRTH), the InfluxDB field-type registry and
 * the API all read this. Pure: no imports of ours.
 */
export const METRIC_KINDS = [
  'boolean',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float',
  'double',
  'string',
  'datetime',
] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

export interface MetricInfo {
  name: string;
  kind: MetricKind;
  /** engineering unit, e.g. kW, A, °C */
  unit?: string;
  /** computed at the edge (virtual sensor), not read from the device */
  derived?: boolean;
  description?: string;
}
