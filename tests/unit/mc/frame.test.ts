import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeReadCommand,
  decodeReadData,
  encodeReadCommand,
  encodeReadData,
  type McReadCommand,
} from '../../../protocols/mc/commands.js';
import { MC_DEVICE_NAMES, MC_SERIES, type McDeviceName } from '../../../protocols/mc/devices.js';
import { endCodeMessage } from '../../../protocols/mc/end-codes.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  errorInformation,
  FrameSplitter,
  fromHexBytes,
  hexBytes,
  LOCAL_ROUTE,
  type McFormat,
} from '../../../protocols/mc/frame.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const ascii = (s: string) => new TextEncoder().encode(s);

function request(cmd: McReadCommand, format: McFormat, series: (typeof MC_SERIES)[number] = 'Q') {
  const c = encodeReadCommand(cmd, format, series);
  return encodeRequest({ route: LOCAL_ROUTE, timer: 0x10, ...c }, format, series);
}

const M100x2: McReadCommand = { kind: 'batch', unit: 'word', head: { device: 'M', number: 100 }, count: 2 };

// Golden frames. Request and response data: MELSEC Communication Protocol Reference Manual SH(NA)-080008,
// section 8.2 "Batch read in word units (command: 0401)", communication example "Read the value of M100 to M131
// (for 2 words)" (printed page 90), and 8.3 "Random read" example (page 102). ASCII header, data length,
// monitoring timer 0010, end code and the 22-character abnormal response: Q Corresponding MELSEC Communication
// Protocol Reference Manual SH(NA)-080008, section 3.1, page 3-5 (QnA compatible 3E frame in ASCII). The binary
// header is the same fields in binary (section 5.2 "Message Format"), little endian as the manual specifies.
describe("MC 3E frames: the manual's examples", () => {
  it('encodes the batch read of M100–M131 in word units, ASCII, byte for byte', () => {
    expect(text(request(M100x2, 'ascii'))).toBe('500000FF03FF00' + '0018' + '0010' + '04010000M*0001000002');
  });

  it('encodes the same request in binary', () => {
    expect(hexBytes(request(M100x2, 'binary'))).toBe(
      '50 00 00 FF FF 03 00 0C 00 10 00 01 04 00 00 64 00 00 90 02 00',
    );
  });

  it('decodes the response 1234 0002 (M100–M115 = 1234H, M116–M131 = 0002H) in both formats', () => {
    const a = decodeResponse(ascii('D00000FF03FF00' + '000C' + '0000' + '12340002'), 'ascii', 'Q');
    expect(a.endCode).toBe(0);
    expect(decodeReadData(M100x2, a.data, 'ascii', 'Q')).toEqual({ kind: 'words', words: [0x1234, 0x0002] });
    const b = decodeResponse(fromHexBytes('D0 00 00 FF FF 03 00 06 00 00 00 34 12 02 00'), 'binary', 'Q');
    expect(decodeReadData(M100x2, b.data, 'binary', 'Q')).toEqual({ kind: 'words', words: [0x1234, 0x0002] });
  });

  it('decodes an abnormal response: end code C051 and its error information, with a message in words', () => {
    const r = decodeResponse(
      ascii('D00000FF03FF00' + '0016' + 'C051' + '00FF03FF00' + '0401' + '0000'),
      'ascii',
      'Q',
    );
    expect(r.endCode).toBe(0xc051);
    expect(text(r.data)).toBe(text(errorInformation(LOCAL_ROUTE, 0x0401, 0x0000, 'ascii', 'Q')));
    expect(endCodeMessage(0xc051)).toMatch(
      /0xC051: the number of read or write points is outside the allowable range \(读写点数超出允许范围\)/,
    );
  });

  it('encodes the random read of D0, TN0, M100, X20 and double words D1500, Y160, M1111 (ASCII)', () => {
    const cmd: McReadCommand = {
      kind: 'random',
      words: [
        { device: 'D', number: 0 },
        { device: 'TN', number: 0 },
        { device: 'M', number: 100 },
        { device: 'X', number: 0x20 },
      ],
      dwords: [
        { device: 'D', number: 1500 },
        { device: 'Y', number: 0x160 },
        { device: 'M', number: 1111 },
      ],
    };
    const c = encodeReadCommand(cmd, 'ascii', 'Q');
    expect(c.command.toString(16)).toBe('403');
    expect(text(c.body)).toBe('0403' + 'D*000000TN000000M*000100X*000020' + 'D*001500Y*000160M*001111');
  });

  it('splits a double word of a random read into low word then high word (D1500 = 4F4EH, D1501 = 4C54H)', () => {
    const cmd: McReadCommand = {
      kind: 'random',
      words: [{ device: 'D', number: 0 }],
      dwords: [{ device: 'D', number: 1500 }],
    };
    expect(decodeReadData(cmd, ascii('1995' + '4C544F4E'), 'ascii', 'Q')).toEqual({
      kind: 'words',
      words: [0x1995, 0x4f4e, 0x4c54],
    });
  });
});

