/**
 * Which client PKI folder(s) an agent config uses, so `plantpulse opcua trust -c agent.yaml` and
 * `plantpulse browse -c agent.yaml` act on the agent's own PKI: a device's `opcua.pki`, else the agent's state
 * folder + `/pki` (as agent/agent.ts passes it: `<outbox.path or .plantpulse-agent>/pki`).
 */
import { join, resolve } from 'node:path';
import { loadAgentConfig } from '../../config/load.js';

export async function agentPkiDirs(configFile: string, device?: string): Promise<string[]> {
  const { config } = await loadAgentConfig(configFile);
  const stateDir = resolve(config.outbox?.path ?? '.plantpulse-agent');
  const dirs = new Set<string>();
  for (const d of config.devices) {
    if (d.opcua === undefined || (device !== undefined && d.id !== device)) continue;
    dirs.add(resolve(d.opcua.pki ?? join(stateDir, 'pki')));
  }
  return [...dirs];
}
