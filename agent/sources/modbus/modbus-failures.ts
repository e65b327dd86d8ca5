import { exceptionName } from '../../../protocols/modbus/frame.js';
import type { ReadFailure } from '../../sources/source.js';
import { ResponseLengthError } from './modbus-client.js';

/** Stable failure codes of the Modbus source (ReadFailure.code). */
export const MODBUS_FAILURE_CODES = {
  timeout: 'MODBUS_TIMEOUT',
  exception: 'MODBUS_EXCEPTION',
  crc: 'MODBUS_CRC',
  badResponse: 'MODBUS_BAD_RESPONSE',
  /** the byte count says fewer values than requested */
  shortResponse: 'MODBUS_SHORT_RESPONSE',
  /** the byte count says more values than requested */
  longResponse: 'MODBUS_LONG_RESPONSE',
  notConnected: 'MODBUS_NOT_CONNECTED',
  unitBackoff: 'MODBUS_UNIT_BACKOFF',
  io: 'MODBUS_IO',
  aborted: 'MODBUS_ABORTED',
} as const;

const HINTS: Record<number, string> = {
  2: ' — check the address is 0-based (40001 → 0) and that maxGap does not span unmapped registers',
  6: ' — the device is busy; it will be retried at the next poll',
};

interface ModbusSerialError {
  message?: unknown;
  errno?: unknown;
  name?: unknown;
  modbusCode?: unknown;
  code?: unknown;
}

/**
 * Classifies an error from modbus-serial (or the socket under it) into a ReadFailure. Exceptions and CRC errors
 * concern one request only; timeouts, resets and framing mismatches make the link suspect.
 */
export function classifyModbusError(err: unknown, what: string): ReadFailure {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ModbusSerialError;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.modbusCode === 'number') {
    const name = exceptionName(e.modbusCode);
    return {
      code: MODBUS_FAILURE_CODES.exception,
      message: `${what}: exception ${e.modbusCode} (${name})${HINTS[e.modbusCode] ?? ''}`,
      detail: e.modbusCode,
      linkFault: false,
    };
  }
  if (err instanceof ResponseLengthError) {
    // the frame itself was whole (length and CRC checked): the device answered wrongly, the link is fine
    return {
      code: err.kind === 'short' ? MODBUS_FAILURE_CODES.shortResponse : MODBUS_FAILURE_CODES.longResponse,
      message: `${what}: ${err.message}`,
      linkFault: false,
    };
  }
  if (message === 'CRC error') {
    return {
      code: MODBUS_FAILURE_CODES.crc,
      message: `${what}: CRC error in the response`,
      linkFault: false,
    };
  }
  if (e.errno === 'ETIMEDOUT' || e.name === 'TransactionTimedOutError') {
    return { code: MODBUS_FAILURE_CODES.timeout, message: `${what}: no response (timeout)`, linkFault: true };
  }
  if (message.startsWith('Data length error') || message.startsWith('Unexpected data error')) {
    return { code: MODBUS_FAILURE_CODES.badResponse, message: `${what}: ${message}`, linkFault: true };
  }
  if (message === 'Port Not Open') {
    return { code: MODBUS_FAILURE_CODES.notConnected, message: `${what}: not connected`, linkFault: true };
  }
  const code = typeof e.code === 'string' ? ` (${e.code})` : '';
  return { code: MODBUS_FAILURE_CODES.io, message: `${what}: ${message}${code}`, linkFault: true };
}
