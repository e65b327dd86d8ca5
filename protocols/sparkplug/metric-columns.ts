/**
 * A decoded Sparkplug B payload's metrics as columns (issue 16, point 2): one typed array per field instead of an
 * object per metric, reused from message to message by its owner (the ingester's host keeps one). A number value
 * lives in `num` (a Float64Array: no allocation per value), anything else (string, boolean, bigint, bytes) in
 * `other`. Only flat metrics fit: name, alias, timestamp, datatype, the three flags, a scalar value and a quality
 * (`fromPayload` takes it from the metric's properties; the fast reader never sees properties).
 *
 * Filled by the fast reader (payload-reader.ts `readColumns`) or from a payload protobufjs decoded (`fromPayload`);
 * `toPayload` gives back the `SpbPayload` (what `readPayloadFast` returns, compared with protobufjs by the reader's
 * contract test).
 */
import type { Quality } from '../sample.js';
import type { SpbMetric, SpbPayload, SpbValue } from './types.js';

/** `flags` bits: each flag's presence on the wire and its value (a payload read back keeps both) */
export const HISTORICAL_SET = 1;
export const HISTORICAL = 2;
export const TRANSIENT_SET = 4;
export const TRANSIENT = 8;
export const NULL_SET = 16;
export const NULL = 32;

/** `kind`: where a metric's value is */
export const NO_VALUE = 0;
export const NUMBER_VALUE = 1;
export const OTHER_VALUE = 2;

/** `alias`: no alias; an alias beyond 2^53 (its exact value in `bigAlias`) */
export const NO_ALIAS = -1;
export const BIG_ALIAS = -2;

const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];
const QUALITY_INDEX: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 };

export class MetricColumns {
  /** metrics in the columns */
  count = 0;
  /** the payload's own fields */
  timestamp: number | undefined;
  seq: number | undefined;
  uuid: string | undefined;
  body: Uint8Array | undefined;

  name: (string | undefined)[] = [];
  /** the alias when ≤ 2^53, else NO_ALIAS or BIG_ALIAS */
  alias = new Float64Array(16);
  /** aliases beyond 2^53, by metric index (rare: the fast reader leaves them to protobufjs) */
  readonly bigAlias = new Map<number, bigint>();
  /** ms since epoch; NaN: none */
  time = new Float64Array(16);
  /** DataType code; -1: none */
  datatype = new Int32Array(16);
  flags = new Uint8Array(16);
  kind = new Uint8Array(16);
  num = new Float64Array(16);
  other: SpbValue[] = [];
  /** 0 good, 1 uncertain, 2 bad: from the Sparkplug quality property (`fromPayload`); 0 from the fast reader */
  quality = new Uint8Array(16);

  /** empties the columns for the next payload (the arrays stay) */
  reset(): void {
    this.count = 0;
    this.timestamp = undefined;
    this.seq = undefined;
    this.uuid = undefined;
    this.body = undefined;
    if (this.bigAlias.size > 0) this.bigAlias.clear();
  }

  /** a new metric's index, every field at "absent" */
  add(): number {
    const i = this.count;
    if (i === this.alias.length) this.#grow(i * 2);
    this.count = i + 1;
    this.name[i] = undefined;
    this.alias[i] = NO_ALIAS;
    this.time[i] = Number.NaN;
    this.datatype[i] = -1;
    this.flags[i] = 0;
    this.kind[i] = NO_VALUE;
    this.other[i] = null;
    this.quality[i] = 0;
    return i;
  }

  /** metric `i`'s value as `SpbMetric.value` gives it */
  value(i: number): SpbValue {
    const k = this.kind[i];
    return k === NUMBER_VALUE
      ? (this.num[i] as number)
      : k === OTHER_VALUE
        ? (this.other[i] as SpbValue)
        : null;
  }

  setNumber(i: number, v: number): void {
    this.kind[i] = NUMBER_VALUE;
    this.num[i] = v;
  }

  setValue(i: number, v: SpbValue): void {
    if (typeof v === 'number') {
      this.kind[i] = NUMBER_VALUE;
      this.num[i] = v;
    } else if (v !== null) {
      this.kind[i] = OTHER_VALUE;
      this.other[i] = v;
    }
  }

  qualityOf(i: number): Quality {
    return QUALITIES[this.quality[i] as number] ?? 'bad';
  }

  /** Fills the columns from a decoded payload; `quality` gives each metric's (the Sparkplug quality property). */
  fromPayload(p: SpbPayload, quality: (m: SpbMetric) => Quality): this {
    this.reset();
    this.timestamp = p.timestamp;
    this.seq = p.seq;
    this.uuid = p.uuid;
    this.body = p.body;
    for (const m of p.metrics) {
      const i = this.add();
      this.name[i] = m.name;
      if (m.alias !== undefined) {
        if (m.alias <= BigInt(Number.MAX_SAFE_INTEGER)) this.alias[i] = Number(m.alias);
        else {
          this.alias[i] = BIG_ALIAS;
          this.bigAlias.set(i, m.alias);
        }
      }
      if (m.timestamp !== undefined) this.time[i] = m.timestamp;
      if (m.datatype !== undefined) this.datatype[i] = m.datatype;
      let f = 0;
      if (m.isHistorical !== undefined) f |= HISTORICAL_SET | (m.isHistorical ? HISTORICAL : 0);
      if (m.isTransient !== undefined) f |= TRANSIENT_SET | (m.isTransient ? TRANSIENT : 0);
      if (m.isNull !== undefined) f |= NULL_SET | (m.isNull ? NULL : 0);
      this.flags[i] = f;
      this.setValue(i, m.value);
      this.quality[i] = QUALITY_INDEX[quality(m)];
    }
    return this;
  }

  /** The payload as `SpbPayload` (one object per metric: for callers that want the general form). */
  toPayload(): SpbPayload {
    const out: SpbPayload = { metrics: [] };
    if (this.timestamp !== undefined) out.timestamp = this.timestamp;
    for (let i = 0; i < this.count; i++) {
      const m: SpbMetric = { value: this.value(i) };
      const name = this.name[i];
      if (name !== undefined) m.name = name;
      const a = this.alias[i] as number;
      if (a >= 0) m.alias = BigInt(a);
      else if (a === BIG_ALIAS) m.alias = this.bigAlias.get(i) as bigint;
      const t = this.time[i] as number;
      if (!Number.isNaN(t)) m.timestamp = t;
      const dt = this.datatype[i] as number;
      if (dt >= 0) m.datatype = dt;
      const f = this.flags[i] as number;
      if (f & HISTORICAL_SET) m.isHistorical = (f & HISTORICAL) !== 0;
      if (f & TRANSIENT_SET) m.isTransient = (f & TRANSIENT) !== 0;
      if (f & NULL_SET) m.isNull = (f & NULL) !== 0;
      out.metrics.push(m);
    }
    if (this.seq !== undefined) out.seq = this.seq;
    if (this.uuid !== undefined) out.uuid = this.uuid;
    if (this.body !== undefined) out.body = this.body;
    return out;
  }

  #grow(n: number): void {
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.alias = grow(this.alias, (k) => new Float64Array(k));
    this.time = grow(this.time, (k) => new Float64Array(k));
    this.datatype = grow(this.datatype, (k) => new Int32Array(k));
    this.flags = grow(this.flags, (k) => new Uint8Array(k));
    this.kind = grow(this.kind, (k) => new Uint8Array(k));
    this.num = grow(this.num, (k) => new Float64Array(k));
    this.quality = grow(this.quality, (k) => new Uint8Array(k));
  }
}
