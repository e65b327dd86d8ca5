/**
 * MC protocol 3E frames (MELSEC Communication Protocol Reference Manual SH-080008, 5.2 "Message Format"), binary
 * and ASCII: the header (subheader 5000/D000, access route, data length, monitoring timer or end code) around a
 * body of fields. A field is a number of 1–4 bytes (binary: little endian; ASCII: upper-case hex digits, most
 * significant first) or a device (binary: number in three bytes then the one-byte code; ASCII: the two-character
 * code then six digits written in the device's base). Pure: no I/O.
 */
import { PlantpulseError } from '../errors.js';
import {
  deviceBase,
  deviceByAsciiCode,
  deviceByBinaryCode,
  MC_DEVICES,
  type McAddress,
  type McDeviceName,
  type McSeries,
} from './devices.js';

export type McFormat = 'binary' | 'ascii';

/** Where a request goes: network No., PC No., request destination module I/O No. and station No. */
export interface McRoute {
  network: number;
  pc: number;
  moduleIo: number;
  station: number;
}

/** The local station through the module the request arrives on (what an Ethernet port of the CPU expects). */
export const LOCAL_ROUTE: McRoute = { network: 0, pc: 0xff, moduleIo: 0x03ff, station: 0 };

export const REQUEST_SUBHEADER = 0x5000;
export const RESPONSE_SUBHEADER = 0xd000;

/** A malformed frame, or one that is not the answer asked for. */
export class McFrameError extends PlantpulseError {
  constructor(message: string) {
    super('MC_FRAME', message);
  }
}

