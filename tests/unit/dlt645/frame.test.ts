import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DecodedItem,
  decodeAddress,
  encodeAddress,
  encodeFrame,
  FrameDecoder,
  fromHex,
  hex,
  scramble,
  unscramble,
} from '../../../protocols/dlt645/frame.js';
import {
  addressReply,
  errorReply,
  interpretAddressReply,
  interpretReadReply,
  readAddressRequest,
  readFollowRequest,
  readReply,
  readRequest,
} from '../../../protocols/dlt645/messages.js';

// Golden frames assembled from the frame layout of DL/T 645-2007 §7.1 (and 1997 §6.1), checksums computed
// independently of this code; the read-address frame is the one vendor manuals print for single-meter buses.
const GOLDEN = {
  read2007: 'FE FE FE FE 68 78 56 34 12 00 00 68 11 04 33 33 34 33 C6 16',
  reply2007: 'FE FE FE FE 68 78 56 34 12 00 00 68 91 08 33 33 34 33 89 67 45 33 B2 16',
  error2007: 'FE FE FE FE 68 78 56 34 12 00 00 68 D1 01 35 EB 16',
  read1997: 'FE FE FE FE 68 01 00 00 00 00 00 68 01 02 43 C3 DA 16',
  reply1997: 'FE FE FE FE 68 01 00 00 00 00 00 68 81 06 43 C3 33 83 35 33 7C 16',
  readAddress: 'FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16',
  negativePower: 'FE FE FE FE 68 78 56 34 12 00 00 68 91 07 33 33 36 35 78 56 B4 CF 16',
};

const decodeOne = (text: string): DecodedItem[] => new FrameDecoder().push(fromHex(text));

describe('DL/T 645 frames: golden bytes', () => {
  it('encodes a 2007 read of forward active energy (DI 00010000) for meter 000012345678', () => {
    expect(hex(encodeFrame(readRequest(2007, '000012345678', '00010000')))).toBe(GOLDEN.read2007);
  });

  it('encodes a 1997 read of DI 9010 and the 2007 broadcast read-address', () => {
    expect(hex(encodeFrame(readRequest(1997, '000000000001', '9010')))).toBe(GOLDEN.read1997);
    expect(hex(encodeFrame(readAddressRequest()))).toBe(GOLDEN.readAddress);
  });

  it('decodes a 2007 normal reply: the DI and 1234.56 kWh as BCD bytes', () => {
    const [item] = decodeOne(GOLDEN.reply2007);
    expect(item?.kind).toBe('frame');
    if (item?.kind !== 'frame') return;
    expect(item.frame.address).toBe('000012345678');
    const r = interpretReadReply(2007, item.frame, { address: '000012345678', di: '00010000' });
    expect(r).toEqual({ kind: 'data', value: Uint8Array.of(0x56, 0x34, 0x12, 0x00), more: false });
  });

  it('decodes an error reply (0xD1) and says why in words', () => {
    const [item] = decodeOne(GOLDEN.error2007);
    if (item?.kind !== 'frame') throw new Error('no frame');
    const r = interpretReadReply(2007, item.frame, { address: '000012345678', di: '00010000' });
    expect(r).toMatchObject({
      kind: 'error',
      errorByte: 0x02,
      message: expect.stringMatching(/no requested data/),
    });
    const e97 = interpretReadReply(1997, errorReply(1997, '000000000001', 0x02), {
      address: '000000000001',
      di: '9010',
    });
    expect(e97).toMatchObject({ kind: 'error', message: expect.stringMatching(/wrong data identifier/) });
  });

  it('decodes a 1997 reply to 9010', () => {
    const [item] = decodeOne(GOLDEN.reply1997);
    if (item?.kind !== 'frame') throw new Error('no frame');
    const r = interpretReadReply(1997, item.frame, { address: '000000000001', di: '9010' });
    expect(r).toEqual({ kind: 'data', value: Uint8Array.of(0x00, 0x50, 0x02, 0x00), more: false });
  });

  it('follow-up frames: the 0x20 flag, the 2007 frame sequence number', () => {
    const first = readReply(2007, '000012345678', '04000101', Uint8Array.of(1, 2), { more: true });
    expect(first.control).toBe(0xb1);
    expect(interpretReadReply(2007, first, { address: '000012345678', di: '04000101' })).toMatchObject({
      more: true,
    });
    const req = readFollowRequest(2007, '000012345678', '04000101', 1);
    expect(req.control).toBe(0x12);
    expect([...req.data]).toEqual([0x01, 0x01, 0x00, 0x04, 0x01]);
    const last = readReply(2007, '000012345678', '04000101', Uint8Array.of(3), { follow: true, seq: 1 });
    expect(last.control).toBe(0x92);
    const more = readReply(2007, '000012345678', '04000101', Uint8Array.of(3), {
      follow: true,
      seq: 1,
      more: true,
    });
    expect(more.control).toBe(0xb2);
    expect(interpretReadReply(2007, last, { address: '000012345678', di: '04000101', follow: true })).toEqual(
      {
        kind: 'data',
        value: Uint8Array.of(3),
        more: false,
        seq: 1,
      },
    );
    expect(readReply(1997, '000000000001', '9010', Uint8Array.of(1), { more: true }).control).toBe(0xa1);
    expect(readFollowRequest(1997, '000000000001', '9010', 0).control).toBe(0x02);
  });

  it('a reply from another meter or an echoed request is not the answer; a wrong DI is a bad answer', () => {
    const req = { address: '000012345678', di: '00010000' };
    expect(
      interpretReadReply(2007, readReply(2007, '000000000099', '00010000', Uint8Array.of(0, 0, 0, 0)), req)
        .kind,
    ).toBe('other');
    expect(interpretReadReply(2007, readRequest(2007, '000012345678', '00010000'), req).kind).toBe('other');
    expect(
      interpretReadReply(2007, readReply(2007, '000012345678', '00020000', Uint8Array.of(0, 0, 0, 0)), req),
    ).toMatchObject({
      kind: 'bad',
      why: expect.stringMatching(/00020000/),
    });
  });

  it('read-address reply carries the meter address', () => {
    const [item] = new FrameDecoder().push(encodeFrame(addressReply('000012345678')));
    if (item?.kind !== 'frame') throw new Error('no frame');
    expect(item.frame.control).toBe(0x93);
    expect(interpretAddressReply(item.frame)).toBe('000012345678');
  });

  it('a wrong checksum is reported with the address whose answer broke', () => {
    const bytes = fromHex(GOLDEN.reply2007);
    bytes[bytes.length - 2] = 0x00;
    expect(new FrameDecoder().push(bytes)).toEqual([
      expect.objectContaining({ kind: 'bad-checksum', address: '000012345678', expected: 0xb2, got: 0 }),
    ]);
  });
});

