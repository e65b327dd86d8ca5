/**
 * Interop with Eclipse Tahu's JS codec (`sparkplug-payload`): it decodes what we encode and we decode what it
 * encodes. Known Tahu JS 1.0.3 limits, worked around here and documented in docs/sparkplug.md:
 * - it has no array datatypes (22-34): its `decodePayload` gives `null`, so arrays go through Tahu's own generated
 *   protobuf classes (the bytes are the spec's packing);
 * - it reads UInt32 with `Long.toInt()`, so values ≥ 2^31 come out negative on its side.
 */
import { createRequire } from 'node:module';
import sparkplugPayload from 'sparkplug-payload';
import { describe, expect, test } from 'vitest';
import { DataType, decodePayload, encodePayload, type SpbValue } from '../../../protocols/sparkplug/index.js';

const tahu = sparkplugPayload.get('spBv1.0');
if (!tahu) throw new Error('sparkplug-payload has no spBv1.0 codec');
const require = createRequire(import.meta.url);
const TahuProto = require('sparkplug-payload/lib/sparkplugPayloadProto.js') as {
  org: {
    eclipse: {
      tahu: {
        protobuf: {
          Payload: {
            encode(p: unknown): { finish(): Uint8Array };
            decode(b: Uint8Array): { metrics: { bytesValue: Uint8Array; datatype: number }[] };
          };
        };
      };
    };
  };
};
const TahuPayload = TahuProto.org.eclipse.tahu.protobuf.Payload;

type LongLike = { low: number; high: number; unsigned: boolean; toString(): string };
const isLong = (x: unknown): x is LongLike =>
  typeof x === 'object' && x !== null && 'low' in x && 'high' in x;
const toLongLike = (b: bigint) => {
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true };
};

/** What Tahu's value must look like for our typed value. */
function normaliseTahu(type: string, v: unknown): unknown {
  if (isLong(v)) {
    const b = BigInt(v.toString());
    if (type === 'Int64') return BigInt.asIntN(64, b);
    if (type === 'UInt64') return BigInt.asUintN(64, b);
    return Number(b);
  }
  if (v instanceof Uint8Array) return new Uint8Array(v);
  return v;
}

const SCALARS: [string, SpbValue][] = [
  ['Int8', -128],
  ['Int8', 127],
  ['Int16', -32768],
  ['Int32', -2147483648],
  ['Int64', -(2n ** 63n)],
  ['Int64', 2n ** 63n - 1n],
  ['UInt8', 255],
  ['UInt16', 65535],
  ['UInt32', 2147483647],
  ['UInt64', 2n ** 64n - 1n],
  ['Float', -1.5],
  ['Double', 0.1 + 0.2],
  ['Boolean', true],
  ['String', 'héllo ✓'],
  ['DateTime', 1767225600123],
  ['Text', 'text'],
  ['UUID', '123e4567-e89b-12d3-a456-426614174000'],
  ['Bytes', new Uint8Array([0, 1, 255])],
  ['File', new Uint8Array([4, 5])],
];

