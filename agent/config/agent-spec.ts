/**
 * The agent config: its own sections and the devices (assembled from the source registry), declared once. The
 * loader (agent/config/load-agent-config.ts) validates a file against it, runs the checks attached to its sections
 * and returns it resolved: defaults filled, durations in ms, sizes in bytes.
 */
import { type StaticDecode, type StaticEncode, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.js';
import { DurationAtLeast, Id, LogLevel } from '../../config/schemas/common.js';
import { HealthHttp } from '../../config/schemas/health-http.js';
import { optional, required, Section, withCheck } from '../../config/spec.js';
import { AgentDevice } from './device-spec.js';
import { AgentMqtt } from './mqtt-spec.js';
import { OutboxSettings } from './outbox-spec.js';

/** The agent's health endpoint: the same section as the ingester's. */
export const AgentHttp = HealthHttp;

export const AgentLog = Section({
  level: optional(LogLevel, { description: 'least severe level logged', default: 'info' }),
});

export const AgentConfig = Section({
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
  devices: required(withCheck(Type.Array(AgentDevice, { minItems: 1 }), uniqueIds), {
    description: 'what the agent reads',
  }),
});
/** The agent config, resolved. */
export type AgentConfig = StaticDecode<typeof AgentConfig>;
/** The agent config as written in a file (what generated configs produce). */
export type AgentConfigInput = StaticEncode<typeof AgentConfig>;

/** Device ids are unique (they are the Sparkplug device ids). Runs once every device is schema-valid. */
function uniqueIds(devices: readonly { id: string }[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const firstId = new Map<string, number>();
  devices.forEach((d, i) => {
    const seen = firstId.get(d.id);
    if (seen !== undefined)
      issues.push({ path: [i, 'id'], message: `duplicate device id "${d.id}" (also devices[${seen}].id)` });
    else firstId.set(d.id, i);
  });
  return issues;
}
