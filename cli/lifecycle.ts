import type { Logger } from '../config/logging.js';

/**
 * Runs until SIGINT/SIGTERM, then calls `stop` once (flush, close) and resolves with exit code 0, or 1 when
 * stopping failed. A second signal while stopping forces exit 1.
 */
export function untilSignal(stop: () => Promise<void>, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without a clean stop');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'stopping');
      stop().then(
        () => {
          log.info('stopped cleanly');
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Log what would otherwise crash the process, and keep running: a dead device or a bad payload must not kill us. */
export function guardProcess(log: Logger): void {
  process.on('unhandledRejection', (reason) =>
    log.error({ err: reason }, 'unhandled promise rejection (kept running)'),
  );
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception (kept running)'));
}

/**
 * For a command without a logger (a simulator): runs until the first SIGINT/SIGTERM, then `close()`, and resolves
 * with exit code 0, or 1 when closing failed.
 */
export function closeOnSignal(close: () => Promise<unknown>): Promise<number> {
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
