import { startAgent } from '../../agent/agent.js';
import { ConfigError } from '../../config/errors.js';
import { loadAgentConfig } from '../../config/load.js';
import { createRootLogger } from '../../config/logging.js';
import { parse } from '../args.js';
import { guardProcess, untilSignal } from '../lifecycle.js';
import type { Command } from './command.js';

export const agentCommand: Command = {
  summary: 'run the edge agent: poll/subscribe devices, derive, buffer, publish Sparkplug B over MQTT',
  usage: 'plantpulse agent -c agent.yaml [--log-level info]',
  async run(argv, io) {
    const args = parse(argv, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } });
    if ('error' in args || typeof args.values['config'] !== 'string') {
      io.stderr.write(`${'error' in args ? args.error : 'missing -c <config file>'}\nusage: ${this.usage}\n`);
      return 2;
    }
    let loaded: Awaited<ReturnType<typeof loadAgentConfig>>;
    try {
      loaded = await loadAgentConfig(args.values['config']);
    } catch (err) {
      if (err instanceof ConfigError) {
        io.stderr.write(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const level = (args.values['log-level'] as string | undefined) ?? loaded.config.log?.level ?? 'info';
    const log = createRootLogger('plantpulse-agent', level);
    guardProcess(log);
    const agent = await startAgent(loaded.config, log);
    log.info(
      { config: loaded.file, devices: loaded.config.devices.length, http: agent.httpUrl },
      'plantpulse agent running',
    );
    return untilSignal(() => agent.stop(), log);
  },
};
