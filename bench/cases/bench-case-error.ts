import { PlantpulseError } from '../../protocols/errors.js';

export type BenchCaseErrorCode =
  | 'BENCH_CHILD_FAILED'
  | 'BENCH_TIMEOUT'
  | 'BENCH_SERVICE_FAILED'
  | 'BENCH_PEER_UNAVAILABLE';

/** A benchmark case could not produce its figures (a child failed, a wait timed out). */
export class BenchCaseError extends PlantpulseError {
  constructor(code: BenchCaseErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
