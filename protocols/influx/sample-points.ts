/**
 * Sample → Point for the `telemetry` and `quality` measurements (docs/architecture.md#influxdb-schema). Pure:
 * no I/O.
 */
import type { Point } from '@influxdata/influxdb-client';
import type { MetricKind } from '../metric.js';
import { checkSample, normaliseSample, type Sample } from '../sample.js';
import { buildPoint, type FieldValue, type PointProblemCode } from './point-builder.js';

export const TELEMETRY_MEASUREMENT = 'telemetry';
export const QUALITY_MEASUREMENT = 'quality';

/** Where a sample comes from: the Sparkplug group (site) and edge node, plus the device's configured tags. */
export interface PointContext {
  site: string;
  node: string;
  /** device tags from config (`devices[].tags`); `site`, `node` and `device` always win over them */
  tags?: Readonly<Record<string, string>>;
}

export interface TelemetryContext extends PointContext {
  /** the metric's kind (from config or the Sparkplug birth): integer kinds write integer fields */
  kind?: MetricKind;
}

export type SampleSkipCode =
  /** a bad sample writes no telemetry value, only its quality change: nothing is lost */
  | 'BAD_QUALITY'
  /** the sample carries no value (null): nothing is lost */
  | 'NO_VALUE'
  /** the sample itself is malformed (device id, metric name, timestamp…) */
  | 'INVALID_SAMPLE'
  /** a non-integer number for an integer metric kind */
  | 'TYPE_MISMATCH'
  | PointProblemCode;

export type SamplePointResult =
  | { ok: true; point: Point }
  | {
      ok: false;
      code: SampleSkipCode;
      reason: string;
      /** true when a value was lost: the caller must count, log and explain it */
      dropped: boolean;
    };

/** Kinds written as InfluxDB integers (`i` suffix); datetime as epoch milliseconds. */
export const INTEGER_KINDS: ReadonlySet<MetricKind> = new Set<MetricKind>([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'datetime',
]);

function skip(code: SampleSkipCode, reason: string, dropped: boolean): SamplePointResult {
  return { ok: false, code, reason, dropped };
}

function fieldValue(s: Sample, kind: MetricKind | undefined): FieldValue | SamplePointResult {
  const v = s.value;
  if (typeof v !== 'number' || kind === undefined || !INTEGER_KINDS.has(kind)) return v as FieldValue;
  if (!Number.isInteger(v)) {
    return skip(
      'TYPE_MISMATCH',
      `${s.device}.${s.metric}: ${v} is not an integer but the metric is ${kind}`,
      true,
    );
  }
  return { int: v };
}

function isResult(x: FieldValue | SamplePointResult): x is SamplePointResult {
  return typeof x === 'object' && 'ok' in x;
}

function coreTags(ctx: PointContext, s: Sample): Record<string, string> {
  return { ...ctx.tags, site: ctx.site, node: ctx.node, device: s.device };
}

/**
 * The `telemetry` point of a sample: tags site, node, device and the device tags; one field named after the
 * metric (bool, string, float, or integer for bigints and integer kinds); time = sample time in ms.
 * NaN/±Infinity are treated as a bad sample, and a bad sample writes no telemetry field.
 */
export function telemetryPoint(sample: Sample, ctx: TelemetryContext): SamplePointResult {
  const s = normaliseSample(sample);
  const problem = checkSample(s);
  if (problem) return skip('INVALID_SAMPLE', `${problem.code}: ${problem.message}`, true);
  if (s.quality === 'bad') return skip('BAD_QUALITY', 'a bad sample writes no telemetry value', false);
  if (s.value === null) return skip('NO_VALUE', `${s.device}.${s.metric} has no value`, false);
  const value = fieldValue(s, ctx.kind);
  if (isResult(value)) return value;
  const r = buildPoint({
    measurement: TELEMETRY_MEASUREMENT,
    tags: coreTags(ctx, s),
    fields: { [s.metric]: value },
    timestamp: s.timestamp,
  });
  return r.ok ? r : skip(r.code, r.reason, true);
}

/**
 * The `quality` point of a sample (write it when a metric's quality changes): tags site, node, device, metric;
 * fields `quality` (good | uncertain | bad) and, when known, `code` (e.g. the OPC UA status code).
 */
export function qualityPoint(
  sample: Sample,
  ctx: PointContext & { code?: number | bigint },
): SamplePointResult {
  const s = normaliseSample(sample);
  const problem = checkSample(s);
  if (problem && problem.code !== 'BAD_VALUE') {
    return skip('INVALID_SAMPLE', `${problem.code}: ${problem.message}`, true);
  }
  const r = buildPoint({
    measurement: QUALITY_MEASUREMENT,
    tags: { site: ctx.site, node: ctx.node, device: s.device, metric: s.metric },
    fields: {
      quality: s.quality,
      code: ctx.code === undefined ? undefined : { int: ctx.code },
    },
    timestamp: s.timestamp,
  });
  return r.ok ? r : skip(r.code, r.reason, true);
}
