/**
 * DL/T 645 frames (2007 and 1997 share the link layer): wake-up preamble 0xFE×n, 0x68, the 6-byte meter address in
 * reversed BCD (low byte first), 0x68, control code, data length, data with 0x33 added to every byte, checksum (the
 * sum mod 256 of every byte from the first 0x68 to the last data byte) and 0x16. Pure: no I/O.
 */
import { PlantpulseError } from '../errors.js';

export const FRAME_START = 0x68;
export const FRAME_END = 0x16;
export const PREAMBLE_BYTE = 0xfe;
/** the data field's per-byte offset on the wire */
export const DATA_OFFSET = 0x33;
/** header (68 A0..A5 68 C L) and trailer (CS 16) around the data */
export const FRAME_OVERHEAD = 12;
export const MAX_DATA_LENGTH = 255;
/** read-address (0x13) on a bus with a single meter: every meter answers AAAAAAAAAAAA */
export const BROADCAST_ADDRESS = 'AAAAAAAAAAAA';

export class Dlt645FrameError extends PlantpulseError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** One decoded frame: the address as written on the meter's nameplate, the data with 0x33 already removed. */
export interface Dlt645Frame {
  address: string;
  control: number;
  data: Uint8Array;
}

const ADDRESS_PATTERN = /^[0-9A-Fa-f]{12}$/;

/** True for a 12-digit address (BCD digits; A…F only in wildcard/broadcast addresses such as AAAAAAAAAAAA). */
export function isAddress(text: string): boolean {
  return ADDRESS_PATTERN.test(text);
}

/** `000012345678` → 78 56 34 12 00 00 (reversed BCD: the last two digits are the first byte). */
export function encodeAddress(address: string): Uint8Array {
  if (!isAddress(address))
    throw new Dlt645FrameError('DLT645_BAD_ADDRESS', `meter address "${address}" is not 12 digits`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = Number.parseInt(address.slice(10 - 2 * i, 12 - 2 * i), 16);
  return out;
}

export function decodeAddress(bytes: Uint8Array): string {
  let s = '';
  for (let i = bytes.length - 1; i >= 0; i--) s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return s.toUpperCase();
}

/** Adds 0x33 to every byte (what the sender does to the data field). */
export function scramble(data: Uint8Array): Uint8Array {
  return data.map((b) => (b + DATA_OFFSET) & 0xff);
}

/** Subtracts 0x33 from every byte (what the receiver does). */
export function unscramble(data: Uint8Array): Uint8Array {
  return data.map((b) => (b - DATA_OFFSET) & 0xff);
}

export function checksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + (bytes[i] ?? 0)) & 0xff;
  return sum;
}

/** A whole frame on the wire, with `preamble` wake-up bytes 0xFE first (meters expect some; 4 is usual). */
export function encodeFrame(f: Dlt645Frame, preamble = 4): Uint8Array {
  if (f.data.length > MAX_DATA_LENGTH)
    throw new Dlt645FrameError('DLT645_TOO_LONG', `data of ${f.data.length} bytes exceeds 255`);
  const out = new Uint8Array(preamble + FRAME_OVERHEAD + f.data.length);
  out.fill(PREAMBLE_BYTE, 0, preamble);
  let i = preamble;
  out[i++] = FRAME_START;
  out.set(encodeAddress(f.address), i);
  i += 6;
  out[i++] = FRAME_START;
  out[i++] = f.control & 0xff;
  out[i++] = f.data.length;
  out.set(scramble(f.data), i);
  i += f.data.length;
  out[i] = checksum(out, preamble, i);
  out[i + 1] = FRAME_END;
  return out;
}

/** What the stream decoder found: a frame, a frame whose checksum is wrong, or bytes that are no frame. */
export type DecodedItem =
  | { kind: 'frame'; frame: Dlt645Frame; raw: Uint8Array }
  | { kind: 'bad-checksum'; address: string; control: number; expected: number; got: number; raw: Uint8Array }
  | { kind: 'noise'; bytes: number };

/**
 * A streaming decoder: feed it bytes as they arrive; it returns every complete item. It re-synchronises on 0x68:
 * preamble bytes, line noise and a broken frame are skipped (reported as `noise`), a frame with a wrong checksum is
 * reported on its own (its address tells whose answer was broken), and a partial frame waits for more bytes.
 */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);

  /** bytes waiting for the rest of a frame */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): DecodedItem[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const items: DecodedItem[] = [];
    let pos = 0;
    let noise = 0;
    const flushNoise = () => {
      if (noise > 0) items.push({ kind: 'noise', bytes: noise });
      noise = 0;
    };
    while (pos < joined.length) {
      const b = joined[pos];
      if (b !== FRAME_START) {
        // the wake-up preamble is expected, not noise
        if (b !== PREAMBLE_BYTE) noise++;
        pos++;
        continue;
      }
      const left = joined.length - pos;
      if (left >= 8 && joined[pos + 7] !== FRAME_START) {
        noise++;
        pos++;
        continue;
      }
      const len = left < 10 ? 0 : (joined[pos + 9] ?? 0);
      const total = FRAME_OVERHEAD + len;
      if (left < 10 || left < total) {
        // incomplete: wait for more bytes, unless a whole valid frame already follows (this start was a fragment)
        const next = nextWholeFrame(joined, pos + 1);
        if (next === undefined) break;
        noise += next - pos;
        pos = next;
        continue;
      }
      if (joined[pos + total - 1] !== FRAME_END) {
        noise++;
        pos++;
        continue;
      }
      if (checksum(joined, pos, pos + total - 2) !== joined[pos + total - 2]) {
        // a broken frame, or a fragment whose claimed length swallowed the start of a whole frame: prefer the whole one
        const next = nextWholeFrame(joined, pos + 1);
        if (next !== undefined && next < pos + total) {
          noise += next - pos;
          pos = next;
          continue;
        }
      }
      flushNoise();
      const raw = joined.slice(pos, pos + total);
      const address = decodeAddress(raw.subarray(1, 7));
      const control = raw[8] ?? 0;
      const expected = checksum(raw, 0, total - 2);
      const got = raw[total - 2] ?? 0;
      if (expected !== got) items.push({ kind: 'bad-checksum', address, control, expected, got, raw });
      else
        items.push({
          kind: 'frame',
          frame: { address, control, data: unscramble(raw.subarray(10, 10 + len)) },
          raw,
        });
      pos += total;
    }
    flushNoise();
    this.buf = joined.slice(pos);
    return items;
  }
}

/** The position of the first complete frame with a good checksum at or after `from`, if any. */
function nextWholeFrame(b: Uint8Array, from: number): number | undefined {
  for (let p = b.indexOf(FRAME_START, from); p >= 0; p = b.indexOf(FRAME_START, p + 1)) {
    if (b.length - p < FRAME_OVERHEAD || b[p + 7] !== FRAME_START) continue;
    const total = FRAME_OVERHEAD + (b[p + 9] ?? 0);
    if (b.length - p < total || b[p + total - 1] !== FRAME_END) continue;
    if (checksum(b, p, p + total - 2) === b[p + total - 2]) return p;
  }
  return undefined;
}

/** Hex as meters' manuals print frames: `FE FE 68 78 56 …`. */
export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

/** Parses `68 AA …` (spaces optional) into bytes; for tests, docs and the simulator's logs. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
