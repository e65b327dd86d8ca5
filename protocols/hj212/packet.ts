/**
 * HJ 212 packets on the wire: `##`, the data segment's length as 4 decimal digits, the data segment (ASCII), its
 * CRC as 4 hex digits (crc.ts), CR LF. `PacketReader` splits a TCP byte stream into data segments: it resynchronises
 * on the next `##` after garbage or a bad packet, never holds more than one packet of the largest allowed length,
 * and reports every refusal as a value (code and message), so the caller counts and logs it. Pure: no I/O.
 */
import { PlantpulseError } from '../errors.js';
import { formatCrc, hj212Crc16 } from './crc.js';

/** HJ 212-2017 limits the data segment to 1024 characters; longer data is split into packets (Flag bit D). */
export const HJ212_MAX_DATA_LENGTH = 1024;
/** `##` + 4 length digits before the data, 4 CRC digits + CR LF after it */
export const PACKET_OVERHEAD = 12;

export type PacketProblemCode = 'HJ212_MALFORMED' | 'HJ212_TOO_LONG' | 'HJ212_BAD_CRC';

export class Hj212PacketError extends PlantpulseError {
  constructor(code: PacketProblemCode | 'HJ212_ENCODE', message: string) {
    super(code, message);
  }
}

/** A whole packet for a data segment. Throws HJ212_ENCODE for non-ASCII text or a segment over 9999 bytes. */
export function encodePacket(dataSegment: string): Buffer {
  if (/[^\x20-\x7e]/.test(dataSegment))
    throw new Hj212PacketError('HJ212_ENCODE', 'the data segment must be printable ASCII');
  if (dataSegment.length > 9999)
    throw new Hj212PacketError(
      'HJ212_ENCODE',
      `a data segment of ${dataSegment.length} characters does not fit`,
    );
  const data = Buffer.from(dataSegment, 'latin1');
  return Buffer.concat([
    Buffer.from(`##${String(data.length).padStart(4, '0')}`, 'latin1'),
    data,
    Buffer.from(`${formatCrc(hj212Crc16(data))}\r\n`, 'latin1'),
  ]);
}

export type ReadEvent =
  | { kind: 'packet'; data: string }
  | { kind: 'refused'; code: PacketProblemCode; message: string };

const HASH = 0x23;
const DIGITS = /^[0-9]{4}$/;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/**
 * Splits a byte stream into packets. `push(chunk)` returns what the chunk completed, in order. Bytes before a `##`
 * are skipped silently when they are only line noise (CR, LF, spaces) and reported once per run otherwise.
 */
export class PacketReader {
  #buf: Buffer = Buffer.alloc(0);
  readonly #maxData: number;
  /** the bytes up to the next `##` belong to something already refused (or reported): skip them silently */
  #discarding = false;

  constructor(opts: { maxDataLength?: number } = {}) {
    this.#maxData = opts.maxDataLength ?? HJ212_MAX_DATA_LENGTH;
  }

  /** bytes held for an incomplete packet */
  get pending(): number {
    return this.#buf.length;
  }

  push(chunk: Uint8Array): ReadEvent[] {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    const out: ReadEvent[] = [];
    for (;;) {
      const start = this.#findStart();
      if (start === -1) break;
      if (start > 0) {
        const skipped = this.#buf.subarray(0, start);
        if (!this.#discarding && skipped.some((b) => b !== 0x0d && b !== 0x0a && b !== 0x20))
          out.push({
            kind: 'refused',
            code: 'HJ212_MALFORMED',
            message: `${start} bytes before "##" skipped`,
          });
        this.#buf = this.#buf.subarray(start);
      }
      this.#discarding = false;
      if (this.#buf.length < 6) break;
      const lenText = this.#buf.toString('latin1', 2, 6);
      if (!DIGITS.test(lenText)) {
        out.push({
          kind: 'refused',
          code: 'HJ212_MALFORMED',
          message: `the length after "##" is not 4 digits: ${JSON.stringify(lenText)}`,
        });
        this.#buf = this.#buf.subarray(2);
        this.#discarding = true;
        continue;
      }
      const len = Number(lenText);
      if (len > this.#maxData) {
        out.push({
          kind: 'refused',
          code: 'HJ212_TOO_LONG',
          message: `data segment of ${len} characters is over the limit of ${this.#maxData}`,
        });
        this.#buf = this.#buf.subarray(2);
        this.#discarding = true;
        continue;
      }
      const total = len + PACKET_OVERHEAD;
      if (this.#buf.length < total) break;
      const data = this.#buf.subarray(6, 6 + len);
      const crcText = this.#buf.toString('latin1', 6 + len, 10 + len);
      const tail = this.#buf.subarray(10 + len, 12 + len);
      if (tail[0] !== 0x0d || tail[1] !== 0x0a || !HEX4.test(crcText)) {
        out.push({
          kind: 'refused',
          code: 'HJ212_MALFORMED',
          message: `no CRC and CR LF after the ${len} characters the length announced`,
        });
        this.#buf = this.#buf.subarray(2);
        this.#discarding = true;
        continue;
      }
      this.#buf = this.#buf.subarray(total);
      const expected = hj212Crc16(data);
      if (Number.parseInt(crcText, 16) !== expected) {
        out.push({
          kind: 'refused',
          code: 'HJ212_BAD_CRC',
          message: `CRC ${crcText} does not match the data (${formatCrc(expected)})`,
        });
        continue;
      }
      if (data.some((b) => b < 0x20 || b > 0x7e)) {
        out.push({
          kind: 'refused',
          code: 'HJ212_MALFORMED',
          message: 'the data segment is not printable ASCII',
        });
        continue;
      }
      out.push({ kind: 'packet', data: data.toString('latin1') });
    }
    // nothing waits beyond one packet: a lone '#' may start the next one
    if (this.#buf.length > 0 && this.#findStart() === -1) {
      const keep = this.#buf[this.#buf.length - 1] === HASH ? 1 : 0;
      const dropped = this.#buf.subarray(0, this.#buf.length - keep);
      if (!this.#discarding && dropped.some((b) => b !== 0x0d && b !== 0x0a && b !== 0x20)) {
        out.push({
          kind: 'refused',
          code: 'HJ212_MALFORMED',
          message: `${dropped.length} bytes before "##" skipped`,
        });
        this.#discarding = true;
      }
      this.#buf = this.#buf.subarray(this.#buf.length - keep);
    }
    return out;
  }

  /** index of the first `##`, -1 if none */
  #findStart(): number {
    return this.#buf.indexOf('##', 0, 'latin1');
  }
}
