/**
 * Properties of the HJ 212 codec: what is encoded decodes to the same thing, however TCP cuts the stream; garbage
 * and broken packets between good ones cost only themselves; every delimiter (the standard has no escape) is
 * refused on encode rather than written into a packet that would read back differently.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DataSegment,
  encodeDataSegment,
  encodePacket,
  HJ212_MAX_DATA_LENGTH,
  PacketReader,
  parseDataSegment,
  type ReadEvent,
} from '../../../protocols/hj212/index.js';

const SAFE = fc.stringMatching(/^[A-Za-z0-9 .:_+-]{1,12}$/);
const KEY = fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/);
const segment: fc.Arbitrary<DataSegment> = fc.record({
  qn: fc.stringMatching(/^[0-9]{17}$/),
  st: fc.constantFrom('22', '31', '32', '91'),
  cn: fc.constantFrom('2011', '2051', '2061', '2031', '9014'),
  pw: SAFE,
  mn: SAFE,
  flag: fc.integer({ min: 0, max: 255 }),
  cp: fc.array(fc.array(fc.tuple(KEY, SAFE), { minLength: 1, maxLength: 4 }), { maxLength: 6 }),
});

function feed(reader: PacketReader, bytes: Buffer, cuts: number[]): ReadEvent[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: ReadEvent[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...reader.push(bytes.subarray(at, p)));
    at = p;
  }
  return out;
}

describe('HJ 212 codec properties', () => {
  it('encode then decode gives the segment back, for any split of the byte stream', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.array(fc.nat()), (segs, cuts) => {
        const texts = segs.map(encodeDataSegment);
        const bytes = Buffer.concat(texts.map((t) => encodePacket(t)));
        const events = feed(new PacketReader({ maxDataLength: 9999 }), bytes, cuts);
        expect(events).toEqual(texts.map((data) => ({ kind: 'packet', data })));
        expect(events.map((e) => (e.kind === 'packet' ? parseDataSegment(e.data) : e))).toEqual(segs);
      }),
    );
  });

  it('a corrupted byte costs only its own packet; the next packets still arrive', () => {
    fc.assert(
      fc.property(segment, segment, fc.nat(), fc.integer({ min: 1, max: 255 }), (a, b, pos, xor) => {
        const first = encodePacket(encodeDataSegment(a));
        const i = 6 + (pos % (first.length - 12)); // inside the data segment
        const broken = Buffer.from(first);
        broken[i] = (broken[i] as number) ^ xor;
        const second = encodePacket(encodeDataSegment(b));
        const events = new PacketReader({ maxDataLength: 9999 }).push(Buffer.concat([broken, second]));
        expect(events.filter((e) => e.kind === 'packet')).toEqual([
          { kind: 'packet', data: encodeDataSegment(b) },
        ]);
        expect(events.some((e) => e.kind === 'refused')).toBe(true);
      }),
    );
  });

  it('garbage between packets is refused and skipped; held bytes never exceed one packet', () => {
    fc.assert(
      fc.property(segment, fc.uint8Array({ maxLength: 3000 }), (s, junk) => {
        const good = encodePacket(encodeDataSegment(s));
        const reader = new PacketReader();
        const events = [...reader.push(junk), ...reader.push(Buffer.from('\r\n')), ...reader.push(good)];
        expect(reader.pending).toBeLessThanOrEqual(HJ212_MAX_DATA_LENGTH + 12);
        // junk may be read as the start of a packet that swallows the good one; then a second copy arrives
        const again = reader.push(good);
        const packets = [...events, ...again].filter((e) => e.kind === 'packet');
        expect(packets.length).toBeGreaterThanOrEqual(1);
        expect(packets.at(-1)).toEqual({ kind: 'packet', data: encodeDataSegment(s) });
      }),
    );
  });

  it('refuses every delimiter in a field on encode: the standard has no escape', () => {
    fc.assert(
      fc.property(
        SAFE,
        fc.constantFrom(';', ',', '=', '&', '\r', '\n'),
        fc.constantFrom('pw', 'mn', 'key', 'value'),
        (text, d, where) => {
          const bad = `${text}${d}${text}`;
          const seg: DataSegment = {
            st: '32',
            cn: '2011',
            pw: where === 'pw' ? bad : 'p',
            mn: where === 'mn' ? bad : 'm',
            cp: [[[where === 'key' ? bad : 'k', where === 'value' ? bad : 'v']]],
          };
          expect(() => encodeDataSegment(seg)).toThrow(/delimiter/);
        },
      ),
    );
  });

  it('refuses a length over the limit without waiting for its bytes', () => {
    const reader = new PacketReader();
    expect(reader.push(Buffer.from('##9999QN=1'))).toMatchObject([
      { kind: 'refused', code: 'HJ212_TOO_LONG' },
    ]);
    expect(reader.pending).toBeLessThan(10);
  });

  it('refuses a data segment it cannot split: no CP, a field without =, a CP not closed by &&', () => {
    expect(() => parseDataSegment('ST=32;CN=2011;MN=1')).toThrow(/no CP/);
    expect(() => parseDataSegment('ST=32;CN;MN=1;CP=&&&&')).toThrow(/key=value/);
    expect(() => parseDataSegment('ST=32;CN=2011;MN=1;CP=&&a=1')).toThrow(/&&/);
    expect(() => parseDataSegment('ST=32;CN=2011;PW=1;CP=&&&&')).toThrow(/no MN/);
  });
});
