import { Point } from '@influxdata/influxdb-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyProblem, sanitiseStringField, sanitiseTag } from '../../../protocols/influx/sanitise.js';

describe('sanitiseTag', () => {
  it('replaces CR and LF (and other control characters) by a space', () => {
    expect(sanitiseTag('line\r\n3')).toBe('line 3');
    expect(sanitiseTag('a\nb\rc\td\u0000e')).toBe('a b c d e');
  });

  it('removes trailing backslashes, which would escape the separator after the tag', () => {
    expect(sanitiseTag('C:\\temp\\')).toBe('C:\\temp');
    expect(sanitiseTag('e\\\\\\')).toBe('e');
  });

  it('returns undefined when nothing is left, so the tag is omitted', () => {
    expect(sanitiseTag('')).toBeUndefined();
    expect(sanitiseTag('\\')).toBeUndefined();
    expect(sanitiseTag('\r\n')).toBeUndefined();
    expect(sanitiseTag('   ')).toBeUndefined();
  });

  it('keeps ordinary values, unicode included, NFC-normalised', () => {
    expect(sanitiseTag('press-07')).toBe('press-07');
    expect(sanitiseTag('重庆 line, 3=a')).toBe('重庆 line, 3=a');
    expect(sanitiseTag('e\u0301')).toBe('é');
  });

  it('replaces lone surrogates and caps the length', () => {
    expect(sanitiseTag('a\uD800b')).toBe('a\uFFFDb');
    expect(sanitiseTag('x'.repeat(1000))?.length).toBe(256);
  });

  it('any string becomes a tag that keeps the point on one well-formed line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const v = sanitiseTag(raw);
        const p = new Point('telemetry')
          .tag('device', v ?? '')
          .tag('site', 's')
          .floatField('v', 1)
          .timestamp(1);
        const line = p.toLineProtocol();
        expect(line).toBeDefined();
        expect(line).not.toMatch(/[\r\n]/);
        if (v !== undefined) {
          expect(v.endsWith('\\')).toBe(false);
          expect(v.trim()).not.toBe('');
        }
        // the tag after `device` is still intact: its separator was not escaped away
        expect(line).toMatch(/,site=s v=1 1$/);
      }),
    );
  });
});

describe('sanitiseStringField', () => {
  it('stores newlines as the escapes \\n and \\r, so a string field never ends the line', () => {
    expect(sanitiseStringField('jam at\r\nstation 2')).toBe('jam at\\r\\nstation 2');
    const line = new Point('m').stringField('msg', sanitiseStringField('a\nb')).timestamp(1).toLineProtocol();
    expect(line).toBe('m msg="a\\\\nb" 1');
  });

  it('keeps TAB, replaces other control characters, caps at 64 KiB of UTF-8', () => {
    expect(sanitiseStringField('a\tb\u0001c')).toBe('a\tb c');
    const long = sanitiseStringField('重'.repeat(30_000));
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(64 * 1024 - 1);
    expect(long.length).toBe(Math.floor((64 * 1024 - 1) / 3));
  });
});

describe('keyProblem', () => {
  it('accepts identifiers and metric names', () => {
    expect(keyProblem('power_kw')).toBeUndefined();
    expect(keyProblem('1st_stage')).toBeUndefined();
  });

  it('rejects reserved, empty and exotic keys with a reason', () => {
    expect(keyProblem('time')).toMatch(/reserved/);
    expect(keyProblem('_measurement')).toMatch(/reserved/);
    expect(keyProblem('')).toMatch(/not/);
    expect(keyProblem('a b')).toMatch(/not/);
    expect(keyProblem('a\n')).toMatch(/not/);
  });
});
