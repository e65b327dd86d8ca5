import { ConfigError } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { createRootLogger, type Logger } from '../config/logging.js';
import { parse } from './args.js';
import type { Command } from './commands/command.js';
import { guardProcess, untilSignal } from './lifecycle.js';

/**
 * A long-running process command (`agent`, `cloud`): `-c FILE [--log-level L]`, config loaded and validated before
 * any I/O (problems → exit 2), one root logger, guards against crashes, and a clean stop on SIGINT/SIGTERM.
 */
export function processCommand<T extends { log?: { level?: string } }>(opts: {
  name: string;
  summary: string;
  load: (file: string) => Promise<LoadedConfig<T>>;
  start: (config: T, log: Logger) => Promise<{ stop(): Promise<void>; describe(): Record<string, unknown> }>;
}): Command {
  const usage = `plantpulse ${opts.name} -c ${opts.name}.yaml [--log-level info]`;
  return {
    summary: opts.summary,
    usage,
    async run(argv, io) {
      const args = parse(argv, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } });
      if ('error' in args || typeof args.values['config'] !== 'string') {
        io.stderr.write(`${'error' in args ? args.error : 'missing -c <config file>'}\nusage: ${usage}\n`);
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
      const running = await opts.start(loaded.config, log);
      log.info({ config: loaded.file, ...running.describe() }, `plantpulse ${opts.name} running`);
      return untilSignal(() => running.stop(), log);
    },
  };
}
