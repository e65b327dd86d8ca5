/**
 * What a configuration reload changes in the agent, device by device. A device is changed when anything of its
 * resolved configuration differs (connection, points, intervals, tags, derive); unchanged devices keep running
 * untouched. Node-level sections either apply live (`heartbeat`) or need a restart: the MQTT connection and the
 * Sparkplug identity (`site`, `node`, `mqtt`), the state directory and outbox (`outbox`), the health endpoint
 * (`http`) and logging (`log`). A reload that changes one of those is refused as a whole, saying which.
 */
import type { AgentConfig } from '../config/agent-spec.js';
import type { AgentDevice } from '../config/device-spec.js';
import { canonicalJson } from './config-hash.js';

/** The agent settings a reload applies without a restart (besides `devices`). */
export const RELOADABLE_SECTIONS = ['devices', 'heartbeat'] as const;

/** The agent settings that only a restart applies. */
export const RESTART_SECTIONS = ['site', 'node', 'mqtt', 'outbox', 'http', 'log'] as const;

export interface AgentConfigDiff {
  added: AgentDevice[];
  /** device ids */
  removed: string[];
  /** the devices' new configuration */
  changed: AgentDevice[];
  unchanged: string[];
  heartbeatChanged: boolean;
  /** sections that changed and need a restart (the reload is refused when any) */
  needRestart: string[];
}

export function diffAgentConfig(old: AgentConfig, next: AgentConfig): AgentConfigDiff {
  const before = new Map(old.devices.map((d) => [d.id, d]));
  const after = new Set(next.devices.map((d) => d.id));
  const diff: AgentConfigDiff = {
    added: [],
    removed: old.devices.filter((d) => !after.has(d.id)).map((d) => d.id),
    changed: [],
    unchanged: [],
    heartbeatChanged: old.heartbeat !== next.heartbeat,
    needRestart: RESTART_SECTIONS.filter(
      (k) => canonicalJson(old[k] ?? null) !== canonicalJson(next[k] ?? null),
    ),
  };
  for (const d of next.devices) {
    const was = before.get(d.id);
    if (was === undefined) diff.added.push(d);
    else if (canonicalJson(was) !== canonicalJson(d)) diff.changed.push(d);
    else diff.unchanged.push(d.id);
  }
  return diff;
}

/** True when the reload changes nothing the agent runs. */
export function isEmptyDiff(d: AgentConfigDiff): boolean {
  return (
    d.added.length === 0 &&
    d.removed.length === 0 &&
    d.changed.length === 0 &&
    !d.heartbeatChanged &&
    d.needRestart.length === 0
  );
}
