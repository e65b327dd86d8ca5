import { describe, expect, test } from 'vitest';
import type { MetricInfo } from '../../../protocols/metric.js';
import type { Sample } from '../../../protocols/sample.js';
import {
  birthMetric,
  DataType,
  decodePayload,
  encodePayload,
  metricInfoFromBirth,
  qualityFromCode,
  qualityOf,
  sampleToMetric,
  sampleValueFromMetric,
} from '../../../protocols/sparkplug/index.js';

const sample = (over: Partial<Sample> = {}): Sample => ({
  device: 'press-07',
  metric: 'power_kw',
  value: 12.5,
  timestamp: 1767225600000,
  quality: 'good',
  ...over,
});

describe('Sample / MetricInfo ⇄ Sparkplug metric', () => {
  test('quality travels as the Quality property (192/64/0) and reads back', () => {
    for (const q of ['good', 'uncertain', 'bad'] as const) {
      const m = sampleToMetric(sample({ quality: q }), { datatype: DataType.Double, alias: 1n });
      if (!m.ok) throw new Error(m.reason);
      const back = decodePayload(encodePayload({ metrics: [m.value] })).metrics[0];
      if (!back) throw new Error('lost');
      expect(qualityOf(back)).toBe(q);
      expect(back.properties?.length ?? 0).toBe(q === 'good' ? 0 : 1);
    }
    expect(qualityFromCode(500)).toBe('uncertain');
    expect(qualityFromCode(216)).toBe('good');
    expect(qualityFromCode(8)).toBe('bad');
  });

  test('a bad null sample is is_null with Quality 0; a historical sample is is_historical', () => {
    const m = sampleToMetric(sample({ value: null, quality: 'bad', historical: true }), {
      datatype: DataType.Float,
    });
    expect(m).toEqual({
      ok: true,
      value: {
        timestamp: 1767225600000,
        datatype: DataType.Float,
        value: null,
        isNull: true,
        isHistorical: true,
        properties: [{ key: 'Quality', type: DataType.Int32, value: 0 }],
      },
    });
  });

  test('a value that does not fit the kind is a reason, not an exception', () => {
    const m = sampleToMetric(sample({ value: 'x' }), { datatype: DataType.Int16 });
    expect(m.ok).toBe(false);
  });

  test('birth metrics carry name, alias, datatype, unit, description, derived, and read back as MetricInfo', () => {
    const info: MetricInfo = { name: 'power_kw', kind: 'float', unit: 'kW', derived: true, description: 'd' };
    const m = birthMetric(info, 4n, sample({ value: 3.5 }), 99);
    const back = decodePayload(encodePayload({ metrics: [m] })).metrics[0];
    if (!back) throw new Error('lost');
    expect(back).toMatchObject({ name: 'power_kw', alias: 4n, datatype: DataType.Float, value: 3.5 });
    expect(metricInfoFromBirth(back)).toEqual({ ok: true, value: info });
    const unknown = birthMetric({ name: 'x', kind: 'uint64' }, 5n, undefined, 99);
    expect(unknown).toMatchObject({ isNull: true, timestamp: 99, datatype: DataType.UInt64 });
  });

  test('every MetricKind maps to a datatype and back, keeping 64-bit values exact', () => {
    const kinds: [MetricInfo['kind'], Sample['value']][] = [
      ['boolean', true],
      ['int8', -8],
      ['int16', -16],
      ['int32', -32],
      ['int64', -(2n ** 62n)],
      ['uint8', 8],
      ['uint16', 16],
      ['uint32', 4294967295],
      ['uint64', 2n ** 64n - 1n],
      ['float', 0.5],
      ['double', 0.1],
      ['string', 's'],
      ['datetime', 1767225600000],
    ];
    for (const [kind, value] of kinds) {
      const m = birthMetric({ name: 'm', kind }, 1n, sample({ value }), 0);
      const wire = decodePayload(encodePayload({ metrics: [{ ...m, sendDatatype: false }] })).metrics[0];
      if (!wire || m.datatype === undefined) throw new Error('lost');
      expect(metricInfoFromBirth(m)).toEqual({ ok: true, value: { name: 'm', kind } });
      expect(sampleValueFromMetric(wire.value, m.datatype)).toEqual({ ok: true, value });
    }
    expect(sampleValueFromMetric(new Uint8Array(2), DataType.Int16Array).ok).toBe(false);
  });
});
