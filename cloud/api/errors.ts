import { PlantpulseError } from '../../protocols/errors.js';

/**
 * Errors the API answers with, in fastify's shape `{ statusCode, code, error, message }`.
 * Codes are stable (clients may switch on them); messages are for people.
 */
export class ApiError extends PlantpulseError {
  readonly statusCode: number;

  constructor(statusCode: number, code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: statusCode >= 500 });
    this.statusCode = statusCode;
  }
}

/** 401: no or unknown bearer token. */
export class UnauthorizedError extends ApiError {
  constructor(message = 'a bearer token is required: send `Authorization: Bearer <token>`') {
    super(401, 'PP_API_UNAUTHORIZED', message);
  }
}

/** 403: the token's role may not do this. */
export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, 'PP_API_FORBIDDEN', message);
  }
}

/** 400: a parameter is well-formed for the schema but makes no sense (range reversed, too many points, …). */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, 'PP_API_BAD_REQUEST', message);
  }
}

/** 404: no such device, alarm, … */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'PP_API_NOT_FOUND', message);
  }
}

/** 502: InfluxDB refused or failed the query. */
export class UpstreamError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super(502, 'PP_API_INFLUX', message, { cause });
  }
}

/** 503: too many live streams open. */
export class BusyError extends ApiError {
  constructor(message: string) {
    super(503, 'PP_API_BUSY', message);
  }
}

/** 429: this client address failed to authenticate too often; `retryAfterS` goes into `Retry-After`. */
export class TooManyFailuresError extends ApiError {
  readonly retryAfterS: number;

  constructor(retryAfterS: number) {
    super(429, 'PP_API_AUTH_RATE_LIMITED', `too many failed authentications; retry in ${retryAfterS} s`);
    this.retryAfterS = retryAfterS;
  }
}
