/**
 * The base of every coded error (fastify's FST_ERR_* catalog style): a stable `code`, a `cause`, and whether a
 * retry can help. Each module declares its own subclasses next to its code.
 */
export class PlantpulseError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
