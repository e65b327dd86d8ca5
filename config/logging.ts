import { type Logger, type LoggerOptions, pino } from 'pino';

/** Paths pino must never print: any password, token or key, at any depth we use. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  '*.*.token',
  'key',
  '*.key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/** The one root logger of a process; components take `log.child({ component, device })`. */
export function createRootLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const opts: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return destination ? pino(opts, destination) : pino(opts);
}

export type { Logger };
