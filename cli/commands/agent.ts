import { startAgent } from '../../agent/agent.js';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import { processCommand } from '../process-command.js';

export const agentCommand = processCommand({
  name: 'agent',
  summary: 'run the edge agent: poll/subscribe devices, derive, buffer, publish Sparkplug B over MQTT',
  load: (file) => loadAgentConfig(file),
  async start(config, log) {
    const agent = await startAgent(config, log);
    return {
      stop: () => agent.stop(),
      describe: () => ({ devices: config.devices.length, http: agent.httpUrl }),
    };
  },
});
