/**
 * Device tags carried by a Sparkplug DBIRTH. The agent sends each configured device tag (`devices[].tags`) as a
 * String metric `Properties/<key>` of the device's birth, never in DDATA — the spec's own convention
 * (`Properties/Hardware Make` in its NBIRTH example, followed by Tahu and Ignition). The host turns them into
 * `BirthInfo.tags`, which become InfluxDB tags of the device's `telemetry` points. Pure: no I/O.
 *
 * A tag key must be `[A-Za-z_][A-Za-z0-9_]{0,63}` (config/schemas/common.ts `Tags`), not one of the point's own tags
 * (`site`, `node`, `device`) and not a key InfluxDB reserves; values are sanitised (`sanitiseTag`). A property that
 * fails is reported (BAD_PROPERTY) and left out; the birth and its metrics are kept.
 */
import { RESERVED_KEYS, sanitiseTag } from '../../protocols/influx/index.js';
import { DataType, type SpbMetric } from '../../protocols/sparkplug/index.js';

export const PROPERTIES_PREFIX = 'Properties/';

const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** tags every telemetry point has already; they always win */
const CORE_TAGS: ReadonlySet<string> = new Set(['site', 'node', 'device']);

/** True for a birth metric that is a device tag: named `Properties/…` with a String or Text datatype. */
export function isTagProperty(m: Pick<SpbMetric, 'name' | 'datatype'>): boolean {
  return (
    m.name?.startsWith(PROPERTIES_PREFIX) === true &&
    (m.datatype === DataType.String || m.datatype === DataType.Text)
  );
}

export interface BirthTags {
  tags: Record<string, string>;
  /** why a property was left out, one line each */
  rejected: string[];
}

/** The device tags of a birth's metrics (only those `isTagProperty` accepts). */
export function tagsFromBirth(metrics: readonly SpbMetric[]): BirthTags {
  const tags: Record<string, string> = {};
  const rejected: string[] = [];
  for (const m of metrics) {
    if (!isTagProperty(m) || m.name === undefined) continue;
    const key = m.name.slice(PROPERTIES_PREFIX.length);
    const why = keyProblem(key) ?? valueProblem(m);
    if (why !== undefined) {
      rejected.push(`${m.name}: ${why}`);
      continue;
    }
    const value = sanitiseTag(m.value as string);
    if (value === undefined) rejected.push(`${m.name}: empty after sanitising`);
    else tags[key] = value;
  }
  return { tags, rejected };
}

function keyProblem(key: string): string | undefined {
  if (!TAG_KEY.test(key)) return 'tag key is not [A-Za-z_][A-Za-z0-9_]{0,63}';
  if (CORE_TAGS.has(key)) return `${key} is set by the host, not by a device`;
  if (RESERVED_KEYS.has(key)) return `${key} is reserved by InfluxDB`;
  return undefined;
}

function valueProblem(m: SpbMetric): string | undefined {
  if (m.isNull || m.value === null) return 'no value';
  if (typeof m.value !== 'string') return 'value is not a string';
  return undefined;
}

/**
 * An NBIRTH's `Properties/<name>` String metrics as they are (names may hold spaces: `Config Hash`), each value
 * sanitised like a tag value: the gateway's facts for the fleet view (version, start time, configuration hash).
 */
export function nodePropertiesFromBirth(metrics: readonly SpbMetric[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of metrics) {
    if (!isTagProperty(m) || m.name === undefined || typeof m.value !== 'string') continue;
    const value = sanitiseTag(m.value);
    if (value !== undefined) out[m.name.slice(PROPERTIES_PREFIX.length).slice(0, 64)] = value;
  }
  return out;
}
