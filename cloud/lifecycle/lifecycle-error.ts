/** Errors of the data lifecycle (retention policies, buckets, roll-ups), with a stable code. */
export type LifecycleErrorCode = 'PP_LIFECYCLE_BUCKETS' | 'PP_LIFECYCLE_POLICY' | 'PP_LIFECYCLE_ROLLUP';

export class LifecycleError extends Error {
  readonly code: LifecycleErrorCode;
  readonly retryable = true;
  constructor(code: LifecycleErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'LifecycleError';
    this.code = code;
  }
}
