/**
 * The HJ 212 packet check: a CRC16 over the data segment's ASCII bytes, written as 4 hex digits. It is the
 * standard's own variant, not CRC-16/MODBUS: the register starts at 0xFFFF and, for each byte, is first shifted
 * right by 8 and then XORed with the byte, followed by eight reflected steps with polynomial 0xA001 (the appendix
 * algorithm of HJ 212-2017, as widely re-implemented, e.g. the HJ 212-2017 protocol of the fox-edge-server-protocol
 * project). Checked against the standard's own example packet
 * `##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80`
 * (tests/unit/hj212/golden-frames.test.ts). Pure.
 */
export function hj212Crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc = (crc >> 8) ^ b;
    for (let i = 0; i < 8; i++) {
      const lsb = crc & 1;
      crc >>= 1;
      if (lsb) crc ^= 0xa001;
    }
  }
  return crc & 0xffff;
}

/** The CRC as a packet carries it: 4 upper-case hex digits. */
export function formatCrc(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
