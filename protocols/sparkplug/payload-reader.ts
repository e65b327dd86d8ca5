/**
 * The fast path of `decodePayload`: reads the protobuf wire format of a Sparkplug B `Payload` straight into the
 * `SpbPayload` it returns — one object per metric, no protobufjs message object, oneof bookkeeping or per-metric
 * error text on the way (issue 16: the ingester decodes every DATA message, and protobufjs's generic decoder was
 * a quarter of the ingester's time per value).
 *
 * It takes only what it can read exactly as protobufjs reads it (protobufjs 8's generated decoder,
 * node_modules/protobufjs/src/decoder.js and reader.js): flat metrics — name, alias, timestamp, datatype, the flags
 * and a scalar or bytes value — and unknown fields it can skip. For anything else it returns `undefined` and
 * `decodePayload` decodes with protobufjs, which gives the result or the error:
 * - a metric with metadata, properties, a DataSet, a Template or an extension value (nested messages: births);
 * - a known field with another wire type (protobufjs skips it as unknown), groups, field number 0;
 * - truncated or over-long varints and lengths, a timestamp or seq beyond 2^53, a value its datatype refuses.
 * So it never decides that a payload is bad; it only ever gives what protobufjs would
 * (tests/unit/sparkplug/payload-reader.test.ts compares the two on valid, mutated and random bytes).
 *
 * Strings are decoded by Node's UTF-8 decoder (an invalid sequence becomes U+FFFD), as protobufjs does for a Buffer.
 */
import {
  BIG_ALIAS,
  HISTORICAL,
  HISTORICAL_SET,
  MetricColumns,
  NULL,
  NULL_SET,
  TRANSIENT,
  TRANSIENT_SET,
} from './metric-columns.js';
import { DataType, type SpbPayload, type SpbValue } from './types.js';
import { numberFor, retypeValue } from './values.js';

const TWO_32 = 4294967296;
/** the largest high word of a value below 2^53 */
const SAFE_HI = 0x1fffff;

/** Field numbers of a Metric's value oneof that the fast path reads (10–16); 17–19 are nested messages. */
const INT_VALUE = 10;
const LONG_VALUE = 11;
const FLOAT_VALUE = 12;
const DOUBLE_VALUE = 13;
const BOOLEAN_VALUE = 14;
const STRING_VALUE = 15;
const BYTES_VALUE = 16;

/** Thrown inside the reader to give up on the fast path; never leaves this module. */
const GIVE_UP = Symbol('fast path gives up');

class Cursor {
  pos = 0;
  /** the low and high 32 bits of the last `long()` */
  lo = 0;
  hi = 0;
  constructor(
    readonly buf: Buffer,
    public end: number,
  ) {}

  /** protobufjs's uint32: a varint of at most 5 bytes (longer ones: give up), its low 32 bits */
  uint32(): number {
    return this.#varint32(5);
  }

  /**
   * A field tag of at most 4 bytes (field numbers below 2^25); a longer one gives up: protobufjs's tag() refuses
   * some 5-byte tags that its uint32() takes (a 5th byte with any of bits 4–6 set), and no Sparkplug field needs one.
   */
  tag(): number {
    return this.#varint32(4);
  }