describe('X/Y numbering per series', () => {
  const X17: McReadCommand = { kind: 'batch', unit: 'bit', head: { device: 'X', number: 0o17 }, count: 1 };
  it('writes X and Y in octal on iQ-F and in hexadecimal on Q/iQ-R in ASCII; binary carries the value', () => {
    expect(text(encodeReadCommand(X17, 'ascii', 'iQ-F').body)).toBe('X*0000170001');
    expect(text(encodeReadCommand(X17, 'ascii', 'iQ-R').body)).toBe('X*00000F0001');
    // FX3U-ENET user's manual 9.3.5: "Y100 (Octadecimal) = 40 (Hexadecimal)" — the binary head device is the value
    const Y100: McReadCommand = {
      kind: 'batch',
      unit: 'bit',
      head: { device: 'Y', number: 0o100 },
      count: 32,
    };
    expect(hexBytes(encodeReadCommand(Y100, 'binary', 'iQ-F').body)).toBe('40 00 00 9D 20 00');
  });

  it('refuses an octal X number with digits 8 or 9 when decoding an iQ-F request', () => {
    expect(() => decodeReadCommand(0x0401, 0x0001, ascii('X*0000180001'), 'ascii', 'iQ-F')).toThrow(/base 8/);
  });
});

describe('bit units', () => {
  it('packs two points per byte in binary (first point in the high nibble), one character each in ASCII', () => {
    const cmd: McReadCommand = { kind: 'batch', unit: 'bit', head: { device: 'M', number: 1000 }, count: 5 };
    const bits = [true, false, true, true, false];
    expect(hexBytes(encodeReadData(cmd, { bits }, 'binary', 'Q'))).toBe('10 11 00');
    expect(text(encodeReadData(cmd, { bits }, 'ascii', 'Q'))).toBe('10110');
    expect(decodeReadData(cmd, fromHexBytes('10 11 00'), 'binary', 'Q')).toEqual({ kind: 'bits', bits });
  });
});

describe('round trips (property)', () => {
  const format = fc.constantFrom<McFormat>('binary', 'ascii');
  const series = fc.constantFrom(...MC_SERIES);
  const address = fc.record({
    device: fc.constantFrom<McDeviceName>(...MC_DEVICE_NAMES),
    // six digits in any base: what an ASCII frame carries
    number: fc.integer({ min: 0, max: 0o777777 }),
  });
  const command: fc.Arbitrary<McReadCommand> = fc.oneof(
    fc.record({
      kind: fc.constant('batch' as const),
      unit: fc.constantFrom('word' as const, 'bit' as const),
      head: address,
      count: fc.integer({ min: 1, max: 960 }),
    }),
    fc.record({
      kind: fc.constant('random' as const),
      words: fc.array(address, { maxLength: 8 }),
      dwords: fc.array(address, { maxLength: 8 }),
    }),
  );

  it('a read request decodes to what was encoded, through a stream split anywhere', () => {
    fc.assert(
      fc.property(command, format, series, fc.integer({ min: 1, max: 40 }), (cmd, f, s, cut) => {
        const frame = request(cmd, f, s);
        const splitter = new FrameSplitter(f, s);
        const frames = [...splitter.push(frame.subarray(0, cut)), ...splitter.push(frame.subarray(cut))];
        expect(frames).toHaveLength(1);
        const req = decodeRequest(frames[0] as Uint8Array, f, s);
        expect(req.route).toEqual(LOCAL_ROUTE);
        expect(decodeReadCommand(req.command, req.subcommand, req.body, f, s)).toEqual(cmd);
      }),
    );
  });

  it('response data decodes to the words or bits encoded', () => {
    fc.assert(
      fc.property(
        command,
        format,
        series,
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 2000, maxLength: 2000 }),
        (cmd, f, s, pool) => {
          const n = cmd.kind === 'batch' ? cmd.count : cmd.words.length;
          const words = pool.slice(0, n);
          const dwords =
            cmd.kind === 'random'
              ? cmd.dwords.map((_, i) => (pool[1000 + 2 * i] ?? 0) + (pool[1001 + 2 * i] ?? 0) * 0x10000)
              : [];
          const bits = words.map((w) => w % 2 === 1);
          const data = encodeReadData(cmd, { words, dwords, bits }, f, s);
          const frame = encodeResponse({ route: LOCAL_ROUTE, endCode: 0, data }, f, s);
          const back = decodeReadData(cmd, decodeResponse(frame, f, s).data, f, s);
          if (cmd.kind === 'batch' && cmd.unit === 'bit') expect(back).toEqual({ kind: 'bits', bits });
          else
            expect(back).toEqual({
              kind: 'words',
              words: [...words, ...dwords.flatMap((d) => [d & 0xffff, Math.floor(d / 0x10000)])],
            });
        },
      ),
    );
  });
});
