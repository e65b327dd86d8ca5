import type { Point } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { type FieldType, FieldTypeRegistry, fieldTypeOf } from '../../../cloud/ingest/field-types.js';
import { buildPoint } from '../../../protocols/influx/point-builder.js';

function point(fields: Record<string, number | bigint | string | boolean>): Point {
  const r = buildPoint({ measurement: 'telemetry', tags: { device: 'd' }, fields, timestamp: 1 });
  if (!r.ok) throw new Error(r.reason);
  return r.point;
}

describe('fieldTypeOf', () => {
  it('reads the type from the escaped line-protocol value', () => {
    expect(fieldTypeOf('1.5')).toBe('float');
    expect(fieldTypeOf('1')).toBe('float');
    expect(fieldTypeOf('-12i')).toBe('integer');
    expect(fieldTypeOf('12u')).toBe('unsigned');
    expect(fieldTypeOf('"x"')).toBe('string');
    expect(fieldTypeOf('true')).toBe('boolean');
    expect(fieldTypeOf('F')).toBe('boolean');
  });
});

describe('FieldTypeRegistry', () => {
  it('learns the first type of a field and keeps later points of the same type untouched', () => {
    const reg = new FieldTypeRegistry();
    expect(reg.check('telemetry', point({ a: 1.5, b: 2n })).conflicts).toEqual([]);
    expect(reg.typeOf('telemetry', 'a')).toBe('float');
    expect(reg.typeOf('telemetry', 'b')).toBe('integer');
    const p = point({ a: 3.5, b: 4n });
    const r = reg.check('telemetry', p);
    expect(r).toMatchObject({ conflicts: [], coerced: 0 });
    expect(r.point?.fields).toEqual({ a: '3.5', b: '4i' });
  });

  it('writes an integer into a float field as a float', () => {
    const reg = new FieldTypeRegistry();
    reg.check('telemetry', point({ a: 1.5 }));
    const r = reg.check('telemetry', point({ a: 7n }));
    expect(r.coerced).toBe(1);
    expect(r.point?.fields).toEqual({ a: '7' });
  });

  it('takes any other conflicting field out of the point, with the reason, and keeps the rest', () => {
    const reg = new FieldTypeRegistry();
    reg.check('telemetry', point({ state: 'running', n: 1n }));
    const r = reg.check('telemetry', point({ state: 3n, n: 2n }));
    expect(r.point?.fields).toEqual({ n: '2i' });
    expect(r.conflicts).toEqual([
      {
        measurement: 'telemetry',
        field: 'state',
        value: '3i',
        reason:
          'field type conflict: "state" on "telemetry" is integer, the field is string (caught before InfluxDB)',
      },
    ]);
    // a point left without fields is not written at all
    expect(reg.check('telemetry', point({ state: true })).point).toBeUndefined();
    // the same field name in another measurement is another field
    expect(reg.check('other', point({ state: 3n })).conflicts).toEqual([]);
  });

  it("takes the server's word: learns from a 422 message and persists through its store", () => {
    const saved: [string, string, FieldType][] = [];
    const reg = new FieldTypeRegistry({
      load: () => [['telemetry', 'x', 'float']],
      save: (m, f, t) => saved.push([m, f, t]),
    });
    expect(reg.typeOf('telemetry', 'x')).toBe('float');
    expect(
      reg.learnFromServer(
        'partial write: field type conflict: input field "mode" on measurement "telemetry" is type integer, already exists as type string dropped=1',
      ),
    ).toBe(true);
    expect(reg.typeOf('telemetry', 'mode')).toBe('string');
    expect(reg.learnFromServer('unable to parse something')).toBe(false);
    expect(saved).toEqual([['telemetry', 'mode', 'string']]);
  });
});
