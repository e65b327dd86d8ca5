import { PlantpulseError } from '../errors.js';

/** The server could not be reached or answered 5xx/429: retrying later can help. */
export class InfluxConnectionError extends PlantpulseError {
  declare readonly code: 'INFLUX_UNAVAILABLE';
  readonly statusCode: number | undefined;

  constructor(message: string, options: { cause?: unknown; statusCode?: number } = {}) {
    super('INFLUX_UNAVAILABLE', message, { cause: options.cause, retryable: true });
    this.statusCode = options.statusCode;
  }
}

export type InfluxQueryErrorCode =
  /** the server rejected the statement (syntax, unknown database…): the message is the server's */
  | 'INFLUX_QUERY_REJECTED'
  /** 401/403 */
  | 'INFLUX_QUERY_UNAUTHORIZED'
  /** network error, timeout, 5xx or 429 */
  | 'INFLUX_QUERY_UNAVAILABLE'
  /** the answer was not the JSON InfluxQL returns */
  | 'INFLUX_QUERY_BAD_RESPONSE';

/** An InfluxQL query failed; `retryable` for network errors, timeouts, 5xx and 429. */
export class InfluxQueryError extends PlantpulseError {
  declare readonly code: InfluxQueryErrorCode;
  readonly statusCode: number | undefined;

  constructor(
    code: InfluxQueryErrorCode,
    message: string,
    options: { cause?: unknown; statusCode?: number } = {},
  ) {
    super(code, message, { cause: options.cause, retryable: code === 'INFLUX_QUERY_UNAVAILABLE' });
    this.statusCode = options.statusCode;
  }
}