/** Writes fields in one format. */
export class FieldWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  constructor(
    readonly format: McFormat,
    readonly series: McSeries,
  ) {}

  #push(bytes: Uint8Array): this {
    this.#parts.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  /** an unsigned number of `bytes` bytes */
  num(value: number, bytes: 1 | 2 | 3 | 4): this {
    if (this.format === 'ascii')
      return this.#push(
        ascii(
          value
            .toString(16)
            .toUpperCase()
            .padStart(bytes * 2, '0'),
        ),
      );
    const out = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) out[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    return this.#push(out);
  }

  device(a: McAddress): this {
    const info = MC_DEVICES[a.device];
    if (this.format === 'ascii') {
      const digits = a.number.toString(deviceBase(a.device, this.series)).toUpperCase().padStart(6, '0');
      if (digits.length > 6)
        throw new McFrameError(`${a.device}${digits}: more than six digits for an ASCII frame`);
      return this.#push(ascii(info.ascii + digits));
    }
    this.num(a.number, 3);
    return this.num(info.binary, 1);
  }

  /** bit values, one point each: binary packs two per byte (first point in the high nibble), ASCII one '0'/'1' */
  bits(values: readonly boolean[]): this {
    if (this.format === 'ascii') return this.#push(ascii(values.map((v) => (v ? '1' : '0')).join('')));
    const out = new Uint8Array(Math.ceil(values.length / 2));
    values.forEach((v, i) => {
      if (v) out[i >> 1] = (out[i >> 1] ?? 0) | (i % 2 === 0 ? 0x10 : 0x01);
    });
    return this.#push(out);
  }

  get length(): number {
    return this.#length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reads fields in one format; throws McFrameError past the end or on a bad digit. */
export class FieldReader {
  #at = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly format: McFormat,
    readonly series: McSeries,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  #take(n: number, what: string): Uint8Array {
    if (this.#at + n > this.bytes.length)
      throw new McFrameError(`${what}: frame ends ${this.#at + n - this.bytes.length} byte(s) short`);
    const out = this.bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  #text(n: number, what: string): string {
    return String.fromCharCode(...this.#take(n, what));
  }

  num(bytes: 1 | 2 | 3 | 4, what = 'number'): number {
    if (this.format === 'ascii') {
      const t = this.#text(bytes * 2, what);
      if (!/^[0-9A-Fa-f]+$/.test(t)) throw new McFrameError(`${what}: "${t}" is not hexadecimal`);
      return Number.parseInt(t, 16);
    }
    const b = this.#take(bytes, what);
    let v = 0;
    for (let i = bytes - 1; i >= 0; i--) v = v * 256 + (b[i] ?? 0);
    return v;
  }

  device(what = 'device'): McAddress {
    if (this.format === 'ascii') {
      const code = this.#text(2, what);
      const info = deviceByAsciiCode(code);
      if (info === undefined) throw new McFrameError(`${what}: unknown device code "${code}"`);
      const digits = this.#text(6, what);
      const name = info.name as McDeviceName;
      const base = deviceBase(name, this.series);
      const number = Number.parseInt(digits, base);
      if (!Number.isFinite(number) || number.toString(base).padStart(6, '0') !== digits.toLowerCase())
        throw new McFrameError(`${what}: "${digits}" is not a ${name} number in base ${base}`);
      return { device: name, number };
    }
    const number = this.num(3, what);
    const code = this.num(1, what);
    const info = deviceByBinaryCode(code);
    if (info === undefined) throw new McFrameError(`${what}: unknown device code 0x${code.toString(16)}`);
    return { device: info.name as McDeviceName, number };
  }

  bits(count: number, what = 'bits'): boolean[] {
    if (this.format === 'ascii') {
      const t = this.#text(count, what);
      if (!/^[01]*$/.test(t)) throw new McFrameError(`${what}: "${t}" holds other characters than 0 and 1`);
      return [...t].map((c) => c === '1');
    }
    const b = this.#take(Math.ceil(count / 2), what);
    return Array.from({ length: count }, (_, i) => (((b[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 1) === 1);
  }

  rest(): Uint8Array {
    return this.#take(this.remaining, 'rest');
  }
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

/** The header fields before the data length: subheader, route. Binary 7 bytes, ASCII 14 characters. */
function writeHead(w: FieldWriter, subheader: number, route: McRoute): void {
  // the subheader is written as it reads (50 00 / "5000"), not as a little-endian number
  if (w.format === 'ascii') w.num(subheader, 2);
  else w.num(subheader >> 8, 1).num(subheader & 0xff, 1);
  w.num(route.network, 1).num(route.pc, 1).num(route.moduleIo, 2).num(route.station, 1);
}

function readHead(r: FieldReader): { subheader: number; route: McRoute } {
  const subheader = r.format === 'ascii' ? r.num(2, 'subheader') : r.num(1) * 256 + r.num(1, 'subheader');
  const route = {
    network: r.num(1, 'network No.'),
    pc: r.num(1, 'PC No.'),
    moduleIo: r.num(2, 'module I/O No.'),
    station: r.num(1, 'station No.'),
  };
  return { subheader, route };
}

/** Header length up to and including the data length field: binary 9 bytes, ASCII 18 characters. */
export function headerLength(format: McFormat): number {
  return format === 'ascii' ? 18 : 9;
}

/**
 * The total length of the frame at the start of `buf` (request or response: both carry their data length at the
 * same place), or undefined while the header is incomplete. Throws McFrameError on a header that cannot be one.
 */
export function frameLength(buf: Uint8Array, format: McFormat, series: McSeries): number | undefined {
  const h = headerLength(format);
  if (buf.length < h) return undefined;
  const r = new FieldReader(buf.subarray(0, h), format, series);
  const { subheader } = readHead(r);
  if (subheader !== REQUEST_SUBHEADER && subheader !== RESPONSE_SUBHEADER)
    throw new McFrameError(
      `subheader ${subheader.toString(16).padStart(4, '0').toUpperCase()} is not a 3E frame (5000/D000)`,
    );
  return h + r.num(2, 'data length');
}

export interface McRequestFrame {
  route: McRoute;
  /** monitoring timer, in units of 250 ms (0: wait forever) */
  timer: number;
  command: number;
  subcommand: number;
  /** the fields after the subcommand, written in the frame's format */
  body: Uint8Array;
}

/** A whole 3E request. `body` must have been written in `format`. */
export function encodeRequest(f: McRequestFrame, format: McFormat, series: McSeries): Uint8Array {
  const tail = new FieldWriter(format, series).num(f.timer, 2).num(f.command, 2).num(f.subcommand, 2);
  const w = new FieldWriter(format, series);
  writeHead(w, REQUEST_SUBHEADER, f.route);
  w.num(tail.length + f.body.length, 2);
  return concat(w.bytes(), tail.bytes(), f.body);
}

/** A whole request frame (exactly one) → its parts; the body stays to be read by command. */
export function decodeRequest(frame: Uint8Array, format: McFormat, series: McSeries): McRequestFrame {
  const r = new FieldReader(frame, format, series);
  const { subheader, route } = readHead(r);
  if (subheader !== REQUEST_SUBHEADER) throw new McFrameError('not a 3E request (subheader 5000)');
  const length = r.num(2, 'data length');
  if (length !== r.remaining) throw new McFrameError(`data length ${length} but ${r.remaining} follow`);
  const timer = r.num(2, 'monitoring timer');
  const command = r.num(2, 'command');
  const subcommand = r.num(2, 'subcommand');
  return { route, timer, command, subcommand, body: r.rest() };
}

export interface McResponseFrame {
  route: McRoute;
  endCode: number;
  /** normal completion: the response data; abnormal: the error information (route, command, subcommand) */
  data: Uint8Array;
}

export function encodeResponse(f: McResponseFrame, format: McFormat, series: McSeries): Uint8Array {
  const end = new FieldWriter(format, series).num(f.endCode, 2);
  const w = new FieldWriter(format, series);
  writeHead(w, RESPONSE_SUBHEADER, f.route);
  w.num(end.length + f.data.length, 2);
  return concat(w.bytes(), end.bytes(), f.data);
}

/** The error information of an abnormal response: who answered and the command refused. */
export function errorInformation(
  route: McRoute,
  command: number,
  subcommand: number,
  format: McFormat,
  series: McSeries,
): Uint8Array {
  const w = new FieldWriter(format, series);
  w.num(route.network, 1).num(route.pc, 1).num(route.moduleIo, 2).num(route.station, 1);
  return w.num(command, 2).num(subcommand, 2).bytes();
}

export function decodeResponse(frame: Uint8Array, format: McFormat, series: McSeries): McResponseFrame {
  const r = new FieldReader(frame, format, series);
  const { subheader, route } = readHead(r);
  if (subheader !== RESPONSE_SUBHEADER) throw new McFrameError('not a 3E response (subheader D000)');
  const length = r.num(2, 'data length');
  if (length !== r.remaining) throw new McFrameError(`data length ${length} but ${r.remaining} follow`);
  const endCode = r.num(2, 'end code');
  return { route, endCode, data: r.rest() };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Splits a byte stream into whole frames (TCP delivers them in any pieces). */
export class FrameSplitter {
  #buf: Uint8Array = new Uint8Array(0);

  constructor(
    readonly format: McFormat,
    readonly series: McSeries,
  ) {}

  /** the whole frames the chunk completes; throws McFrameError on a stream that is not 3E frames */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#buf = this.#buf.length === 0 ? chunk : concat(this.#buf, chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      const n = frameLength(this.#buf, this.format, this.series);
      if (n === undefined || this.#buf.length < n) break;
      out.push(this.#buf.slice(0, n));
      this.#buf = this.#buf.subarray(n);
    }
    return out;
  }

  get pending(): number {
    return this.#buf.length;
  }

  clear(): void {
    this.#buf = new Uint8Array(0);
  }
}

export function hexBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

export function fromHexBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}
