/**
 * Which client PKI folder(s) an agent config uses, so `plantpulse opcua trust -c agent.yaml` and
 * `plantpulse browse -c agent.yaml` act on the agent's own PKI: a device's `opcua.pki`, else the agent's state
 * folder + `/pki` (as the OPC UA component uses it: `<outbox.path>/pki`).
 */
import { join, resolve } from 'node:path';
import { loadAgentConfig } from '../../agent/config/load-agent-config.js';
import type { OpcuaConnection } from '../../agent/sources/opcua/spec.js';

export async function agentPkiDirs(configFile: string, device?: string): Promise<string[]> {
  const { config } = await loadAgentConfig(configFile);
  const stateDir = resolve(config.outbox.path);
  const dirs = new Set<string>();
  for (const d of config.devices) {
    if (d.opcua === undefined || (device !== undefined && d.id !== device)) continue;
    dirs.add(resolve(d.opcua.pki ?? join(stateDir, 'pki')));
  }
  return [...dirs];
}

/** The connection of one OPC UA device of an agent config, with the PKI folder the agent uses for it. */
export async function agentOpcuaDevice(
  configFile: string,
  device?: string,
): Promise<{ id: string; connection: OpcuaConnection; pkiDir: string } | string> {
  const { config } = await loadAgentConfig(configFile);
  const stateDir = resolve(config.outbox.path);
  const candidates = config.devices.filter(
    (d) => d.opcua !== undefined && (device === undefined || d.id === device),
  );
  const d = candidates[0];
  if (d?.opcua === undefined)
    return device === undefined ? 'no OPC UA device in the config' : `no OPC UA device ${device}`;
  if (candidates.length > 1)
    return `several OPC UA devices (${candidates.map((c) => c.id).join(', ')}): add --device`;
  return { id: d.id, connection: d.opcua, pkiDir: resolve(d.opcua.pki ?? join(stateDir, 'pki')) };
}
