/**
 * The hand-written serialiser (protocols/influx/line-protocol.ts) writes exactly what the official client's `Point`
 * writes, for every escape case (property-based), and the reader gets back what was written.
 */
import { Point } from '@influxdata/influxdb-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineBatch } from '../../../protocols/influx/line-batch.js';
import {
  escapeMeasurement,
  escapeTag,
  fieldText,
  fieldTypeOfText,
  formatLine,
  parseLine,
  quoteString,
  seriesKey,
} from '../../../protocols/influx/line-protocol.js';
import { sanitiseStringField, sanitiseTag } from '../../../protocols/influx/sanitise.js';

/** strings full of what line protocol escapes */
const nasty = fc.string({
  unit: fc.constantFrom('a', 'Z', '9', '_', ',', ' ', '=', '"', '\\', '\n', '\r', '\t', 'é', '😀', '\u0000'),
  minLength: 1,
  maxLength: 12,
});
type FieldSpec =
  | { t: 'float'; v: number }
  | { t: 'integer'; v: bigint }
  | { t: 'boolean'; v: boolean }
  | { t: 'string'; v: string };
const field: fc.Arbitrary<FieldSpec> = fc.oneof(
  fc.record({ t: fc.constant('float' as const), v: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
  fc.record({ t: fc.constant('integer' as const), v: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
  fc.record({ t: fc.constant('boolean' as const), v: fc.boolean() }),
  fc.record({ t: fc.constant('string' as const), v: nasty }),
);

function ours(f: FieldSpec): string {
  switch (f.t) {
    case 'float':
      return fieldText.float(f.v);
    case 'integer':
      return fieldText.integer(f.v);
    case 'boolean':
      return fieldText.boolean(f.v);
    default:
      return fieldText.string(f.v);
  }
}

function theirs(p: Point, k: string, f: FieldSpec): void {
  switch (f.t) {
    case 'float':
      p.floatField(k, f.v);
      return;
    case 'integer':
      p.fields[k] = `${f.v}i`; // intField goes through Number (loses precision): buildPoint does the same
      return;
    case 'boolean':
      p.booleanField(k, f.v);
      return;
    default:
      p.stringField(k, sanitiseStringField(f.v));
  }
}

const settings = { convertTime: (t: string | number | Date | undefined) => String(t) };

describe('line protocol serialiser', () => {
  it('writes what Point.toLineProtocol writes: measurement, tags, field keys and values, every escape', () => {
    fc.assert(
      fc.property(
        nasty,
        fc.dictionary(nasty, nasty, { maxKeys: 4 }),
        fc.dictionary(nasty, field, { minKeys: 1, maxKeys: 5 }),
        fc.integer({ min: -1e12, max: 4e12 }),
        (measurement, tags, fields, ts) => {
          const p = new Point(measurement).timestamp(ts);
          for (const [k, v] of Object.entries(tags)) {
            const s = sanitiseTag(v);
            if (s !== undefined) p.tag(k, s);
          }
          for (const [k, f] of Object.entries(fields)) theirs(p, k, f);
          const line = formatLine(
            seriesKey(measurement, tags),
            Object.entries(fields).map(([k, f]) => [k, ours(f)] as const),
            String(ts),
          );
          expect(line).toBe(p.toLineProtocol(settings));
          // and it reads back: the series, the keys and the values as written (names with a backslash are
          // ambiguous in line protocol itself; ours never have one: keyProblem)
          const names = [measurement, ...Object.keys(tags), ...Object.values(tags), ...Object.keys(fields)];
          if (names.some((n) => n.includes('\\'))) return;
          const back = parseLine(line);
          expect(back?.series).toBe(seriesKey(measurement, tags));
          expect(back?.time).toBe(String(ts));
          // (a key with a newline is written `\n`, which InfluxDB reads as a backslash and an n: order may differ)
          if (Object.keys(fields).every((k) => !/[\n\r\t]/.test(k)))
            expect(formatLine(back?.series ?? '', back?.fields ?? [], back?.time ?? '')).toBe(line);
          if (!/[\n\r\t]/.test(measurement)) expect(back?.measurement).toBe(measurement);
          for (const [k, f] of Object.entries(fields)) {
            const t = fieldTypeOfText(ours(f));
            expect([k, t]).toEqual([k, f.t]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('escapes like the client, case by case', () => {
    expect(escapeMeasurement('a b,c\nd=e')).toBe('a\\ b\\,c\\nd=e');
    expect(escapeTag('a b,c=d\te')).toBe('a\\ b\\,c\\=d\\te');
    expect(quoteString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(fieldText.string('two\nlines')).toBe('"two\\\\nlines"'); // the newline policy's escape, then quoted
  });

  it('groups the fields of one series and time into one line, the last value of a field winning', () => {
    const b = new LineBatch();
    const s = seriesKey('telemetry', { site: 's', node: 'n', device: 'd' });
    b.add('telemetry', s, '1', 'b', '2');
    b.add('telemetry', s, '1', 'a', '1i');
    b.add('telemetry', s, '2', 'a', '3i');
    b.add('telemetry', s, '1', 'b', '4');
    expect(b.toLines()).toEqual([
      'telemetry,device=d,node=n,site=s a=1i,b=4 1',
      'telemetry,device=d,node=n,site=s a=3i 2',
    ]);
  });
});
