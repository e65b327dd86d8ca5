import { agentCommand } from './agent.js';
import { browseCommand } from './browse.js';
import { checkCommand } from './check.js';
import { cloudCommand } from './cloud.js';
import type { Command } from './command.js';
import { hashPasswordCommand } from './hash-password.js';
import { opcuaTrustCommand } from './opcua-trust.js';
import { simCommand } from './sim.js';

/** Every `plantpulse` command, by name: an explicit registry (no side-effect imports). */
export const commands = {
  agent: agentCommand,
  cloud: cloudCommand,
  sim: simCommand,
  check: checkCommand,
  browse: browseCommand,
  opcua: opcuaTrustCommand,
  'hash-password': hashPasswordCommand,
} satisfies Record<string, Command>;
