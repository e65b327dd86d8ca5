import { Writable } from 'node:stream';
import { createRootLogger, type Logger } from '../../config/logging.js';

/** A root logger (redaction and all, as in production) whose JSON lines land in `lines`, for asserting on logs. */
export function captureLog(level = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createRootLogger('test', level, dest), lines };
}