const address = fc.stringMatching(/^[0-9]{12}$/);
const data = fc.uint8Array({ maxLength: 200 });
const frameArb = fc.record({ address, control: fc.integer({ min: 0, max: 255 }), data });

describe('DL/T 645 frames: properties', () => {
  it('encode → decode is the identity, whatever the preamble', () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 0, max: 8 }), (f, pre) => {
        const items = new FrameDecoder().push(encodeFrame(f, pre));
        expect(items).toHaveLength(1);
        const [item] = items;
        expect(item?.kind).toBe('frame');
        if (item?.kind === 'frame') expect(item.frame).toEqual(f);
      }),
    );
  });

  it('the +0x33 transform round-trips and the address is reversed BCD', () => {
    fc.assert(
      fc.property(data, (d) => {
        expect(unscramble(scramble(d))).toEqual(d);
      }),
    );
    fc.assert(
      fc.property(address, (a) => {
        expect(decodeAddress(encodeAddress(a))).toBe(a);
      }),
    );
    expect([...encodeAddress('000012345678')]).toEqual([0x78, 0x56, 0x34, 0x12, 0x00, 0x00]);
  });

  it('frames split at any byte boundary decode the same', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        (fs, step) => {
          const wire = Uint8Array.from(fs.flatMap((f) => [...encodeFrame(f)]));
          const d = new FrameDecoder();
          const got: DecodedItem[] = [];
          for (let i = 0; i < wire.length; i += step) got.push(...d.push(wire.subarray(i, i + step)));
          expect(got.map((g) => (g.kind === 'frame' ? g.frame : g))).toEqual(fs);
        },
      ),
    );
  });

  it('noise before, between and after frames is skipped and counted; every frame still decodes', () => {
    // noise that can never look like a frame start (0x68) or the preamble
    const noise = fc
      .uint8Array({ minLength: 1, maxLength: 20 })
      .map((n) => n.map((b) => (b === 0x68 || b === 0xfe ? 0x00 : b)));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, frameArb), { minLength: 1, maxLength: 4 }),
        noise,
        (parts, tail) => {
          const wire = Uint8Array.from([...parts.flatMap(([n, f]) => [...n, ...encodeFrame(f)]), ...tail]);
          const got = new FrameDecoder().push(wire);
          expect(
            got.filter((g) => g.kind === 'frame').map((g) => (g.kind === 'frame' ? g.frame : g)),
          ).toEqual(parts.map(([, f]) => f));
          const skipped = got.reduce((s, g) => s + (g.kind === 'noise' ? g.bytes : 0), 0);
          expect(skipped).toBe(parts.reduce((s, [n]) => s + n.length, 0) + tail.length);
        },
      ),
    );
  });

  it('a truncated frame followed by a whole one: the decoder re-synchronises on the next 0x68', () => {
    /**
     * DL/T 645 has no escaping, so the bytes of a cut frame and the next one can by chance form a frame whose
     * checksum holds (68 · 6 bytes · 68 · C · L · L bytes · CS · 16); a decoder must take it, and the whole frame
     * behind it is then lost (in the agent, the transaction's timeout and retry recover it). This oracle, written
     * from the frame layout and independent of the decoder, finds such a chance frame starting before `b` does and
     * overlapping it; those cases are outside the property (fast-check's bias towards zeros made them ~1 run in 4).
     */
    const chanceFrameBefore = (bytes: Uint8Array, bStart: number): boolean => {
      for (let p = 0; p < bStart; p++) {
        if (bytes[p] !== 0x68 || bytes[p + 7] !== 0x68) continue;
        const len = bytes[p + 9];
        if (len === undefined) continue;
        const end = p + 10 + len; // index of CS
        if (end + 1 >= bytes.length || end + 1 < bStart) continue;
        let sum = 0;
        for (let i = p; i < end; i++) sum = (sum + (bytes[i] ?? 0)) & 0xff;
        if (bytes[end] === sum && bytes[end + 1] === 0x16) return true;
      }
      return false;
    };
    fc.assert(
      fc.property(frameArb, frameArb, fc.integer({ min: 1, max: 11 }), (a, b, cut) => {
        const broken = encodeFrame(a, 0).subarray(0, cut);
        const all = Uint8Array.from([...broken, ...encodeFrame(b)]);
        fc.pre(!chanceFrameBefore(all, broken.length + encodeFrame(b).indexOf(0x68)));
        const d = new FrameDecoder();
        const got = d.push(all);
        const frames = got.flatMap((g) => (g.kind === 'frame' ? [g.frame] : []));
        // the whole frame always arrives, possibly after the broken one is skipped as noise
        expect(frames.at(-1)).toEqual(b);
      }),
      { numRuns: 5000 },
    );
  });
});
