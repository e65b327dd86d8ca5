import { PlantpulseError } from '../../../protocols/errors.js';

/**
 * What the HJ 212 receiver refuses or reports, as stable codes: HJ212_LISTEN (the port cannot be bound),
 * HJ212_DISCONNECTED (the device's datalogger went away), HJ212_DUPLICATE_MN (two devices claim one MN on a
 * listener); per packet (counted, logged, never thrown): HJ212_MALFORMED, HJ212_BAD_CRC, HJ212_TOO_LONG,
 * HJ212_UNKNOWN_MN, HJ212_BAD_PASSWORD, HJ212_NOT_READY (the device is between reconnects: held for it, not
 * acknowledged).
 */
export type Hj212ErrorCode = 'HJ212_LISTEN' | 'HJ212_DISCONNECTED' | 'HJ212_DUPLICATE_MN';

export class Hj212Error extends PlantpulseError {
  constructor(code: Hj212ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
  }
}
