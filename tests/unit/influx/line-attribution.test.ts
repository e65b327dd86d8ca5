import { Point } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { attributedLines, lineItem, measurementOf } from '../../../cloud/sink/line-attribution.js';

function item(p: Point) {
  const line = p.toLineProtocol();
  if (line === undefined) throw new Error('no line');
  return lineItem(p, line);
}

describe('measurementOf', () => {
  it('reads the unescaped measurement', () => {
    expect(measurementOf('telemetry,device=a v=1 1')).toBe('telemetry');
    expect(measurementOf('my\\ meas\\,x v=1')).toBe('my meas,x');
  });
});

describe('attributedLines', () => {
  const lines = [
    item(new Point('m').tag('d', 'a').floatField('v', 1).timestamp(1)),
    item(new Point('m').tag('d', 'a').stringField('v', 'x').timestamp(2)),
    item(new Point('m').tag('d', 'a').intField('v', 3).timestamp(3)),
    item(new Point('m').tag('d', 'a').stringField('w', 'x').timestamp(4)),
    item(new Point('other').stringField('v', 'x').timestamp(5)),
  ];

  it('a type conflict means every line of that measurement with another type for that field', () => {
    const meant = attributedLines(
      'partial write: field type conflict: input field "v" on measurement "m" is type string, already exists as type float dropped=2',
    );
    expect(meant).toBeDefined();
    expect(lines.filter((l) => meant?.(l)).map((l) => l.line)).toEqual(['m,d=a v="x" 2', 'm,d=a v=3i 3']);
  });

  it('a parse error means the quoted line', () => {
    const meant = attributedLines("partial write: unable to parse 'm,d=a v=3i 3': bad timestamp dropped=0");
    expect(lines.filter((l) => meant?.(l)).map((l) => l.line)).toEqual(['m,d=a v=3i 3']);
  });

  it('other messages name no lines', () => {
    expect(attributedLines('partial write: points beyond retention policy dropped=1')).toBeUndefined();
  });
});
