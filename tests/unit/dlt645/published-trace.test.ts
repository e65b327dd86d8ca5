import { describe, expect, it } from 'vitest';
import { pointLayout } from '../../../protocols/dlt645/data-identifiers.js';
import { encodeFrame, FrameDecoder, fromHex, hex } from '../../../protocols/dlt645/frame.js';
import {
  interpretAddressReply,
  interpretReadReply,
  readAddressRequest,
  readRequest,
} from '../../../protocols/dlt645/messages.js';
import { decodePointValue } from '../../../protocols/dlt645/point-value.js';

/**
 * Frames copied byte for byte from a published trace of real DL/T 645-2007 meters, not built by this code: the
 * comments of github.com/zcx1218029121/go645, file Protocol_test.go (a Go DL/T 645 client, 2400 8E1), which
 * records the exchanges with two meters, addresses 002241020208 and 000000000001:
 *   FE FE FE FE 68 08 02 02 41 22 00 68 11 04 35 37 33 37 2A 16                 read 04000402 (meter number)
 *   68 08 02 02 41 22 00 68 91 0A 35 37 33 37 3B 35 35 74 55 33 51 16           its answer: 002241020208
 *   68 08 02 02 41 22 00 68 93 06 3B 35 35 74 55 33 79 16                       read-address answer
 *   FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16                             read-address request
 *   68 01 00 00 00 00 00 68 93 06 34 33 33 33 33 33 9D 16                       read-address answer
 *   68 01 00 00 00 00 00 68 11 04 33 33 34 33 B3 16                             read 00010000 (forward active)
 *   68 01 00 00 00 00 00 68 91 08 33 33 34 33 59 b3 55 44 dc 16 → "11228026"    its answer: 112280.26 kWh
 * The trace's own notes give the decoded values (address 00 00 00 00 00 01, energy 11228026); the tests below
 * check that our codec reads the same bytes the same way and writes the requests byte-identical.
 */
const TRACE = {
  readMeterNumber: 'FE FE FE FE 68 08 02 02 41 22 00 68 11 04 35 37 33 37 2A 16',
  meterNumberReply: '68 08 02 02 41 22 00 68 91 0A 35 37 33 37 3B 35 35 74 55 33 51 16',
  addressReplyA: '68 08 02 02 41 22 00 68 93 06 3B 35 35 74 55 33 79 16',
  readAddress: 'FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16',
  addressReplyB: '68 01 00 00 00 00 00 68 93 06 34 33 33 33 33 33 9D 16',
  readEnergy: '68 01 00 00 00 00 00 68 11 04 33 33 34 33 B3 16',
  energyReply: '68 01 00 00 00 00 00 68 91 08 33 33 34 33 59 b3 55 44 dc 16',
};

function onlyFrame(text: string) {
  const items = new FrameDecoder().push(fromHex(text));
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item?.kind !== 'frame') throw new Error(`not a frame: ${JSON.stringify(item)}`);
  return item.frame;
}

describe('DL/T 645-2007 against a published meter trace (zcx1218029121/go645)', () => {
  it('writes the read-address request and the two read requests byte-identical', () => {
    expect(hex(encodeFrame(readAddressRequest()))).toBe(TRACE.readAddress);
    expect(hex(encodeFrame(readRequest(2007, '002241020208', '04000402')))).toBe(TRACE.readMeterNumber);
    // the trace sent this one without the FE wake-up preamble
    expect(hex(encodeFrame(readRequest(2007, '000000000001', '00010000'), 0))).toBe(TRACE.readEnergy);
  });

  it('reads both meters’ read-address answers', () => {
    expect(interpretAddressReply(onlyFrame(TRACE.addressReplyA))).toBe('002241020208');
    expect(interpretAddressReply(onlyFrame(TRACE.addressReplyB))).toBe('000000000001');
  });

  it('reads forward active energy 112280.26 kWh from the meter’s answer', () => {
    const frame = onlyFrame(TRACE.energyReply);
    expect(frame.address).toBe('000000000001');
    const r = interpretReadReply(2007, frame, { address: '000000000001', di: '00010000' });
    if (r.kind !== 'data') throw new Error(`not data: ${JSON.stringify(r)}`);
    const layout = pointLayout(2007, { di: '00010000' });
    expect(layout.unit).toBe('kWh');
    expect(decodePointValue(layout, r.value).value).toBeCloseTo(112280.26, 2);
  });

  it('reads the meter-number answer (DI 04000402, 6 bytes) as the meter’s own address digits', () => {
    const frame = onlyFrame(TRACE.meterNumberReply);
    const r = interpretReadReply(2007, frame, { address: '002241020208', di: '04000402' });
    if (r.kind !== 'data') throw new Error(`not data: ${JSON.stringify(r)}`);
    // BCD, least significant byte first: 08 02 02 41 22 00 → 002241020208
    expect(hex(Uint8Array.from(r.value).reverse()).replaceAll(' ', '')).toBe('002241020208');
  });

  it('a single changed byte of the published answer is a checksum error, not a value', () => {
    const bytes = fromHex(TRACE.energyReply);
    bytes[14] = 0x5a; // the first energy byte, 0x59 → 0x5a
    expect(new FrameDecoder().push(bytes)).toEqual([
      expect.objectContaining({ kind: 'bad-checksum', address: '000000000001', expected: 0xdd, got: 0xdc }),
    ]);
  });
});
