/** Variant → metric values without a server: every built-in type, arrays, matrices, structures. */
import { DataType, Range, ServerStatusDataType, Variant, VariantArrayType } from 'node-opcua';
import { describe, expect, test } from 'vitest';
import { flattenVariant, scalarValue } from '../../../protocols/opcua/value-flatten.js';

describe('scalars', () => {
  test('64-bit integers from node-opcua [high, low] words keep full precision', () => {
    expect(scalarValue(8, [0xffffffff, 0xffffffff])).toBe(-1n);
    expect(scalarValue(9, [0xffffffff, 0xffffffff])).toBe(18446744073709551615n);
    expect(scalarValue(8, [0x001fffff, 0xffffffff])).toBe(9007199254740991n);
  });

  test('DateTime → epoch ms; OPC UA MinDateTime → null', () => {
    expect(scalarValue(13, new Date('2026-01-02T03:04:05.678Z'))).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(scalarValue(13, new Date('1601-01-01T00:00:00Z'))).toBeNull();
  });

  test('ByteString → base64, LocalizedText → text, StatusCode → its value', () => {
    expect(scalarValue(15, Buffer.from([1, 2]))).toBe('AQI=');
    expect(scalarValue(21, { text: 'Hallo', locale: 'de' })).toBe('Hallo');
    expect(scalarValue(19, { value: 0x80340000 })).toBe(0x80340000);
  });
});

describe('variants', () => {
  test('a Float array becomes name_0..n with kind float', () => {
    const v = new Variant({ dataType: DataType.Float, arrayType: VariantArrayType.Array, value: [1.5, 2.5] });
    expect(flattenVariant('t', v).fields).toEqual([
      { name: 't_0', kind: 'float', value: 1.5 },
      { name: 't_1', kind: 'float', value: 2.5 },
    ]);
  });

  test('a matrix is flattened row-major', () => {
    const v = new Variant({
      dataType: DataType.Int32,
      arrayType: VariantArrayType.Matrix,
      value: [1, 2, 3, 4],
      dimensions: [2, 2],
    });
    expect(flattenVariant('m', v).fields.map((f) => f.value)).toEqual([1, 2, 3, 4]);
  });

  test('a structure flattens by its schema, nested structures and enumerations included', () => {
    const status = new ServerStatusDataType({
      startTime: new Date('2026-01-01T00:00:00Z'),
      state: 0,
      buildInfo: { productName: 'P', buildDate: new Date('2025-01-01T00:00:00Z') },
    });
    const { fields } = flattenVariant(
      's',
      new Variant({ dataType: DataType.ExtensionObject, value: status }),
    );
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.s_startTime).toEqual({
      name: 's_startTime',
      kind: 'datetime',
      value: Date.UTC(2026, 0, 1),
    });
    expect(byName.s_state).toEqual({ name: 's_state', kind: 'int32', value: 0 });
    expect(byName.s_buildInfo_productName?.value).toBe('P');
    expect(byName.s_shutdownReason?.kind).toBe('string');
  });

  test('json mode keeps a structure as one string metric', () => {
    const v = new Variant({ dataType: DataType.ExtensionObject, value: new Range({ low: 1, high: 2 }) });
    expect(flattenVariant('r', v, 'json').fields).toEqual([
      { name: 'r', kind: 'string', value: '{"low":1,"high":2}' },
    ]);
  });

  test('an array of structures flattens each element', () => {
    const v = new Variant({
      dataType: DataType.ExtensionObject,
      arrayType: VariantArrayType.Array,
      value: [new Range({ low: 0, high: 1 }), new Range({ low: 2, high: 3 })],
    });
    expect(flattenVariant('r', v).fields.map((f) => `${f.name}=${String(f.value)}`)).toEqual([
      'r_0_low=0',
      'r_0_high=1',
      'r_1_low=2',
      'r_1_high=3',
    ]);
  });

  test('a field name that cannot be a metric name is reported, not silently dropped', () => {
    const long = 'n'.repeat(61);
    const v = new Variant({ dataType: DataType.ExtensionObject, value: new Range({ low: 1, high: 2 }) });
    const r = flattenVariant(long, v);
    expect(r.fields).toEqual([]);
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toContain('value dropped');
  });
});

describe('structures without a schema', () => {
  test('an opaque structure (unknown DataTypeDefinition) is kept as base64 and reported', () => {
    const opaque = { nodeId: 'ns=3;i=5001', buffer: Buffer.from([1, 2, 3]) };
    const r = flattenVariant('udt', { dataType: 22, arrayType: 0, value: opaque });
    expect(r.fields).toEqual([{ name: 'udt', kind: 'string', value: 'AQID' }]);
    expect(r.problems[0]).toContain('no DataTypeDefinition');
  });

  test('a plain decoded object flattens from its JavaScript types', () => {
    const r = flattenVariant('s', {
      dataType: 22,
      value: { a: 1, b: true, c: 'x', d: new Date(5000), e: [1, 2], f: { text: 'hi' }, g: 9n },
    });
    expect(r.fields.map((f) => [f.name, f.kind, f.value])).toEqual([
      ['s_a', 'double', 1],
      ['s_b', 'boolean', true],
      ['s_c', 'string', 'x'],
      ['s_d', 'datetime', 5000],
      ['s_e_0', 'double', 1],
      ['s_e_1', 'double', 2],
      ['s_f', 'string', 'hi'],
      ['s_g', 'int64', 9n],
    ]);
  });
});
