import { describe, expect, it } from 'vitest';
import { buildPoint } from '../../../protocols/influx/point-builder.js';
import {
  qualityPoint,
  type SamplePointResult,
  telemetryPoint,
} from '../../../protocols/influx/sample-points.js';
import type { Sample } from '../../../protocols/sample.js';

const T = 1_700_000_000_123;
const ctx = { site: 'cq-plant1', node: 'line3-gw', tags: { line: 'line3', kind: 'press' } };

function sample(over: Partial<Sample>): Sample {
  return { device: 'press-07', metric: 'power_kw', value: 1.5, timestamp: T, quality: 'good', ...over };
}

function line(r: SamplePointResult): string | undefined {
  if (!r.ok) throw new Error(`expected a point, got ${r.code}: ${r.reason}`);
  return r.point.toLineProtocol();
}

describe('telemetryPoint', () => {
  it('maps a float sample to measurement telemetry, core and device tags, one field, ms time', () => {
    expect(line(telemetryPoint(sample({}), ctx))).toBe(
      `telemetry,device=press-07,kind=press,line=line3,node=line3-gw,site=cq-plant1 power_kw=1.5 ${T}`,
    );
  });

  it('writes booleans, strings, integers and bigints with their InfluxDB types', () => {
    expect(line(telemetryPoint(sample({ metric: 'running', value: true }), ctx))).toContain(' running=T ');
    expect(line(telemetryPoint(sample({ metric: 'recipe', value: 'A "7"\n' }), ctx))).toContain(
      ' recipe="A \\"7\\"\\\\n" ',
    );
    expect(
      line(telemetryPoint(sample({ metric: 'parts', value: 42 }), { ...ctx, kind: 'uint32' })),
    ).toContain(' parts=42i ');
    expect(line(telemetryPoint(sample({ metric: 'parts', value: 42 }), ctx))).toContain(' parts=42 ');
  });

  it('keeps a bigint exact as an integer field, and refuses one beyond int64', () => {
    const max = 9_223_372_036_854_775_807n;
    expect(line(telemetryPoint(sample({ metric: 'energy_wh', value: max }), ctx))).toContain(
      ' energy_wh=9223372036854775807i ',
    );
    expect(line(telemetryPoint(sample({ metric: 'e', value: -max - 1n }), ctx))).toContain(
      ' e=-9223372036854775808i ',
    );
    const r = telemetryPoint(sample({ metric: 'e', value: max + 1n }), ctx);
    expect(r).toMatchObject({ ok: false, code: 'INTEGER_OUT_OF_RANGE', dropped: true });
  });

  it('writes no telemetry field for a bad sample, nor for NaN or Infinity (they become bad)', () => {
    expect(telemetryPoint(sample({ quality: 'bad' }), ctx)).toMatchObject({
      ok: false,
      code: 'BAD_QUALITY',
      dropped: false,
    });
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(telemetryPoint(sample({ value }), ctx)).toMatchObject({ ok: false, code: 'BAD_QUALITY' });
      expect(telemetryPoint(sample({ value, quality: 'good' }), ctx)).toMatchObject({ ok: false });
    }
  });

  it('writes uncertain values, and reports a null value as nothing to write', () => {
    expect(line(telemetryPoint(sample({ quality: 'uncertain' }), ctx))).toContain(' power_kw=1.5 ');
    expect(telemetryPoint(sample({ value: null }), ctx)).toMatchObject({ ok: false, code: 'NO_VALUE' });
  });

  it('reports malformed samples as dropped, with the reason', () => {
    const r = telemetryPoint(sample({ device: 'bad device\n' }), ctx);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_SAMPLE', dropped: true });
    expect(r.ok ? '' : r.reason).toMatch(/BAD_DEVICE/);
    expect(telemetryPoint(sample({ timestamp: Number.NaN }), ctx)).toMatchObject({ code: 'INVALID_SAMPLE' });
    expect(telemetryPoint(sample({ metric: 'time' }), ctx)).toMatchObject({ code: 'BAD_KEY', dropped: true });
  });

  it('rejects a fractional value for an integer metric kind instead of causing a type conflict', () => {
    expect(telemetryPoint(sample({ value: 1.5 }), { ...ctx, kind: 'int16' })).toMatchObject({
      ok: false,
      code: 'TYPE_MISMATCH',
      dropped: true,
    });
  });

  it('sanitises device tags and never lets them override site, node or device', () => {
    const r = telemetryPoint(sample({}), {
      site: 's',
      node: 'n',
      tags: { site: 'evil', device: 'evil', area: 'hall\r\n2\\', empty: '\n' },
    });
    expect(line(r)).toBe(`telemetry,area=hall\\ 2,device=press-07,node=n,site=s power_kw=1.5 ${T}`);
  });
});

describe('qualityPoint', () => {
  it('maps to measurement quality with tags site, node, device, metric and the quality and code fields', () => {
    expect(
      line(qualityPoint(sample({ quality: 'bad', value: Number.NaN }), { ...ctx, code: 0x80000000 })),
    ).toBe(
      `quality,device=press-07,metric=power_kw,node=line3-gw,site=cq-plant1 code=2147483648i,quality="bad" ${T}`,
    );
    expect(line(qualityPoint(sample({ quality: 'uncertain' }), ctx))).toBe(
      `quality,device=press-07,metric=power_kw,node=line3-gw,site=cq-plant1 quality="uncertain" ${T}`,
    );
  });
});

describe('buildPoint', () => {
  it('builds other measurements with typed fields and omits empty ones', () => {
    const r = buildPoint({
      measurement: 'oee',
      tags: { site: 's', device: 'd', period: '1h', shift: undefined },
      fields: { oee: 0.5, total_count: { int: 10 }, note: undefined, active: false },
      timestamp: 1000.9,
    });
    expect(r.ok && r.point.toLineProtocol()).toBe(
      'oee,device=d,period=1h,site=s active=F,oee=0.5,total_count=10i 1000',
    );
  });

  it('says why a point cannot be built', () => {
    const base = { measurement: 'm', timestamp: 1 };
    expect(buildPoint({ ...base, fields: {} })).toMatchObject({ ok: false, code: 'NO_FIELDS' });
    expect(buildPoint({ ...base, fields: { v: Number.NaN } })).toMatchObject({ code: 'BAD_FIELD_VALUE' });
    expect(buildPoint({ ...base, fields: { v: { int: 1.5 } } })).toMatchObject({ code: 'BAD_FIELD_VALUE' });
    expect(buildPoint({ ...base, measurement: 'a b', fields: { v: 1 } })).toMatchObject({
      code: 'BAD_MEASUREMENT',
    });
    expect(buildPoint({ ...base, timestamp: 1e20, fields: { v: 1 } })).toMatchObject({
      code: 'BAD_TIMESTAMP',
    });
    expect(buildPoint({ ...base, tags: { v: 'x' }, fields: { v: 1 } })).toMatchObject({ code: 'BAD_KEY' });
  });
});
