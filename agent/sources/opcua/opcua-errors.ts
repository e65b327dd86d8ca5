/** Coded errors of the OPC UA source (stable `code`s, fastify-catalog style). */
import { PlantpulseError } from '../../../protocols/errors.js';

export type OpcuaErrorCode =
  | 'OPCUA_CONFIG'
  | 'OPCUA_CONNECT_FAILED'
  | 'OPCUA_CERT_UNTRUSTED'
  | 'OPCUA_CLIENT_CERT_REJECTED'
  | 'OPCUA_AUTH_FAILED'
  | 'OPCUA_SECURITY_UNAVAILABLE'
  | 'OPCUA_NOT_CONNECTED'
  | 'OPCUA_SUBSCRIBE_FAILED'
  | 'OPCUA_CONNECTION_LOST'
  | 'OPCUA_WATCHDOG';

export class OpcuaError extends PlantpulseError {
  declare readonly code: OpcuaErrorCode;

  constructor(code: OpcuaErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, { retryable: options.retryable ?? code !== 'OPCUA_CONFIG', cause: options.cause });
  }
}
