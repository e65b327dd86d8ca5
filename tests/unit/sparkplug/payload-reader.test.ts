/**
 * Contract of the fast Sparkplug reader (protocols/sparkplug/payload-reader.ts): whenever it gives a payload, it is
 * the one protobufjs gives for the same bytes; where it gives up, `decodePayload` answers as protobufjs does.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EdgeNode } from '../../../agent/publish/edge-node.js';
import {
  DataType,
  decodePayload,
  encodePayload,
  SparkplugDecodeError,
  type SpbPayload,
} from '../../../protocols/sparkplug/index.js';
import { decodePayloadWithProtobufjs } from '../../../protocols/sparkplug/payload-codec.js';
import { readPayloadFast } from '../../../protocols/sparkplug/payload-reader.js';
import { concat } from '../../fuzz/harness/bytes.js';
import { ld, tag, vi } from '../../fuzz/targets/protobuf-wire.js';
import {
  spbCorruptedBytes,
  spbMetric,
  spbPayload,
  spbPayloadOf,
} from '../../helpers/sparkplug-arbitraries.js';

const flatPayload = spbPayloadOf(spbMetric(false));

/** what a decoder answers: the payload, or the message of its error (a SparkplugDecodeError, nothing else) */
function outcome(decode: (b: Uint8Array) => SpbPayload, bytes: Uint8Array): SpbPayload | string {
  try {
    return decode(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(SparkplugDecodeError);
    return (err as Error).message;
  }
}
const reference = (bytes: Uint8Array) => outcome(decodePayloadWithProtobufjs, bytes);
const answer = (bytes: Uint8Array) => outcome(decodePayload, bytes);

const buf = (b: Uint8Array) => Buffer.from(b);
/** a double field (wire type 1); varint and length-delimited fields come from the fuzz target's wire writer */
function dbl(no: number, v: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return concat(tag(no, 1), b);
}

describe('fast Sparkplug reader', () => {
  test('takes every flat payload, and gives exactly what protobufjs gives', () => {
    fc.assert(
      fc.property(flatPayload, (p) => {
        const bytes = buf(encodePayload(p));
        const fast = readPayloadFast(bytes);
        expect(fast).toBeDefined();
        expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
      }),
      { numRuns: 600 },
    );
  });

  test('gives up on metrics with properties; decodePayload then answers as protobufjs', () => {
    fc.assert(
      fc.property(spbPayload, (p) => {
        const bytes = buf(encodePayload(p));
        const fast = readPayloadFast(bytes);
        if (p.metrics.some((m) => m.properties !== undefined)) expect(fast).toBeUndefined();
        else expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
        expect(answer(bytes)).toStrictEqual(reference(bytes));
      }),
      { numRuns: 300 },
    );
  });

  test('on corrupted, cut and random bytes it gives protobufjs’s payload or gives up; decodePayload answers as protobufjs', () => {
    const corrupted = spbCorruptedBytes(flatPayload, { cut: true });
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 128 }).map(buf), corrupted), (bytes) => {
        const fast = readPayloadFast(bytes);
        const ref = reference(bytes);
        if (fast !== undefined) {
          taken++;
          expect(fast).toStrictEqual(ref);
        }
        expect(answer(bytes)).toStrictEqual(ref);
      }),
      { numRuns: 3000 },
    );
    // the comparison above means something only if the fast path took a good share of the damaged inputs
    expect(taken).toBeGreaterThan(300);
  });

  test('takes the DDATA the agent publishes', () => {
    const edge = new EdgeNode({
      site: 's',
      node: 'n',
      clock: () => 1_700_000_000_000,
      devices: [
        {
          id: 'press-01',
          metrics: [
            { name: 'power_kw', kind: 'double' },
            { name: 'count', kind: 'int64' },
            { name: 'state', kind: 'string' },
            { name: 'running', kind: 'boolean' },
            { name: 'temp', kind: 'float' },
            { name: 'code', kind: 'int16' },
          ],
        },
      ],
    });
    edge.will();
    edge.onConnected();
    const m = edge.data('press-01', [
      { device: 'press-01', metric: 'power_kw', value: 12.5, timestamp: 1_700_000_000_001, quality: 'good' },
      {
        device: 'press-01',
        metric: 'count',
        value: 2n ** 40n,
        timestamp: 1_700_000_000_001,
        quality: 'good',
      },
      { device: 'press-01', metric: 'state', value: '运行', timestamp: 1_700_000_000_001, quality: 'good' },
      { device: 'press-01', metric: 'running', value: true, timestamp: 1_700_000_000_001, quality: 'good' },
      { device: 'press-01', metric: 'temp', value: 21.5, timestamp: 1_700_000_000_001, quality: 'good' },
      { device: 'press-01', metric: 'code', value: -3, timestamp: 1_700_000_000_001, quality: 'good' },
    ]);
    expect(m).toBeDefined();
    const bytes = buf((m as { payload: Uint8Array }).payload);
    const fast = readPayloadFast(bytes);
    expect(fast?.metrics).toHaveLength(6);
    expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('gives up on a 5-byte tag, which protobufjs may refuse (a case fast-check found)', () => {
    // field 8, length-delimited, with a 5th tag byte protobufjs's tag() refuses ("invalid tag encoding")
    const bytes = Buffer.from([194, 128, 128, 128, 16, 0]);
    expect(readPayloadFast(bytes)).toBeUndefined();
    expect(() => decodePayload(bytes)).toThrow(SparkplugDecodeError);
  });

  test('the last value of the oneof wins, as in protobufjs', () => {
    const bytes = buf(ld(2, vi(10, 7), dbl(13, 2.5), vi(4, DataType.Double)));
    const fast = readPayloadFast(bytes);
    expect(fast?.metrics[0]?.value).toBe(2.5);
    expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('skips unknown fields of the metric and the payload', () => {
    const metric = ld(2, ld(1, Uint8Array.of(0x61)), vi(25, 99), dbl(13, 1.5));
    const bytes = buf(concat(vi(3, 4), metric, ld(40, Uint8Array.of(1, 2, 3))));
    const fast = readPayloadFast(bytes);
    expect(fast).toStrictEqual({ seq: 4, metrics: [{ name: 'a', value: 1.5 }] });
    expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('gives up on a known field with another wire type (protobufjs skips it as unknown)', () => {
    // name (field 1) sent as a varint
    const bytes = buf(ld(2, vi(1, 5), dbl(13, 1)));
    expect(readPayloadFast(bytes)).toBeUndefined();
    expect(decodePayload(bytes)).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('gives up on a timestamp beyond 2^53 and on a value its datatype refuses: decodePayload throws SPB_DECODE', () => {
    const late = buf(vi(1, 2n ** 60n));
    expect(readPayloadFast(late)).toBeUndefined();
    expect(() => decodePayload(late)).toThrow(SparkplugDecodeError);
    // an Int8 of 300
    const refused = buf(ld(2, vi(4, DataType.Int8), vi(10, 300)));
    expect(readPayloadFast(refused)).toBeUndefined();
    expect(() => decodePayload(refused)).toThrow(/does not fit datatype/);
  });

  test('reads a plain Uint8Array as it reads a Buffer', () => {
    const bytes = encodePayload({
      timestamp: 5,
      metrics: [{ name: 'm', datatype: DataType.String, value: '温度' }],
    });
    const plain = new Uint8Array(bytes);
    expect(Buffer.isBuffer(plain)).toBe(false);
    expect(readPayloadFast(plain)).toStrictEqual(decodePayloadWithProtobufjs(buf(bytes)));
  });
});
