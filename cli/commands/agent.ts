import { getHeapStatistics } from 'node:v8';
import { startAgent } from '../../agent/agent.js';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import { configHash } from '../../agent/reload/config-hash.js';
import { processCommand } from '../process-command.js';
import { AGENT_ONCE_USAGE, runAgentOnce } from './agent-once.js';
import type { Command } from './command.js';

const agentProcess = processCommand({
  name: 'agent',
  summary: 'run the edge agent: poll/subscribe devices, derive, buffer, publish Sparkplug B over MQTT',
  load: (file) => loadAgentConfig(file),
  async start(config, log, loaded) {
    const agent = await startAgent(config, log, { configHash: configHash(config, loaded.secrets) });
    return {
      stop: () => agent.stop(),
      describe: () => ({
        devices: config.devices.length,
        http: agent.httpUrl,
        configHash: agent.snapshot().config.hash,
        // the service unit bounds it (cli/service/node-options.ts); V8's default depends on the machine's memory
        heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      }),
      reload: (next) => agent.reload(next.config, configHash(next.config, next.secrets)),
      reloadRefused: () => agent.reloadRefused(),
    };
  },
});

/** `plantpulse agent -c agent.yaml` runs the agent; with `--once` it reads every point once and exits. */
export const agentCommand: Command = {
  summary: agentProcess.summary,
  usage: `usage: ${agentProcess.usage}\n${AGENT_ONCE_USAGE.replace(/^usage: /, '       ')}`,
  run: (argv, io) => (argv.includes('--once') ? runAgentOnce(argv, io) : agentProcess.run(argv, io)),
};
