/**
 * Modbus wire frames: the PDU of the read/write function codes, MBAP (TCP) and RTU (CRC-16) framing. Used by the
 * simulators (the agent talks through modbus-serial). Pure: buffers in, buffers or values out.
 */

/** Exception codes (Modbus Application Protocol V1.1b §7). */
export const MODBUS_EXCEPTIONS = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
} as const satisfies Record<number, string>;
export type ModbusExceptionCode = keyof typeof MODBUS_EXCEPTIONS;

export function exceptionName(code: number): string {
  return (MODBUS_EXCEPTIONS as Record<number, string>)[code] ?? `exception ${code}`;
}

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF); sent low byte first. */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ (buf[i] ?? 0)) & 0xff] ?? 0);
  return crc;
}

export type RequestPdu =
  | { fc: 1 | 2 | 3 | 4; address: number; count: number }
  | { fc: 5; address: number; value: boolean }
  | { fc: 6; address: number; value: number }
  | { fc: 15; address: number; values: boolean[] }
  | { fc: 16; address: number; values: number[] }
  | { fc: 'unsupported'; code: number };

/**
 * Length of the request PDU starting at `pdu[0]` (the function code), or undefined when more bytes are needed.
 * Returns -1 for a function code we do not know the framing of.
 */
export function requestPduLength(buf: Uint8Array, start: number): number | undefined {
  const fc = buf[start];
  if (fc === undefined) return undefined;
  if (fc >= 1 && fc <= 6) return 5;
  if (fc === 15 || fc === 16) {
    const byteCount = buf[start + 5];
    return byteCount === undefined ? undefined : 6 + byteCount;
  }
  return -1;
}

/** Parses a request PDU; undefined when it is malformed (wrong length or byte count). */
export function parseRequestPdu(pdu: Uint8Array): RequestPdu | undefined {
  const v = new DataView(pdu.buffer, pdu.byteOffset, pdu.byteLength);
  const fc = pdu[0];
  if (fc === undefined) return undefined;
  if (fc < 1 || (fc > 6 && fc !== 15 && fc !== 16)) return { fc: 'unsupported', code: fc };
  if (pdu.length < 5) return undefined;
  const address = v.getUint16(1);
  const word = v.getUint16(3);
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4:
      return { fc, address, count: word };
    case 5:
      return { fc, address, value: word === 0xff00 };
    case 6:
      return { fc, address, value: word };
    case 15: {
      const byteCount = pdu[5] ?? 0;
      if (pdu.length < 6 + byteCount || byteCount < Math.ceil(word / 8)) return undefined;
      const values: boolean[] = [];
      for (let i = 0; i < word; i++) values.push((((pdu[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1);
      return { fc, address, values };
    }
    case 16: {
      const byteCount = pdu[5] ?? 0;
      if (pdu.length < 6 + byteCount || byteCount < word * 2) return undefined;
      const values: number[] = [];
      for (let i = 0; i < word; i++) values.push(v.getUint16(6 + i * 2));
      return { fc, address, values };
    }
    default:
      return undefined;
  }
}

export function bitsResponsePdu(fc: 1 | 2, bits: ArrayLike<boolean>): Uint8Array {
  const n = Math.ceil(bits.length / 8);
  const out = new Uint8Array(2 + n);
  out[0] = fc;
  out[1] = n;
  for (let i = 0; i < bits.length; i++)
    if (bits[i]) out[2 + (i >> 3)] = (out[2 + (i >> 3)] ?? 0) | (1 << (i & 7));
  return out;
}

export function registersResponsePdu(fc: 3 | 4, words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(2 + words.length * 2);
  const v = new DataView(out.buffer);
  out[0] = fc;
  out[1] = words.length * 2;
  for (let i = 0; i < words.length; i++) v.setUint16(2 + i * 2, (words[i] ?? 0) & 0xffff);
  return out;
}

/** The echo a server sends for FC 5/6 (address + value) and 15/16 (address + count). */
export function writeEchoPdu(fc: 5 | 6 | 15 | 16, address: number, word: number): Uint8Array {
  const out = new Uint8Array(5);
  const v = new DataView(out.buffer);
  out[0] = fc;
  v.setUint16(1, address);
  v.setUint16(3, word & 0xffff);
  return out;
}

export function exceptionPdu(fc: number, code: number): Uint8Array {
  return Uint8Array.of((fc | 0x80) & 0xff, code & 0xff);
}

/** MBAP header (7 bytes) + PDU. */
export function mbapFrame(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const out = Buffer.alloc(7 + pdu.length);
  out.writeUInt16BE(transactionId & 0xffff, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(pdu.length + 1, 4);
  out.writeUInt8(unitId & 0xff, 6);
  out.set(pdu, 7);
  return out;
}

/** RTU ADU: unit id + PDU + CRC (low byte first). */
export function rtuFrame(unitId: number, pdu: Uint8Array): Buffer {
  const out = Buffer.alloc(3 + pdu.length);
  out.writeUInt8(unitId & 0xff, 0);
  out.set(pdu, 1);
  out.writeUInt16LE(crc16(out, 0, out.length - 2), out.length - 2);
  return out;
}

/** Milliseconds per character on a serial line (start + data + parity + stop bits per character). */
export function serialCharTimeMs(baud: number, dataBits = 8, parity = 'none', stopBits = 1): number {
  const bits = 1 + dataBits + (parity === 'none' ? 0 : 1) + stopBits;
  return (bits * 1000) / baud;
}

/** t3.5, the silence that ends an RTU frame: 3.5 characters, fixed 1.75 ms above 19200 baud. */
export function rtuFrameGapMs(baud: number, charTimeMs: number): number {
  return baud > 19200 ? 1.75 : 3.5 * charTimeMs;
}