  /** a varint of at most `maxBytes` bytes, its low 32 bits; a longer one, or one past the end, gives up */
  #varint32(maxBytes: number): number {
    const buf = this.buf;
    let value = 0;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) throw GIVE_UP;
      const b = buf[this.pos++] as number;
      value = (value | ((b & 127) << (7 * i))) >>> 0;
      if (b < 128) return value;
    }
    throw GIVE_UP;
  }

  /** a varint of up to 10 bytes into `lo` and `hi`, as protobufjs's readLongVarint */
  long(): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw GIVE_UP;
      const b = buf[this.pos++] as number;
      if (i < 4) lo = (lo | ((b & 127) << (7 * i))) >>> 0;
      else if (i === 4) {
        lo = (lo | ((b & 127) << 28)) >>> 0;
        hi = (hi | ((b & 127) >> 4)) >>> 0;
      } else hi = (hi | ((b & 127) << (7 * (i - 5) + 3))) >>> 0;
      if (b < 128) {
        this.lo = lo;
        this.hi = hi;
        return;
      }
    }
    throw GIVE_UP;
  }

  /** the last `long()` as a number; gives up beyond 2^53 (protobufjs's caller throws there) */
  safeNumber(): number {
    if (this.hi > SAFE_HI) throw GIVE_UP;
    return this.hi * TWO_32 + this.lo;
  }

  /** the end of a length-delimited field starting here */
  lengthEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) throw GIVE_UP;
    return end;
  }

  string(): string {
    const end = this.lengthEnd();
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return s;
  }

  /** a copy, as the protobufjs path gives */
  bytes(): Uint8Array {
    const end = this.lengthEnd();
    const out = new Uint8Array(this.buf.subarray(this.pos, end));
    this.pos = end;
    return out;
  }

  fixed(n: 4 | 8): number {
    const at = this.pos;
    if (at + n > this.end) throw GIVE_UP;
    this.pos = at + n;
    return at;
  }

  /** skips an unknown field of wire type `wire`; groups and invalid wire types give up */
  skip(wire: number): void {
    switch (wire) {
      case 0:
        do {
          if (this.pos >= this.end) throw GIVE_UP;
        } while ((this.buf[this.pos++] as number) & 128);
        return;
      case 1:
        this.fixed(8);
        return;
      case 2:
        this.pos = this.lengthEnd();
        return;
      case 5:
        this.fixed(4);
        return;
      default:
        throw GIVE_UP;
    }
  }
}

/** the wire type each known Metric field must have (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32) */
const METRIC_WIRE: readonly (number | undefined)[] = [
  undefined, // 0: no field
  2, // 1 name
  0, // 2 alias
  0, // 3 timestamp
  0, // 4 datatype
  0, // 5 is_historical
  0, // 6 is_transient
  0, // 7 is_null
  2, // 8 metadata (nested: gives up)
  2, // 9 properties (nested: gives up)
  0, // 10 int_value
  0, // 11 long_value
  5, // 12 float_value
  1, // 13 double_value
  0, // 14 boolean_value
  2, // 15 string_value
  2, // 16 bytes_value
];

