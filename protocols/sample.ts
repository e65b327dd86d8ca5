/**
 * The one record that flows through every stage (docs/architecture.md#the-sample-record).
 * Pure: no imports of ours, no I/O.
 */
export type SampleValue = number | boolean | string | bigint | null;
export type Quality = 'good' | 'uncertain' | 'bad';

export interface Sample {
  /** device id from config, [A-Za-z0-9_-]{1,64} */
  device: string;
  /** metric name, [A-Za-z0-9_]{1,64} */
  metric: string;
  value: SampleValue;
  /** ms since epoch: source time (device / OPC UA sourceTimestamp / poll time) */
  timestamp: number;
  quality: Quality;
  /**
   * the protocol status behind `quality` when the device gives one (OPC UA StatusCode, 32-bit), kept for the
   * `quality` measurement's `code` field; absent means "no detail"
   */
  qualityCode?: number;
  /** replayed from the outbox or backfilled */
  historical?: boolean;
}

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const METRIC_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
/** InfluxDB's representable range, in ms (1677-09-21 … 2262-04-11). */
export const MIN_TIMESTAMP_MS = -9_223_372_036_854;
export const MAX_TIMESTAMP_MS = 9_223_372_036_854;

export type SampleProblem =
  | { code: 'BAD_DEVICE'; message: string }
  | { code: 'BAD_METRIC'; message: string }
  | { code: 'BAD_TIMESTAMP'; message: string }
  | { code: 'BAD_VALUE'; message: string }
  | { code: 'BAD_QUALITY'; message: string };

/**
 * Checks a sample's shape. Returns the problem as a value (not an exception) so a caller can count and
 * dead-letter it without a try/catch on the hot path.
 */
export function checkSample(s: Sample): SampleProblem | undefined {
  return checkSampleNames(s) ?? checkSampleData(s);
}

/** The device id and metric name of `checkSample` (a caller that checked them once per device may skip this). */
function checkSampleNames(s: Pick<Sample, 'device' | 'metric'>): SampleProblem | undefined {
  if (typeof s.device !== 'string' || !DEVICE_ID_PATTERN.test(s.device)) {
    return {
      code: 'BAD_DEVICE',
      message: `device id ${JSON.stringify(s.device)} is not [A-Za-z0-9_-]{1,64}`,
    };
  }
  if (typeof s.metric !== 'string' || !METRIC_NAME_PATTERN.test(s.metric)) {
    return {
      code: 'BAD_METRIC',
      message: `metric name ${JSON.stringify(s.metric)} is not [A-Za-z0-9_]{1,64}`,
    };
  }
  return undefined;
}

/** The rest of `checkSample`: timestamp, quality and value. */
export function checkSampleData(s: Sample): SampleProblem | undefined {
  return sampleDataProblem(s.value, s.timestamp, s.quality);
}

/** `checkSampleData` of the parts, for a caller that holds a sample as columns (no object per value) */
export function sampleDataProblem(
  v: unknown,
  timestamp: number,
  quality: Quality,
): SampleProblem | undefined {
  if (!Number.isFinite(timestamp) || timestamp < MIN_TIMESTAMP_MS || timestamp > MAX_TIMESTAMP_MS) {
    return { code: 'BAD_TIMESTAMP', message: `timestamp ${String(timestamp)} is outside InfluxDB's range` };
  }
  if (quality !== 'good' && quality !== 'uncertain' && quality !== 'bad') {
    return {
      code: 'BAD_QUALITY',
      message: `quality ${JSON.stringify(quality)} is not good, uncertain or bad`,
    };
  }
  const t = typeof v;
  if (!(v === null || t === 'number' || t === 'boolean' || t === 'string' || t === 'bigint')) {
    return {
      code: 'BAD_VALUE',
      message: `value of type ${t} is not number, boolean, string, bigint or null`,
    };
  }
  if (t === 'number' && !Number.isFinite(v as number) && quality !== 'bad') {
    return {
      code: 'BAD_VALUE',
      message: `value ${String(v)} is not finite; such a sample must be marked bad`,
    };
  }
  return undefined;
}

/**
 * A non-finite number can never be stored as a float: mark such a sample bad
 * (docs/architecture.md#sanitising).
 */
export function normaliseSample(s: Sample): Sample {
  if (typeof s.value === 'number' && !Number.isFinite(s.value)) {
    return { ...s, value: null, quality: 'bad' };
  }
  return s;
}
