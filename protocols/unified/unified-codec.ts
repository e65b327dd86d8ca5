/**
 * The plain-JSON "unified namespace" mode (docs/architecture.md#json-mode), for consumers without Sparkplug:
 *
 * - device data and status: `plantpulse/v1/{site}/{node}/{device}`
 *   `{"ts": <publish ms>, "seq": <0-255>, "metrics": [{"name", "value", "ts", "q", "historical"?}], "online"?, "reason"?}`
 *   `online: false` (with `reason`) is the device-death message; `online: true` the device-birth (last values).
 * - node status (the MQTT will, retained): `plantpulse/v1/{site}/{node}` `{"ts": <ms>, "online": <bool>}`
 *
 * `q` is `good`, `uncertain` or `bad`. JSON has no 64-bit integers: a bigint within ±2^53 is written as a number,
 * a larger one as a decimal string (the receiver cannot tell it from a string metric; use Sparkplug when that matters).
 */
import { DEVICE_ID_PATTERN, type Quality, type SampleValue } from '../sample.js';
import { UnifiedDecodeError, UnifiedTopicError } from './errors.js';

export const UNIFIED_ROOT = 'plantpulse/v1';

export interface UnifiedMetric {
  name: string;
  value: SampleValue;
  /** ms since epoch: sample time */
  ts: number;
  q: Quality;
  historical?: boolean;
}

export interface UnifiedDeviceMessage {
  ts: number;
  seq: number;
  metrics: UnifiedMetric[];
  online?: boolean;
  reason?: string;
}

export interface UnifiedNodeStatus {
  ts: number;
  online: boolean;
}

export type UnifiedTopic = { site: string; node: string; device?: string };

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

export function unifiedTopic(site: string, node: string, device?: string): string {
  return device === undefined
    ? `${UNIFIED_ROOT}/${site}/${node}`
    : `${UNIFIED_ROOT}/${site}/${node}/${device}`;
}

/** Returns the parsed topic or a `UnifiedTopicError` value; never throws. */
export function parseUnifiedTopic(topic: string): UnifiedTopic | UnifiedTopicError {
  if (typeof topic !== 'string' || !topic.startsWith(`${UNIFIED_ROOT}/`)) {
    return new UnifiedTopicError(String(topic), `topic does not start with ${UNIFIED_ROOT}/`);
  }
  const parts = topic.slice(UNIFIED_ROOT.length + 1).split('/');
  const [site = '', node = '', device] = parts;
  if (parts.length > 3 || parts.length < 2)
    return new UnifiedTopicError(topic, 'topic needs site/node[/device]');
  if (!ID.test(site) || !ID.test(node)) return new UnifiedTopicError(topic, 'site or node is not a valid id');
  if (device === undefined) return { site, node };
  if (!DEVICE_ID_PATTERN.test(device))
    return new UnifiedTopicError(topic, 'device is not [A-Za-z0-9_-]{1,64}');
  return { site, node, device };
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function jsonValue(v: SampleValue): unknown {
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

export function encodeUnifiedDevice(m: UnifiedDeviceMessage): Uint8Array {
  const out: Record<string, unknown> = {
    ts: m.ts,
    seq: m.seq,
    metrics: m.metrics.map((x) => {
      const o: Record<string, unknown> = { name: x.name, value: jsonValue(x.value), ts: x.ts, q: x.q };
      if (x.historical) o['historical'] = true;
      return o;
    }),
  };
  if (m.online !== undefined) out['online'] = m.online;
  if (m.reason !== undefined) out['reason'] = m.reason;
  return utf8.encode(JSON.stringify(out));
}

export function encodeUnifiedNodeStatus(s: UnifiedNodeStatus): Uint8Array {
  return utf8.encode(JSON.stringify({ ts: s.ts, online: s.online }));
}

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(utf8Strict.decode(bytes));
  } catch (err) {
    throw new UnifiedDecodeError('payload is not UTF-8 JSON', { cause: err });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UnifiedDecodeError('payload is not an object');
  return v as Record<string, unknown>;
}

const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && Number.isInteger(x);

/** Decodes a device message; throws `UnifiedDecodeError` (code UNS_DECODE) and nothing else. */
export function decodeUnifiedDevice(bytes: Uint8Array): UnifiedDeviceMessage {
  const o = parseJson(bytes);
  if (!isMs(o['ts'])) throw new UnifiedDecodeError('"ts" is not an integer ms timestamp');
  const seq = o['seq'];
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > 255) {
    throw new UnifiedDecodeError('"seq" is not an integer 0-255');
  }
  if (!Array.isArray(o['metrics'])) throw new UnifiedDecodeError('"metrics" is not an array');
  const metrics = (o['metrics'] as unknown[]).map((x, i): UnifiedMetric => {
    if (typeof x !== 'object' || x === null) throw new UnifiedDecodeError(`metrics[${i}] is not an object`);
    const r = x as Record<string, unknown>;
    const { name, value, ts, q } = r;
    if (typeof name !== 'string') throw new UnifiedDecodeError(`metrics[${i}].name is not a string`);
    if (!isMs(ts)) throw new UnifiedDecodeError(`metrics[${i}].ts is not an integer ms timestamp`);
    if (q !== 'good' && q !== 'uncertain' && q !== 'bad') {
      throw new UnifiedDecodeError(`metrics[${i}].q is not good, uncertain or bad`);
    }
    if (!(value === null || ['number', 'boolean', 'string'].includes(typeof value))) {
      throw new UnifiedDecodeError(`metrics[${i}].value is not a number, boolean, string or null`);
    }
    const m: UnifiedMetric = { name, value: value as SampleValue, ts, q };
    if (r['historical'] === true) m.historical = true;
    return m;
  });
  const out: UnifiedDeviceMessage = { ts: o['ts'], seq, metrics };
  if (typeof o['online'] === 'boolean') out.online = o['online'];
  if (typeof o['reason'] === 'string') out.reason = o['reason'];
  return out;
}

/** Decodes a node status message; throws `UnifiedDecodeError` and nothing else. */
export function decodeUnifiedNodeStatus(bytes: Uint8Array): UnifiedNodeStatus {
  const o = parseJson(bytes);
  if (!isMs(o['ts'])) throw new UnifiedDecodeError('"ts" is not an integer ms timestamp');
  if (typeof o['online'] !== 'boolean') throw new UnifiedDecodeError('"online" is not a boolean');
  return { ts: o['ts'], online: o['online'] };
}
