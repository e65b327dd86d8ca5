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
import { spbMetric, spbPayload, spbPayloadOf } from '../../helpers/sparkplug-arbitraries.js';

const flatPayload = spbPayloadOf(spbMetric(false));

/** protobufjs's answer: the payload, or the error's message */
function reference(bytes: Uint8Array): SpbPayload | string {
  try {
    return decodePayloadWithProtobufjs(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(SparkplugDecodeError);
    return (err as Error).message;
  }
}

/** what `decodePayload` answers, in the same form */
function answer(bytes: Uint8Array): SpbPayload | string {
  try {
    return decodePayload(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(SparkplugDecodeError);
    return (err as Error).message;
  }
}

const buf = (b: Uint8Array) => Buffer.from(b);
/** a protobuf varint */
function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
/** one length-delimited field */
const lenField = (field: number, body: number[]) => [
  ...varint(BigInt((field << 3) | 2)),
  ...varint(BigInt(body.length)),
  ...body,
];
const varintField = (field: number, v: bigint) => [...varint(BigInt(field << 3)), ...varint(v)];
const doubleField = (field: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...varint(BigInt((field << 3) | 1)), ...b];
};

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
    const corrupted = fc
      .tuple(
        flatPayload,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
      )
      .map(([p, flips, cut]) => {
        const b = buf(encodePayload(p));
        for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
        return cut % 3 === 0 ? b.subarray(0, cut % (b.length + 1)) : b;
      });
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
    const metric = [
      ...varintField(10, 7n),
      ...doubleField(13, 2.5),
      ...varintField(4, BigInt(DataType.Double)),
    ];
    const bytes = Buffer.from(lenField(2, metric));
    const fast = readPayloadFast(bytes);
    expect(fast?.metrics[0]?.value).toBe(2.5);
    expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('skips unknown fields of the metric and the payload', () => {
    const metric = [...lenField(1, [0x61]), ...varintField(25, 99n), ...doubleField(13, 1.5)];
    const bytes = Buffer.from([...varintField(3, 4n), ...lenField(2, metric), ...lenField(40, [1, 2, 3])]);
    const fast = readPayloadFast(bytes);
    expect(fast).toStrictEqual({ seq: 4, metrics: [{ name: 'a', value: 1.5 }] });
    expect(fast).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('gives up on a known field with another wire type (protobufjs skips it as unknown)', () => {
    // name (field 1) sent as a varint
    const bytes = Buffer.from(lenField(2, [...varintField(1, 5n), ...doubleField(13, 1)]));
    expect(readPayloadFast(bytes)).toBeUndefined();
    expect(decodePayload(bytes)).toStrictEqual(decodePayloadWithProtobufjs(bytes));
  });

  test('gives up on a timestamp beyond 2^53 and on a value its datatype refuses: decodePayload throws SPB_DECODE', () => {
    const late = Buffer.from(varintField(1, 2n ** 60n));
    expect(readPayloadFast(late)).toBeUndefined();
    expect(() => decodePayload(late)).toThrow(SparkplugDecodeError);
    // an Int8 of 300
    const refused = Buffer.from(
      lenField(2, [...varintField(4, BigInt(DataType.Int8)), ...varintField(10, 300n)]),
    );
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
