/**
 * OPC UA StatusCode → Sample quality (OPC UA Part 4 §7.39). Pure: no I/O, no imports of ours except the Sample
 * record's quality type.
 *
 * The two most significant bits of a StatusCode are its severity: 00 Good, 01 Uncertain, 10 Bad, 11 reserved
 * (treated as Bad). The full 32-bit code is kept next to the quality so a plant engineer can tell
 * `BadSensorFailure` from `BadCommunicationError`.
 */
import type { Quality } from '../sample.js';

export const STATUS_SEVERITY_MASK = 0xc000_0000;

export function qualityOfStatus(code: number): Quality {
  const severity = (code >>> 30) & 0b11;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

/** `0x80340000` style, the way OPC UA tools print codes. */
export function formatStatusCode(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Whether a code reports a broken link rather than a bad value: the runner counts these toward reconnect. */
export function isLinkStatus(code: number): boolean {
  const base = (code >>> 16) << 16;
  return LINK_STATUS.has(base >>> 0);
}

const LINK_STATUS = new Set<number>([
  0x80050000, // BadCommunicationError
  0x800a0000, // BadTimeout
  0x800d0000, // BadServerNotConnected
  0x800e0000, // BadServerHalted
  0x80250000, // BadSessionIdInvalid
  0x80260000, // BadSessionClosed
  0x80270000, // BadSessionNotActivated
  0x80220000, // BadSecureChannelIdInvalid
  0x80ae0000, // BadConnectionClosed
  0x808a0000, // BadNotConnected
]);