describe('interop with Eclipse Tahu sparkplug-payload', () => {
  test.each(SCALARS)('Tahu decodes our %s %s', (type, value) => {
    const bytes = encodePayload({
      timestamp: 1,
      seq: 1,
      metrics: [
        { name: 'm', alias: 9n, timestamp: 2, datatype: DataType[type as keyof typeof DataType], value },
      ],
    });
    const got = tahu.decodePayload(bytes);
    const m = got.metrics?.[0];
    expect(m?.type).toBe(type);
    expect(m?.name).toBe('m');
    expect(normaliseTahu(type, m?.value)).toEqual(value);
  });

  test.each(SCALARS)('we decode Tahu-encoded %s %s', (type, value) => {
    const tahuValue = typeof value === 'bigint' ? toLongLike(value) : value;
    const bytes = tahu.encodePayload({
      timestamp: 1,
      seq: 4,
      metrics: [{ name: 'm', type: type as never, value: tahuValue as never, timestamp: 2, alias: 3 }],
    });
    const p = decodePayload(bytes);
    expect(p.seq).toBe(4);
    expect(p.metrics[0]).toMatchObject({
      name: 'm',
      alias: 3n,
      timestamp: 2,
      datatype: DataType[type as keyof typeof DataType],
    });
    expect(p.metrics[0]?.value).toEqual(value);
  });

  test('null values, historical flag and properties cross both ways', () => {
    const ours = encodePayload({
      metrics: [
        {
          name: 'q',
          datatype: DataType.Double,
          value: null,
          isHistorical: true,
          properties: [
            { key: 'Quality', type: DataType.Int32, value: 0 },
            { key: 'engUnit', type: DataType.String, value: 'kW' },
            {
              key: 'nested',
              type: DataType.PropertySet,
              value: [{ key: 'a', type: DataType.Boolean, value: true }],
            },
          ],
        },
      ],
    });
    const t = tahu.decodePayload(ours).metrics?.[0];
    expect(t?.value).toBeNull();
    expect(t?.isHistorical).toBe(true);
    expect(t?.properties?.['Quality']).toEqual({ type: 'Int32', value: 0 });
    expect(t?.properties?.['engUnit']).toEqual({ type: 'String', value: 'kW' });
    expect(t?.properties?.['nested']?.value).toEqual({ a: { type: 'Boolean', value: true } });

    const theirs = tahu.encodePayload({
      metrics: [
        {
          name: 'q',
          type: 'Float',
          value: null,
          isHistorical: true,
          properties: {
            Quality: { type: 'Int32', value: 192 },
            list: { type: 'PropertySetList', value: [{ x: { type: 'String', value: 'y' } }] },
          },
        },
      ],
    });
    expect(decodePayload(theirs).metrics[0]).toEqual({
      name: 'q',
      datatype: DataType.Float,
      isNull: true,
      isHistorical: true,
      value: null,
      properties: [
        { key: 'Quality', type: DataType.Int32, value: 192 },
        {
          key: 'list',
          type: DataType.PropertySetList,
          value: [[{ key: 'x', type: DataType.String, value: 'y' }]],
        },
      ],
    });
  });

  test('DataSet and Template cross both ways', () => {
    const dataset = {
      columns: ['n', 's', 'd', 'b'],
      types: [DataType.Int64, DataType.String, DataType.Double, DataType.Boolean],
      rows: [[-4n, 'x', 1.25, true]],
    };
    const t = tahu.decodePayload(
      encodePayload({ metrics: [{ name: 'ds', datatype: DataType.DataSet, value: dataset }] }),
    ).metrics?.[0]?.value as { columns: string[]; types: string[]; rows: unknown[][] };
    expect(t.columns).toEqual(dataset.columns);
    expect(t.types).toEqual(['Int64', 'String', 'Double', 'Boolean']);
    expect(t.rows[0]?.map((v, i) => normaliseTahu(t.types[i] ?? '', v))).toEqual(dataset.rows[0]);

    const theirs = tahu.encodePayload({
      metrics: [
        {
          name: 'ds',
          type: 'DataSet',
          value: { numOfColumns: 2, columns: ['a', 'b'], types: ['String', 'Double'], rows: [['x', 2.5]] },
        },
        {
          name: 'tpl',
          type: 'Template',
          value: {
            version: '1',
            isDefinition: true,
            metrics: [{ name: 'rpm', type: 'Int16', value: -3 }],
            parameters: [{ name: 'p', type: 'String', value: 'v' }],
          },
        },
      ],
    });
    const ours = decodePayload(theirs);
    expect(ours.metrics[0]?.value).toEqual({
      columns: ['a', 'b'],
      types: [DataType.String, DataType.Double],
      rows: [['x', 2.5]],
    });
    expect(ours.metrics[1]?.value).toEqual({
      version: '1',
      isDefinition: true,
      metrics: [{ name: 'rpm', datatype: DataType.Int16, value: -3 }],
      parameters: [{ name: 'p', type: DataType.String, value: 'v' }],
    });
  });

  const ARRAYS: [keyof typeof DataType, SpbValue, number[]][] = [
    [
      'BooleanArray',
      [false, false, true, true, false, true, false, false, true, true, false, true],
      [12, 0, 0, 0, 0x34, 0xd0],
    ],
    ['StringArray', ['ABC', 'hello'], [0x41, 0x42, 0x43, 0, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0]],
    ['Int8Array', [-23, 123], [0xe9, 0x7b]],
    ['Int16Array', [-30000, 30000], [0xd0, 0x8a, 0x30, 0x75]],
    ['Int32Array', [-1, 315338746], [0xff, 0xff, 0xff, 0xff, 0xfa, 0xaf, 0xcb, 0x12]],
    [
      'Int64Array',
      [-4270929666821191986n, -3601064768563266876n],
      [0xce, 0x06, 0x72, 0xac, 0x18, 0x9c, 0xba, 0xc4, 0xc4, 0xba, 0x9c, 0x18, 0xac, 0x72, 0x06, 0xce],
    ],
    ['UInt8Array', [23, 250], [0x17, 0xfa]],
    ['UInt16Array', [30, 52360], [0x1e, 0x00, 0x88, 0xcc]],
    ['UInt32Array', [52, 3293969225], [0x34, 0, 0, 0, 0x49, 0xfb, 0x55, 0xc4]],
    [
      'UInt64Array',
      [52n, 16444743074749521625n],
      [0x34, 0, 0, 0, 0, 0, 0, 0, 0xd9, 0x9e, 0x02, 0xd1, 0xb2, 0x76, 0x37, 0xe4],
    ],
    ['FloatArray', [1.5, -2.25], [0, 0, 0xc0, 0x3f, 0, 0, 0x10, 0xc0]],
    ['DoubleArray', [1.5], [0, 0, 0, 0, 0, 0, 0xf8, 0x3f]],
    ['DateTimeArray', [1256102875335], [0xc7, 0xd0, 0x90, 0x75, 0x24, 0x01, 0, 0]],
  ];

  test.each(ARRAYS)(
    '%s: Tahu-built bytes decode to %s, and ours carry the same bytes',
    (type, value, bytes) => {
      const theirs = TahuPayload.encode({
        metrics: [{ name: 'a', datatype: DataType[type], bytesValue: new Uint8Array(bytes) }],
      }).finish();
      expect(decodePayload(theirs).metrics[0]?.value).toEqual(value);
      const ours = TahuPayload.decode(
        encodePayload({ metrics: [{ name: 'a', datatype: DataType[type], value }] }),
      );
      expect(ours.metrics[0]?.datatype).toBe(DataType[type]);
      expect([...(ours.metrics[0]?.bytesValue ?? [])]).toEqual(bytes);
    },
  );
});
