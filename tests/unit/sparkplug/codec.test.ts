import { describe, expect, test } from 'vitest';
import {
  DataType,
  decodePayload,
  encodePayload,
  SparkplugDecodeError,
  SparkplugEncodeError,
  type SpbMetric,
  type SpbValue,
} from '../../../protocols/sparkplug/index.js';
import { EVERY_DATATYPE } from './every-datatype.js';

function roundTrip(m: SpbMetric): SpbMetric {
  const out = decodePayload(encodePayload({ timestamp: 1, seq: 3, metrics: [m] }));
  const first = out.metrics[0];
  if (!first) throw new Error('no metric');
  return first;
}

describe('Sparkplug B payload codec', () => {
  test.each(EVERY_DATATYPE)('%s %s survives encode/decode exactly', (type, value) => {
    const m = roundTrip({ name: 'm', alias: 7n, timestamp: 1000, datatype: DataType[type], value });
    expect(m.datatype).toBe(DataType[type]);
    expect(m.value).toEqual(value);
    expect(m.alias).toBe(7n);
  });

  test('payload timestamp, seq, uuid and body survive', () => {
    const p = decodePayload(
      encodePayload({
        timestamp: 1767225600000,
        seq: 255,
        uuid: 'u',
        body: new Uint8Array([1, 2]),
        metrics: [],
      }),
    );
    expect(p).toEqual({
      timestamp: 1767225600000,
      seq: 255,
      uuid: 'u',
      body: new Uint8Array([1, 2]),
      metrics: [],
    });
  });

  test('is_null, is_historical, is_transient and properties (incl. nested sets) survive', () => {
    const m = roundTrip({
      name: 'power_kw',
      datatype: DataType.Float,
      isHistorical: true,
      isTransient: true,
      value: null,
      properties: [
        { key: 'engUnit', type: DataType.String, value: 'kW' },
        { key: 'Quality', type: DataType.Int32, value: 0 },
        { key: 'derived', type: DataType.Boolean, value: true },
        { key: 'limit', type: DataType.Int64, value: -(2n ** 40n) },
        { key: 'none', type: DataType.Double, value: null },
        { key: 'set', type: DataType.PropertySet, value: [{ key: 'x', type: DataType.Int8, value: -3 }] },
        {
          key: 'list',
          type: DataType.PropertySetList,
          value: [[{ key: 'y', type: DataType.String, value: 'a' }], []],
        },
      ],
    });
    expect(m).toEqual({
      name: 'power_kw',
      datatype: DataType.Float,
      isHistorical: true,
      isTransient: true,
      isNull: true,
      value: null,
      properties: [
        { key: 'engUnit', type: DataType.String, value: 'kW' },
        { key: 'Quality', type: DataType.Int32, value: 0 },
        { key: 'derived', type: DataType.Boolean, value: true },
        { key: 'limit', type: DataType.Int64, value: -(2n ** 40n) },
        { key: 'none', type: DataType.Double, value: null },
        { key: 'set', type: DataType.PropertySet, value: [{ key: 'x', type: DataType.Int8, value: -3 }] },
        {
          key: 'list',
          type: DataType.PropertySetList,
          value: [[{ key: 'y', type: DataType.String, value: 'a' }], []],
        },
      ],
    });
  });

  test('DataSet, Template and MetaData survive', () => {
    const dataset = {
      columns: ['a', 'b', 'c'],
      types: [DataType.Int32, DataType.String, DataType.UInt64],
      rows: [
        [-1, 'x', 2n ** 64n - 1n],
        [null, 'y', 0n],
      ],
    };
    expect(roundTrip({ name: 'ds', datatype: DataType.DataSet, value: dataset }).value).toEqual(dataset);
    const template = {
      version: 'v1',
      templateRef: 'Motor',
      isDefinition: false,
      metrics: [{ name: 'rpm', datatype: DataType.Int16, value: -2 }],
      parameters: [{ name: 'p', type: DataType.Double, value: 2.5 }],
    };
    expect(roundTrip({ name: 't', datatype: DataType.Template, value: template }).value).toEqual(template);
    const metadata = { isMultiPart: false, contentType: 'text/plain', size: 3n, fileName: 'a.txt', md5: 'x' };
    expect(
      roundTrip({ name: 'f', datatype: DataType.File, value: new Uint8Array(3), metadata }).metadata,
    ).toEqual(metadata);
  });

  test('a DATA metric without datatype keeps the wire form for the host to retype', () => {
    const m = roundTrip({ alias: 3n, timestamp: 5, datatype: DataType.Int8, sendDatatype: false, value: -5 });
    expect(m.datatype).toBeUndefined();
    expect(m.name).toBeUndefined();
    expect(m.value).toBe(0xfffffffb);
  });

  test('array packing follows the spec examples byte for byte', () => {
    const raw = (datatype: number, value: SpbValue): number[] => {
      const bytes = encodePayload({ metrics: [{ datatype, value, sendDatatype: false }] });
      const m = decodePayload(bytes).metrics[0];
      return [...((m?.value as Uint8Array | undefined) ?? [])];
    };
    expect(
      raw(DataType.BooleanArray, [
        false,
        false,
        true,
        true,
        false,
        true,
        false,
        false,
        true,
        true,
        false,
        true,
      ]),
    ).toEqual([0x0c, 0x00, 0x00, 0x00, 0x34, 0xd0]);
    expect(raw(DataType.StringArray, ['ABC', 'hello'])).toEqual([
      0x41, 0x42, 0x43, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
    ]);
    expect(raw(DataType.Int16Array, [-30000, 30000])).toEqual([0xd0, 0x8a, 0x30, 0x75]);
    expect(raw(DataType.UInt32Array, [52, 3293969225])).toEqual([
      0x34, 0x00, 0x00, 0x00, 0x49, 0xfb, 0x55, 0xc4,
    ]);
  });

  test('values that do not fit their datatype refuse to encode', () => {
    const bad: [number, unknown][] = [
      [DataType.Int8, 128],
      [DataType.UInt8, -1],
      [DataType.Int32, 1.5],
      [DataType.UInt64, -1n],
      [DataType.Int64, 2n ** 63n],
      [DataType.Boolean, 1],
      [DataType.String, 3],
      [DataType.Int8Array, [1, 200]],
      [DataType.StringArray, ['a\0b']],
    ];
    for (const [datatype, value] of bad) {
      expect(() => encodePayload({ metrics: [{ name: 'x', datatype, value: value as SpbValue }] })).toThrow(
        SparkplugEncodeError,
      );
    }
  });

  test('malformed bytes and malformed arrays are SparkplugDecodeError with code SPB_DECODE', () => {
    const cases = [
      new Uint8Array([1, 2, 3, 4, 5]),
      new Uint8Array([0x12, 0x05, 0x0a]),
      // metric{datatype: Int16Array, bytes_value: 3 bytes}
      new Uint8Array([0x12, 0x07, 0x20, 23, 0x82, 0x01, 0x03, 1, 2, 3]).subarray(0, 9),
      encodeRawArray(DataType.Int16Array, [1, 2, 3]),
      encodeRawArray(DataType.BooleanArray, [9, 0, 0, 0, 0xff]),
      encodeRawArray(DataType.StringArray, [0x41, 0x42]),
      encodeRawArray(DataType.StringArray, [0xff, 0x00]),
    ];
    for (const bytes of cases) {
      let caught: unknown;
      try {
        decodePayload(bytes);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(SparkplugDecodeError);
      expect((caught as SparkplugDecodeError).code).toBe('SPB_DECODE');
    }
  });
});

/** A payload with one metric whose datatype is an array type and whose bytes_value is exactly `bytes`. */
function encodeRawArray(datatype: number, bytes: number[]): Uint8Array {
  const metric = [0x20, datatype, 0x82, 0x01, bytes.length, ...bytes];
  return new Uint8Array([0x12, metric.length, ...metric]);
}
