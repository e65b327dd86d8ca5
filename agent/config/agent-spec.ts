/**
 * The agent config: its own sections and the devices (assembled from the source registry), declared once. The
 * loader (agent/config/load-agent-config.ts) validates a file against it, runs the checks attached to its sections
 * and returns it resolved: defaults filled, durations in ms, sizes in bytes.
 */
import { type StaticDecode, type StaticEncode, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.js';
import { DurationAtLeast, Id, LogLevel, Port } from '../../config/schemas/common.js';
import { optional, required, Section } from '../../config/spec.js';
import { AgentDevice } from './device-spec.js';
import { AgentMqtt } from './mqtt-spec.js';
import { OutboxSettings } from './outbox-spec.js';

export const AgentHttp = Section({
  port: required(Port, {
    description: '/healthz, /readyz and /metrics on this port (0: any free port)',
    example: 9100,
  }),
  host: optional(Type.String(), { description: 'address to listen on', default: '127.0.0.1' }),
});

export const AgentLog = Section({
  level: optional(LogLevel, { description: 'least severe level logged', default: 'info' }),
});

export const AgentConfig = Section(
  {
    site: required(Id, { description: 'Sparkplug group_id (the `site` tag)', example: 'cq-plant1' }),
    node: required(Id, { description: 'Sparkplug edge_node_id (the `node` tag)', example: 'line3-gw' }),
    mqtt: required(AgentMqtt, { description: 'the uplink to the broker' }),
    outbox: optional(OutboxSettings, { description: 'state directory and durable outbox', default: {} }),
    http: optional(AgentHttp, { description: 'health and metrics endpoint; unset: none' }),
    log: optional(AgentLog, { description: 'logging', default: {} }),
    heartbeat: optional(DurationAtLeast('1s'), {
      description: 'send every metric at least this often even when unchanged',
      defaultText: 'only on change',
    }),
    devices: required(Type.Array(AgentDevice, { minItems: 1 }), { description: 'what the agent reads' }),
  },
  { check: (cfg) => agentChecks(cfg) },
);
/** The agent config, resolved. */
export type AgentConfig = StaticDecode<typeof AgentConfig>;
/** The agent config as written in a file (what generated configs produce). */
export type AgentConfigInput = StaticEncode<typeof AgentConfig>;

/** Across sections: client certificate pairs, unique device ids. */
function agentChecks(cfg: {
  mqtt: { cert?: string; key?: string };
  devices: readonly { id: string }[];
}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.mqtt.cert !== undefined && cfg.mqtt.key === undefined)
    issues.push({ path: ['mqtt'], message: 'cert needs key' });
  if (cfg.mqtt.key !== undefined && cfg.mqtt.cert === undefined)
    issues.push({ path: ['mqtt'], message: 'key needs cert' });
  const firstId = new Map<string, number>();
  cfg.devices.forEach((d, i) => {
    const seen = firstId.get(d.id);
    if (seen !== undefined)
      issues.push({
        path: ['devices', i, 'id'],
        message: `duplicate device id "${d.id}" (also devices[${seen}].id)`,
      });
    else firstId.set(d.id, i);
  });
  return issues;
}
