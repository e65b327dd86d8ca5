import { startCloud } from '../../cloud/cloud.js';
import { ConfigError } from '../../config/errors.js';
import { loadCloudConfig } from '../../config/load.js';
import { createRootLogger } from '../../config/logging.js';
import { parse } from '../args.js';
import { guardProcess, untilSignal } from '../lifecycle.js';
import type { Command } from './command.js';

export const cloudCommand: Command = {
  summary: 'run the ingester: embedded MQTT broker, Sparkplug host, InfluxDB writer, API and dashboard',
  usage: 'plantpulse cloud -c cloud.yaml [--log-level info]',
  async run(argv, io) {
    const args = parse(argv, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } });
    if ('error' in args || typeof args.values['config'] !== 'string') {
      io.stderr.write(`${'error' in args ? args.error : 'missing -c <config file>'}\nusage: ${this.usage}\n`);
      return 2;
    }
    let loaded: Awaited<ReturnType<typeof loadCloudConfig>>;
    try {
      loaded = await loadCloudConfig(args.values['config']);
    } catch (err) {
      if (err instanceof ConfigError) {
        io.stderr.write(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const level = (args.values['log-level'] as string | undefined) ?? loaded.config.log?.level ?? 'info';
    const log = createRootLogger('plantpulse-cloud', level);
    guardProcess(log);
    const cloud = await startCloud(loaded.config, log);
    log.info({ config: loaded.file, broker: cloud.brokerUrl, api: cloud.apiUrl }, 'plantpulse cloud running');
    return untilSignal(() => cloud.stop(), log);
  },
};
