import { describe, expect, it } from 'vitest';
import { resolveS7Point, type S7PointSpec, s7MetricKind } from '../../../protocols/s7/point.js';

const problems = (p: Omit<S7PointSpec, 'name'>) => {
  const r = resolveS7Point({ name: 'x', ...p });
  return r.ok ? [] : r.problems.map((x) => `${x.field}: ${x.message}`);
};

describe('S7 point rules', () => {
  it('takes the type from the address when it can, and the width from the type', () => {
    const r = (p: Omit<S7PointSpec, 'name'>) => {
      const x = resolveS7Point({ name: 'x', ...p });
      if (!x.ok) throw new Error(JSON.stringify(x.problems));
      return [x.resolved.type, x.resolved.width];
    };
    expect(r({ address: 'DB1.DBX0.3' })).toEqual(['bool', 1]);
    expect(r({ address: 'MB0' })).toEqual(['byte', 1]);
    expect(r({ address: 'MW0' })).toEqual(['word', 2]);
    expect(r({ address: 'DB1.DBD0' })).toEqual(['dword', 4]);
    expect(r({ address: 'DB1.DBD0', type: 'real' })).toEqual(['real', 4]);
    expect(r({ address: 'DB1.8', type: 'lreal' })).toEqual(['lreal', 8]);
    expect(r({ address: 'DB1.8', type: 'date_and_time' })).toEqual(['date_and_time', 8]);
    expect(r({ address: 'DB1.20', type: 'string', length: 16 })).toEqual(['string', 18]);
    expect(r({ address: 'T3' })).toEqual(['word', 1]);
  });

  it('refuses what a PLC would read wrongly, saying how to write it', () => {
    expect(problems({ address: 'DB1.DBW0', type: 'real' })).toEqual([
      'address: DB1.DBW0 is 2 bytes, real is 4: use the D form',
    ]);
    expect(problems({ address: 'DB1.DBD0', type: 'lreal' })).toEqual([
      'address: DB1.DBD0 is 4 bytes, lreal is 8: write the byte without a size letter, as in DB1.8 or M8',
    ]);
    expect(problems({ address: 'DB1.8' })).toEqual([
      'type: DB1.8 names a byte without a size letter: give type (or write DBB/DBW/DBD, MB/MW/MD)',
    ]);
    expect(problems({ address: 'DB1.DBB0', type: 'bool' })).toEqual([
      'address: bool needs a bit address, as in DB1.DBB0.0',
    ]);
    expect(problems({ address: 'M0.1', type: 'int' })).toEqual([
      'type: M0.1 is one bit: type must be bool, not int',
    ]);
    expect(problems({ address: 'DB1.8', type: 'string' })).toEqual([
      'length: type string needs length (STRING[n]: n)',
    ]);
    expect(problems({ address: 'DB1.DBW0', type: 'int', length: 3 })).toEqual([
      'length: length only applies to type string, not int',
    ]);
    expect(problems({ address: 'T1', type: 'int' })).toEqual([
      'type: T1 is a timer: its value is a word, not int',
    ]);
    expect(problems({ address: 'M0.0', scale: 2, deadband: 1 })).toEqual([
      'scale: scale only applies to numbers, not bool',
      'deadband: deadband only applies to numbers, not bool',
    ]);
    expect(problems({ address: 'MW0', scale: 0 })).toEqual(['scale: scale 0 would erase every reading']);
  });

  it('reports metric kinds as births and InfluxDB need them; scaled numbers are doubles', () => {
    expect(s7MetricKind({ name: 'x', address: 'MW0' }, 'int')).toBe('int16');
    expect(s7MetricKind({ name: 'x', address: 'MW0', scale: 0.1 }, 'int')).toBe('double');
    expect(s7MetricKind({ name: 'x', address: 'DB1.0' }, 'date_and_time')).toBe('datetime');
    expect(s7MetricKind({ name: 'x', address: 'DB1.0' }, 'char')).toBe('string');
    expect(s7MetricKind({ name: 'x', address: 'DB1.0' }, 'lreal')).toBe('double');
  });
});
