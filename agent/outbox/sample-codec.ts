import { PlantpulseError } from '../../protocols/errors.js';
import type { Quality, Sample, SampleValue } from '../../protocols/sample.js';

/**
 * The outbox's on-disk form of one batch of one device's samples: a JSON array of compact tuples
 * `[metric, timestamp, quality, kind, value, qualityCode?, historical?]`. Lossless for every `SampleValue`,
 * including bigint (as a decimal string) and the non-finite numbers a bad sample may carry (JSON has neither).
 */
type Kind = 'n' | 'f' | 'b' | 's' | 'i' | 'z';
type Tuple = [string, number, 'g' | 'u' | 'b', Kind, number | string | boolean | null, (number | null)?, 1?];

const Q_OUT = { good: 'g', uncertain: 'u', bad: 'b' } as const;
const Q_IN: Record<string, Quality> = { g: 'good', u: 'uncertain', b: 'bad' };

function encodeValue(v: SampleValue): [Kind, number | string | boolean | null] {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? ['n', v] : ['f', String(v)];
    case 'boolean':
      return ['b', v];
    case 'string':
      return ['s', v];
    case 'bigint':
      return ['i', v.toString()];
    default:
      return ['z', null];
  }
}

export function encodeSamples(samples: readonly Sample[]): string {
  const out: Tuple[] = [];
  for (const s of samples) {
    const [kind, value] = encodeValue(s.value);
    const t: Tuple = [s.metric, s.timestamp, Q_OUT[s.quality], kind, value];
    if (s.qualityCode !== undefined || s.historical) t.push(s.qualityCode ?? null);
    if (s.historical) t.push(1);
    out.push(t);
  }
  return JSON.stringify(out);
}

/** A stored batch that cannot be read back (a damaged row): code OUTBOX_ROW_UNREADABLE. */
export class SampleDecodeError extends PlantpulseError {
  constructor(message: string) {
    super('OUTBOX_ROW_UNREADABLE', message);
  }
}

function decodeValue(kind: unknown, v: unknown): SampleValue {
  switch (kind) {
    case 'n':
      if (typeof v === 'number') return v;
      break;
    case 'f':
      if (typeof v === 'string') return Number(v);
      break;
    case 'b':
      if (typeof v === 'boolean') return v;
      break;
    case 's':
      if (typeof v === 'string') return v;
      break;
    case 'i':
      if (typeof v === 'string') return BigInt(v);
      break;
    case 'z':
      return null;
  }
  throw new SampleDecodeError(`bad value ${JSON.stringify(v)} of kind ${JSON.stringify(kind)}`);
}

/** Throws SampleDecodeError when the text is not what `encodeSamples` wrote (a damaged row). */
export function decodeSamples(device: string, text: string): Sample[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SampleDecodeError(`not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new SampleDecodeError('not an array');
  return raw.map((t: unknown) => {
    if (!Array.isArray(t) || typeof t[0] !== 'string' || typeof t[1] !== 'number') {
      throw new SampleDecodeError('bad sample tuple');
    }
    const quality = Q_IN[String(t[2])];
    if (!quality) throw new SampleDecodeError(`bad quality ${JSON.stringify(t[2])}`);
    const s: Sample = { device, metric: t[0], timestamp: t[1], quality, value: decodeValue(t[3], t[4]) };
    if (typeof t[5] === 'number') s.qualityCode = t[5];
    if (t[6] === 1) s.historical = true;
    return s;
  });
}
