/** fast-check arbitraries of Sparkplug B payloads: every datatype, null values, properties (tests of the codecs). */
import fc from 'fast-check';
import {
  DataType,
  encodePayload,
  type SpbMetric,
  type SpbPayload,
  type SpbProperty,
  type SpbValue,
} from '../../protocols/sparkplug/index.js';

export const spbText = fc.string({ unit: 'grapheme', maxLength: 12 });
const noNul = spbText.filter((x) => !x.includes('\0'));
const int = (min: number, max: number) => fc.integer({ min, max });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const ms = int(0, Number.MAX_SAFE_INTEGER);
const small = { maxLength: 6 };

const VALUES: [number, fc.Arbitrary<SpbValue>][] = [
  [DataType.Int8, int(-128, 127)],
  [DataType.Int16, int(-32768, 32767)],
  [DataType.Int32, int(-(2 ** 31), 2 ** 31 - 1)],
  [DataType.Int64, i64],
  [DataType.UInt8, int(0, 255)],
  [DataType.UInt16, int(0, 65535)],
  [DataType.UInt32, int(0, 2 ** 32 - 1)],
  [DataType.UInt64, u64],
  [DataType.Float, fc.float()],
  [DataType.Double, fc.double()],
  [DataType.Boolean, fc.boolean()],
  [DataType.String, spbText],
  [DataType.DateTime, ms],
  [DataType.Text, spbText],
  [DataType.UUID, fc.uuid()],
  [DataType.Bytes, fc.uint8Array({ maxLength: 16 })],
  [DataType.File, fc.uint8Array({ maxLength: 16 })],
  [DataType.Int8Array, fc.array(int(-128, 127), small)],
  [DataType.Int16Array, fc.array(int(-32768, 32767), small)],
  [DataType.Int32Array, fc.array(int(-(2 ** 31), 2 ** 31 - 1), small)],
  [DataType.Int64Array, fc.array(i64, small)],
  [DataType.UInt8Array, fc.array(int(0, 255), small)],
  [DataType.UInt16Array, fc.array(int(0, 65535), small)],
  [DataType.UInt32Array, fc.array(int(0, 2 ** 32 - 1), small)],
  [DataType.UInt64Array, fc.array(u64, small)],
  [DataType.FloatArray, fc.array(fc.float({ noNaN: true }), small)],
  [DataType.DoubleArray, fc.array(fc.double({ noNaN: true }), small)],
  [DataType.BooleanArray, fc.array(fc.boolean(), { maxLength: 20 })],
  [DataType.StringArray, fc.array(noNul, small)],
  [DataType.DateTimeArray, fc.array(ms, small)],
];
const PROPERTY_TYPES = VALUES.slice(0, 15);

const typedValue: fc.Arbitrary<[number, SpbValue]> = fc.oneof(
  ...VALUES.map(([dt, arb]) => fc.tuple(fc.constant(dt), fc.option(arb, { nil: null, freq: 8 }))),
);
const property: fc.Arbitrary<SpbProperty> = fc
  .tuple(
    spbText,
    fc.oneof(...PROPERTY_TYPES.map(([dt, arb]) => fc.tuple(fc.constant(dt), fc.option(arb, { nil: null })))),
  )
  .map(([key, [type, value]]) => ({ key, type, value: value as SpbProperty['value'] }));

/** A metric of any datatype; `withProperties: false`: flat metrics only, the ones the fast reader takes (payload-reader.ts). */
export function spbMetric(withProperties = true): fc.Arbitrary<SpbMetric> {
  const rest = {
    name: spbText,
    alias: u64,
    timestamp: ms,
    isHistorical: fc.boolean(),
    isTransient: fc.boolean(),
  };
  return fc
    .tuple(
      typedValue,
      withProperties
        ? fc.record({ ...rest, properties: fc.array(property, { maxLength: 3 }) }, { requiredKeys: [] })
        : fc.record(rest, { requiredKeys: [] }),
    )
    .map(([[datatype, value], r]) => ({ ...r, datatype, value }));
}

/** A payload of up to 5 metrics (see `spbMetric`) with any of timestamp, seq, uuid and body. */
export function spbPayloadOf(metric: fc.Arbitrary<SpbMetric>): fc.Arbitrary<SpbPayload> {
  return fc
    .tuple(
      fc.array(metric, { maxLength: 5 }),
      fc.record(
        { timestamp: ms, seq: int(0, 255), uuid: spbText, body: fc.uint8Array({ maxLength: 8 }) },
        { requiredKeys: [] },
      ),
    )
    .map(([metrics, r]) => ({ ...r, metrics }));
}

export const spbPayload: fc.Arbitrary<SpbPayload> = spbPayloadOf(spbMetric());

/**
 * The encoded bytes of `payload` with 1–4 bytes overwritten; `cut`: a third of them also cut short at a random
 * length (a Buffer, as MQTT hands payloads over).
 */
export function spbCorruptedBytes(
  payload: fc.Arbitrary<SpbPayload>,
  opts: { cut?: boolean } = {},
): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      payload,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(),
    )
    .map(([p, flips, cut]) => {
      const b = Buffer.from(encodePayload(p));
      for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
      return opts.cut === true && cut % 3 === 0 ? b.subarray(0, cut % (b.length + 1)) : b;
    });
}
