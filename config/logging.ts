import { type Logger, type LoggerOptions, pino } from 'pino';
import { REDACTED, redactLogValue, redactUrls } from './redact.js';

/**
 * Paths pino redacts on its own (fast, fixed depth); every record also goes through `redactLogValue`, which removes
 * secrets at any depth (SECRET_KEYS such as `password`, `passwordHash`, `tokenHash`, credential headers, and
 * `user:password@` inside URLs), in child bindings and in the message too.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'key',
  '*.key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

const CHINDINGS = pino.symbols.chindingsSym;

/** The one root logger of a process; components take `log.child({ component, device })`. */
export function createRootLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const opts: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    base: { pid: process.pid },
    formatters: {
      log: (obj) => redactLogValue(obj) as Record<string, unknown>,
      bindings: (b) => redactLogValue(b) as Record<string, unknown>,
    },
    // errors arrive here already scrubbed as plain objects: keep them (pino's would call them type "Object")
    serializers: {
      err: (e: unknown) => (e instanceof Error ? redactLogValue(pino.stdSerializers.err(e)) : e),
    },
    // pino does not pass a child's bindings through formatters.bindings: scrub their JSON text instead
    onChild(child) {
      const text = (child as unknown as Record<symbol, unknown>)[CHINDINGS];
      if (typeof text === 'string')
        (child as unknown as Record<symbol, unknown>)[CHINDINGS] = redactUrls(text);
    },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a) => (typeof a === 'string' ? redactUrls(a) : a)) as typeof args;
        method.apply(this, clean);
      },
    },
  };
  return destination ? pino(opts, destination) : pino(opts);
}

export type { Logger };
