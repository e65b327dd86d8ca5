/**
 * DL/T 645 read transactions: the request frames a master sends and what the meter's reply means. Control code
 * bits: D7 direction (1 = from the meter), D6 abnormal reply, D5 more data follows, D4–D0 the function. Pure.
 */

import { type Dlt645Version, decodeDi, diLength, encodeDi } from './data-identifiers.js';
import { type Dlt645Frame, decodeAddress, encodeAddress } from './frame.js';

/** Function codes (D4–D0 of the control code) per version. */
export const FUNCTIONS = {
  2007: { read: 0x11, readFollow: 0x12, readAddress: 0x13 },
  1997: { read: 0x01, readFollow: 0x02, readAddress: undefined },
} as const;

export const REPLY_BIT = 0x80;
export const ERROR_BIT = 0x40;
export const FOLLOW_BIT = 0x20;

/** DL/T 645-2007 error information word (ERR) of an abnormal reply, bit by bit. */
const ERRORS_2007 = [
  'other error',
  'no requested data (the meter does not have this data identifier)',
  'wrong password or not authorised',
  'the baud rate cannot be changed',
  'too many yearly time zones',
  'too many daily time periods',
  'too many tariffs',
  'reserved bit 7',
];
/** DL/T 645-1997 error word. */
const ERRORS_1997 = [
  'illegal data',
  'wrong data identifier (the meter does not have this data identifier)',
  'wrong password',
  'reserved bit 3',
  'too many yearly time zones',
  'too many daily time periods',
  'too many tariffs',
  'reserved bit 7',
];

/** The error byte of an abnormal reply in words: `0x02` (2007) → "no requested data …". */
export function errorMessage(version: Dlt645Version, err: number): string {
  const table = version === 2007 ? ERRORS_2007 : ERRORS_1997;
  const parts = table.filter((_, bit) => (err & (1 << bit)) !== 0);
  return parts.length === 0 ? `error byte 0x00 (no reason given)` : parts.join('; ');
}

export function readRequest(version: Dlt645Version, address: string, di: string): Dlt645Frame {
  return { address, control: FUNCTIONS[version].read, data: encodeDi(di) };
}

/** Asks for the next part of long data: 2007 sends DI and the frame sequence number, 1997 the DI. */
export function readFollowRequest(
  version: Dlt645Version,
  address: string,
  di: string,
  seq: number,
): Dlt645Frame {
  const d = encodeDi(di);
  const data = version === 2007 ? Uint8Array.from([...d, seq & 0xff]) : d;
  return { address, control: FUNCTIONS[version].readFollow, data };
}

/** 2007 read-address (0x13), to the broadcast address: only on a bus with ONE meter (they would all answer). */
export function readAddressRequest(): Dlt645Frame {
  return { address: 'AAAAAAAAAAAA', control: FUNCTIONS[2007].readAddress, data: new Uint8Array(0) };
}

export type ReadReply =
  /** the value bytes after the DI; `more`: the meter has a follow-up frame */
  | { kind: 'data'; value: Uint8Array; more: boolean; seq?: number }
  | { kind: 'error'; errorByte: number; message: string }
  /** not an answer to this request (another meter's frame, an echo of our own request): keep waiting */
  | { kind: 'other'; why: string }
  /** an answer from this meter that makes no sense: the request failed */
  | { kind: 'bad'; why: string };

/** What `frame` says about our read of `di` from `address` (follow: a follow-up read). */
export function interpretReadReply(
  version: Dlt645Version,
  frame: Dlt645Frame,
  request: { address: string; di: string; follow?: boolean },
): ReadReply {
  if ((frame.control & REPLY_BIT) === 0) return { kind: 'other', why: 'a request on the bus (an echo?)' };
  if (frame.address !== request.address.toUpperCase())
    return { kind: 'other', why: `a reply from meter ${frame.address}` };
  const fn = frame.control & 0x1f;
  const want = request.follow ? FUNCTIONS[version].readFollow : FUNCTIONS[version].read;
  if (fn !== want)
    return { kind: 'bad', why: `control code 0x${frame.control.toString(16)} answers no read` };
  if ((frame.control & ERROR_BIT) !== 0) {
    const errorByte = frame.data[0] ?? 0;
    return { kind: 'error', errorByte, message: errorMessage(version, errorByte) };
  }
  const n = diLength(version);
  if (frame.data.length < n)
    return { kind: 'bad', why: `reply of ${frame.data.length} bytes has no data identifier` };
  const di = decodeDi(frame.data.subarray(0, n));
  if (di !== request.di.toUpperCase())
    return { kind: 'bad', why: `reply is for data identifier ${di}, not ${request.di}` };
  const more = (frame.control & FOLLOW_BIT) !== 0;
  if (version === 2007 && request.follow) {
    const seq = frame.data[frame.data.length - 1] ?? 0;
    return { kind: 'data', value: frame.data.slice(n, frame.data.length - 1), more, seq };
  }
  return { kind: 'data', value: frame.data.slice(n), more };
}

/** The address in a read-address (0x93) reply, or undefined when the frame is not one. */
export function interpretAddressReply(frame: Dlt645Frame): string | undefined {
  if (frame.control !== (REPLY_BIT | FUNCTIONS[2007].readAddress) || frame.data.length !== 6)
    return undefined;
  return decodeAddress(frame.data);
}

/** The reply a meter sends to a read (the simulator's side). */
export function readReply(
  version: Dlt645Version,
  address: string,
  di: string,
  value: Uint8Array,
  opts: { more?: boolean; follow?: boolean; seq?: number } = {},
): Dlt645Frame {
  const f = FUNCTIONS[version];
  const control = REPLY_BIT | (opts.more ? FOLLOW_BIT : 0) | (opts.follow ? f.readFollow : f.read);
  const tail = version === 2007 && opts.follow ? [opts.seq ?? 0] : [];
  return { address, control, data: Uint8Array.from([...encodeDi(di), ...value, ...tail]) };
}

export function errorReply(
  version: Dlt645Version,
  address: string,
  errorByte: number,
  follow = false,
): Dlt645Frame {
  const f = FUNCTIONS[version];
  return {
    address,
    control: REPLY_BIT | ERROR_BIT | (follow ? f.readFollow : f.read),
    data: Uint8Array.of(errorByte),
  };
}

export function addressReply(address: string): Dlt645Frame {
  return { address, control: REPLY_BIT | FUNCTIONS[2007].readAddress, data: encodeAddress(address) };
}
