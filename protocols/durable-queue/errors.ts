import { PlantpulseError } from '../errors.js';

/**
 * A queue file could not be opened for a reason other than damage (permissions, a directory in its place, a locked
 * or missing volume): code QUEUE_OPEN_FAILED. The file is left where it is; the process should stop and say so.
 */
export class QueueOpenError extends PlantpulseError {
  readonly file: string;

  constructor(file: string, options: { cause?: unknown } = {}) {
    super('QUEUE_OPEN_FAILED', `cannot open ${file}: ${messageOf(options.cause)}`, options);
    this.file = file;
  }
}

/**
 * A queue could not store a row (disk full, I/O error) or is closed: code QUEUE_WRITE_FAILED, retryable. Nothing
 * was stored; the queue's accounting is back in step with the file. `diskFull` says whether making room can help.
 */
export class QueueWriteError extends PlantpulseError {
  readonly diskFull: boolean;

  constructor(message: string, options: { cause?: unknown; diskFull?: boolean } = {}) {
    super('QUEUE_WRITE_FAILED', message, { ...options, retryable: true });
    this.diskFull = options.diskFull ?? false;
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
