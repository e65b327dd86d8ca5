/** DataValue → Samples and the metric catalog, without a server. */
import { DataType, DataValue, StatusCodes, Variant, VariantArrayType } from 'node-opcua';
import { describe, expect, test, vi } from 'vitest';
import { MetricCatalog } from '../../../agent/sources/opcua/metric-catalog.js';
import { ItemDecoder } from '../../../agent/sources/opcua/value-decoder.js';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

function decoder(items = [{ name: 'pos' }], onChanged = vi.fn()) {
  const catalog = new MetricCatalog(items, onChanged);
  const problems: string[] = [];
  const d = new ItemDecoder('dev', items[0]?.name ?? 'x', 'flatten', catalog, (_i, p) => problems.push(p));
  return { d, catalog, onChanged, problems };
}

describe('ItemDecoder', () => {
  test('source timestamp first, then server timestamp, then receive time', () => {
    const { d } = decoder();
    const v = new Variant({ dataType: DataType.Double, value: 1 });
    const both = new DataValue({
      value: v,
      sourceTimestamp: new Date(T0),
      serverTimestamp: new Date(T0 + 5),
    });
    expect(d.decode(both, T0 + 9)[0]?.timestamp).toBe(T0);
    const server = new DataValue({ value: v, serverTimestamp: new Date(T0 + 5) });
    expect(d.decode(server, T0 + 9)[0]?.timestamp).toBe(T0 + 5);
    expect(d.decode(new DataValue({ value: v }), T0 + 9)[0]?.timestamp).toBe(T0 + 9);
  });

  test('a bad value makes every metric of the item bad with the code, value null', () => {
    const { d } = decoder();
    const arr = new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2] });
    expect(d.decode(new DataValue({ value: arr, sourceTimestamp: new Date(T0) }), T0)).toHaveLength(2);
    const bad = d.decode(
      new DataValue({ statusCode: StatusCodes.BadSensorFailure, sourceTimestamp: new Date(T0 + 1) }),
      T0,
    );
    expect(bad).toEqual([
      {
        device: 'dev',
        metric: 'pos_0',
        value: null,
        timestamp: T0 + 1,
        quality: 'bad',
        qualityCode: 0x808c0000,
      },
      {
        device: 'dev',
        metric: 'pos_1',
        value: null,
        timestamp: T0 + 1,
        quality: 'bad',
        qualityCode: 0x808c0000,
      },
    ]);
  });

  test('a Good status with a Null variant is a bad sample, not a silent drop', () => {
    const { d } = decoder();
    const s = d.decode(new DataValue({ value: new Variant({ dataType: DataType.Null }) }), T0);
    expect(s).toEqual([expect.objectContaining({ metric: 'pos', quality: 'bad', value: null })]);
  });

  test('NaN is published as bad (never stored as a float)', () => {
    const { d } = decoder();
    const s = d.decode(
      new DataValue({ value: new Variant({ dataType: DataType.Double, value: Number.NaN }) }),
      T0,
    );
    expect(s[0]).toMatchObject({ quality: 'bad', value: null });
  });
});

describe('MetricCatalog', () => {
  test('known before connect from config: type when given, double otherwise, string for json structures', () => {
    const c = new MetricCatalog([
      { name: 'a', type: 'UInt32', unit: 'pcs' },
      { name: 'b' },
      { name: 'c', structure: 'json', type: 'double' },
    ]);
    expect(c.metrics).toEqual([
      { name: 'a', kind: 'uint32', unit: 'pcs' },
      { name: 'b', kind: 'double' },
      { name: 'c', kind: 'string' },
    ]);
  });

  test('refined once from the first value, onChanged only when the shape changes', () => {
    const { d, catalog, onChanged } = decoder([{ name: 'pos' }]);
    const arr = (n: number) =>
      new DataValue({
        value: new Variant({
          dataType: DataType.Int16,
          arrayType: VariantArrayType.Array,
          value: Array(n).fill(1),
        }),
      });
    d.decode(arr(3), T0);
    d.decode(arr(3), T0);
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(catalog.metrics.map((m) => `${m.name}:${m.kind}`)).toEqual([
      'pos_0:int16',
      'pos_1:int16',
      'pos_2:int16',
    ]);
    d.decode(arr(4), T0);
    expect(onChanged).toHaveBeenCalledTimes(2);
    expect(catalog.namesOf('pos')).toHaveLength(4);
  });
});