/** Reads one metric into column row `i`. */
function readMetric(c: Cursor, end: number, cols: MetricColumns, i: number): void {
  const outerEnd = c.end;
  c.end = end;
  let valueField = 0;
  let num = 0;
  /** a long_value's two halves (a later varint field reuses the cursor's) */
  let lo = 0;
  let hi = 0;
  let value: SpbValue = null;
  let flags = 0;
  let datatype = -1;
  while (c.pos < end) {
    const tag = c.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw GIVE_UP;
    if (field > 16) {
      if (field <= 19) throw GIVE_UP; // dataset, template, extension value: nested messages
      c.skip(wire);
      continue;
    }
    if (METRIC_WIRE[field] !== wire) throw GIVE_UP; // protobufjs skips such a field as unknown: let it
    switch (field) {
      case 1:
        cols.name[i] = c.string();
        break;
      case 2:
        c.long();
        if (c.hi <= SAFE_HI) cols.alias[i] = c.hi * TWO_32 + c.lo;
        else {
          cols.alias[i] = BIG_ALIAS;
          cols.bigAlias.set(i, (BigInt(c.hi) << 32n) | BigInt(c.lo));
        }
        break;
      case 3:
        c.long();
        cols.time[i] = c.safeNumber();
        break;
      case 4:
        datatype = c.uint32();
        if (datatype > 0x7fffffff) throw GIVE_UP; // the column is an Int32Array
        break;
      case 5:
        flags = (flags & ~HISTORICAL) | HISTORICAL_SET | (c.uint32() !== 0 ? HISTORICAL : 0);
        break;
      case 6:
        flags = (flags & ~TRANSIENT) | TRANSIENT_SET | (c.uint32() !== 0 ? TRANSIENT : 0);
        break;
      case 7:
        flags = (flags & ~NULL) | NULL_SET | (c.uint32() !== 0 ? NULL : 0);
        break;
      case 8:
      case 9:
        throw GIVE_UP; // metadata, properties
      case INT_VALUE:
        num = c.uint32();
        valueField = field;
        break;
      case LONG_VALUE:
        c.long();
        lo = c.lo;
        hi = c.hi;
        valueField = field;
        break;
      case FLOAT_VALUE:
        num = c.buf.readFloatLE(c.fixed(4));
        valueField = field;
        break;
      case DOUBLE_VALUE:
        num = c.buf.readDoubleLE(c.fixed(8));
        valueField = field;
        break;
      case BOOLEAN_VALUE:
        value = c.uint32() !== 0;
        valueField = field;
        break;
      case STRING_VALUE:
        value = c.string();
        valueField = field;
        break;
      case BYTES_VALUE:
        value = c.bytes();
        valueField = field;
        break;
    }
  }
  c.end = outerEnd;
  cols.datatype[i] = datatype;
  cols.flags[i] = flags;
  if ((flags & NULL) !== 0 || valueField === 0) return;
  // the common cases without an allocation: a float, double or int_value of a floating-point metric or an integer
  // one up to 32 bits (or untyped), a long_value of a UInt32 or a DateTime below 2^53
  if (valueField === FLOAT_VALUE || valueField === DOUBLE_VALUE || valueField === INT_VALUE) {
    const n = datatype === -1 ? num : numberFor(num, datatype);
    if (n !== undefined) {
      cols.setNumber(i, n);
      return;
    }
    value = num;
  } else if (valueField === LONG_VALUE) {
    if ((datatype === DataType.UInt32 && hi === 0) || (datatype === DataType.DateTime && hi <= SAFE_HI)) {
      cols.setNumber(i, hi * TWO_32 + lo);
      return;
    }
    value = hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }
  if (datatype === -1) cols.setValue(i, value);
  else {
    const r = retypeValue(value, datatype);
    if (!r.ok) throw GIVE_UP; // protobufjs's path throws the SparkplugDecodeError with its text
    cols.setValue(i, r.value);
  }
}

/**
 * Reads a payload into `cols` (emptied first). False where the protobufjs path must decide (see the module
 * comment): `cols` then holds nothing usable.
 */
export function readColumns(bytes: Uint8Array, cols: MetricColumns): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = new Cursor(buf, buf.length);
  cols.reset();
  try {
    while (c.pos < c.end) {
      const tag = c.tag();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) return false;
      switch (field) {
        case 1:
          if (wire !== 0) return false;
          c.long();
          cols.timestamp = c.safeNumber();
          break;
        case 2: {
          if (wire !== 2) return false;
          const end = c.lengthEnd();
          readMetric(c, end, cols, cols.add());
          break;
        }
        case 3:
          if (wire !== 0) return false;
          c.long();
          cols.seq = c.safeNumber();
          break;
        case 4:
          if (wire !== 2) return false;
          cols.uuid = c.string();
          break;
        case 5:
          if (wire !== 2) return false;
          cols.body = c.bytes();
          break;
        default:
          c.skip(wire);
      }
    }
    return true;
  } catch {
    return false; // GIVE_UP, or anything unforeseen: protobufjs decides
  }
}

/** `readPayloadFast`'s columns, reused: it is synchronous and `toPayload` copies everything out */
const scratch = new MetricColumns();

/** The payload, or `undefined` where the protobufjs path must decide (see the module comment). */
export function readPayloadFast(bytes: Uint8Array): SpbPayload | undefined {
  return readColumns(bytes, scratch) ? scratch.toPayload() : undefined;
}
