import { ConfigError } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { createRootLogger, type Logger } from '../config/logging.js';
import { startLoopWatchdog } from '../protocols/health/loop-watchdog.js';
import { parse } from './args.js';
import type { Command } from './commands/command.js';
import { reloadConfigOn } from './config-reload.js';
import { durationArg } from './duration-arg.js';
import { guardProcess, untilSignal } from './lifecycle.js';

function unsupported(name: string, log: Logger): void {
  log.error(`plantpulse ${name} does not reload its configuration: restart it to apply the file`);
}

/**
 * A long-running process command (`agent`, `cloud`): `-c FILE [--log-level L]`, config loaded and validated before
 * any I/O (problems → exit 2), one root logger, guards against crashes, a clean stop on SIGINT/SIGTERM, and a
 * configuration reload on SIGHUP (and on a file change with `--watch-config`).
 */
export function processCommand<T extends { log?: { level?: string } }>(opts: {
  name: string;
  summary: string;
  load: (file: string) => Promise<LoadedConfig<T>>;
  start: (
    config: T,
    log: Logger,
    loaded: LoadedConfig<T>,
  ) => Promise<{
    stop(): Promise<void>;
    describe(): Record<string, unknown>;
    /** applies a validated new configuration (SIGHUP, --watch-config: cli/config-reload.ts) */
    reload?(loaded: LoadedConfig<T>): Promise<unknown>;
    /** a new file was refused for its problems (the running configuration stays) */
    reloadRefused?(problems: readonly string[]): void;
  }>;
}): Command {
  const usage = `plantpulse ${opts.name} -c ${opts.name}.yaml [--watch-config] [--watchdog 60s] [--log-level info]`;
  return {
    summary: opts.summary,
    usage,
    async run(argv, io) {
      const args = parse(argv, {
        config: { type: 'string', short: 'c' },
        'log-level': { type: 'string' },
        'watch-config': { type: 'boolean' },
        watchdog: { type: 'string' },
      });
      if ('error' in args || typeof args.values['config'] !== 'string') {
        io.stderr.write(`${'error' in args ? args.error : 'missing -c <config file>'}\nusage: ${usage}\n`);
        return 2;
      }
      const watchdogText = args.values['watchdog'];
      const watchdogMs = typeof watchdogText === 'string' ? durationArg(watchdogText) : undefined;
      if (typeof watchdogText === 'string' && (watchdogMs === undefined || watchdogMs < 1000)) {
        io.stderr.write(
          `--watchdog "${watchdogText}": a duration of at least 1s, e.g. 60s\nusage: ${usage}\n`,
        );
        return 2;
      }
      let loaded: LoadedConfig<T>;
      try {
        loaded = await opts.load(args.values['config']);
      } catch (err) {
        if (err instanceof ConfigError) {
          io.stderr.write(`${err.message}\n`);
          return 2;
        }
        throw err;
      }
      const level = (args.values['log-level'] as string | undefined) ?? loaded.config.log?.level ?? 'info';
      const log = createRootLogger(`plantpulse-${opts.name}`, level);
      guardProcess(log);
      // started before anything that could hang: a start that never returns is a stall too
      const watchdog =
        watchdogMs === undefined
          ? undefined
          : startLoopWatchdog({
              stallMs: watchdogMs,
              name: `plantpulse-${opts.name}`,
              onError: (err) => log.error({ err }, 'the event-loop watchdog failed: running without it'),
            });
      const running = await opts.start(loaded.config, log, loaded);
      const { reload } = running;
      const reloader = reloadConfigOn({
        file: loaded.file,
        load: opts.load,
        reload: reload ? (next) => reload.call(running, next) : async () => unsupported(opts.name, log),
        log: log.child({ component: 'config-reload' }),
        refused: (problems) => running.reloadRefused?.(problems),
        watch: args.values['watch-config'] === true,
      });
      log.info(
        { config: loaded.file, ...running.describe(), ...(watchdogMs === undefined ? {} : { watchdogMs }) },
        `plantpulse ${opts.name} running`,
      );
      return untilSignal(async () => {
        reloader.close();
        await running.stop();
        await watchdog?.stop();
      }, log);
    },
  };
}
