/**
 * Entry point of the OPC UA plugin: `createOpcuaSource(device, deps)` returns the device's sources —
 * a SubscribingSource for `subscribe:` items and/or a PollingSource for `read:` groups (cyclic reads). Each has its
 * own session so one failing never stalls the other. Nothing dials here: `connect()` does.
 */
import type { Logger } from 'pino';
import type { AgentDevice } from '../../../config/schemas/agent.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import { parseNodeId } from '../../../protocols/opcua/node-id.js';
import { isSecurityProblem, resolveSecurity } from '../../../protocols/opcua/security.js';
import type { PollingSource, SubscribingSource } from '../source.js';
import { OpcuaCyclicReadSource } from './cyclic-read-source.js';
import { MetricCatalog } from './metric-catalog.js';
import { OpcuaConfigError } from './opcua-errors.js';
import { OpcuaLink } from './opcua-link.js';
import { DEFAULT_PKI_DIR } from './pki.js';
import { OpcuaSubscriptionSource } from './subscription-source.js';

export interface OpcuaSourceDeps {
  log: Logger;
  /** client PKI folder when the device's `opcua.pki` is not set (default `pki/opcua`) */
  pkiDir?: string;
  clock?: { now(): number };
  /**
   * the metric set changed after connect (an item's first value showed an array, a structure or another type than
   * configured): the publisher should send a new birth with `metrics`
   */
  onMetricsChanged?: (device: string, metrics: readonly MetricInfo[]) => void;
}

export type OpcuaSource = OpcuaSubscriptionSource | OpcuaCyclicReadSource;

export function createOpcuaSource(
  device: AgentDevice,
  deps: OpcuaSourceDeps,
): (SubscribingSource | PollingSource)[] {
  return createOpcuaSources(device, deps);
}

/** Same as createOpcuaSource with the concrete classes (stats, plan) visible. */
export function createOpcuaSources(device: AgentDevice, deps: OpcuaSourceDeps): OpcuaSource[] {
  const problems = checkOpcuaDevice(device);
  if (problems.length > 0) throw new OpcuaConfigError(device.id, problems);
  const conn = device.opcua;
  if (conn === undefined) return [];
  const pkiDir = conn.pki ?? deps.pkiDir ?? DEFAULT_PKI_DIR;
  const clock = deps.clock ?? Date;
  const log = deps.log.child({ component: 'opcua', device: device.id });
  const onChanged = (metrics: readonly MetricInfo[]): void => {
    log.info({ metrics: metrics.length }, 'metric set refined from values');
    deps.onMetricsChanged?.(device.id, metrics);
  };
  const out: OpcuaSource[] = [];
  const subscribe = device.subscribe ?? [];
  if (subscribe.length > 0) {
    const slog = log.child({ mode: 'subscribe' });
    out.push(
      new OpcuaSubscriptionSource(device, {
        log: slog,
        clock,
        catalog: new MetricCatalog(subscribe, onChanged),
        link: new OpcuaLink({
          connection: conn,
          pkiDir,
          log: slog,
          sessionName: `plantpulse/${device.id}/subscribe`,
        }),
      }),
    );
  }
  const reads = (device.read ?? []).flatMap((g) => g.nodes);
  if (reads.length > 0) {
    const rlog = log.child({ mode: 'read' });
    out.push(
      new OpcuaCyclicReadSource(device, {
        log: rlog,
        clock,
        catalog: new MetricCatalog(reads, onChanged),
        link: new OpcuaLink({
          connection: conn,
          pkiDir,
          log: rlog,
          sessionName: `plantpulse/${device.id}/read`,
        }),
      }),
    );
  }
  return out;
}

/**
 * Every problem of a device's OPC UA configuration, as messages with their key path (the config checker calls this
 * before any I/O; createOpcuaSource refuses a device with problems).
 */
export function checkOpcuaDevice(device: AgentDevice): string[] {
  const problems: string[] = [];
  const hasItems = (device.subscribe?.length ?? 0) > 0 || (device.read?.length ?? 0) > 0;
  if (device.opcua === undefined) {
    if (hasItems) problems.push('subscribe/read need an opcua: section');
    return problems;
  }
  if (!hasItems) problems.push('opcua: needs subscribe: items or read: groups');
  const sec = resolveSecurity(device.opcua);
  if (isSecurityProblem(sec)) problems.push(`opcua: ${sec.message}`);
  const seen = new Set<string>();
  const checkNode = (path: string, name: string, node: string): void => {
    if (parseNodeId(node) === undefined) {
      problems.push(
        `${path}.node: ${JSON.stringify(node)} is not a node id (ns=2;s=Name, i=85, nsu=uri;s=Name)`,
      );
    }
    if (seen.has(name)) problems.push(`${path}.name: metric ${name} is defined twice`);
    seen.add(name);
  };
  (device.subscribe ?? []).forEach((item, i) => {
    checkNode(`subscribe[${i}]`, item.name, item.node);
  });
  (device.read ?? []).forEach((g, gi) => {
    g.nodes.forEach((n, ni) => {
      checkNode(`read[${gi}].nodes[${ni}]`, n.name, n.node);
    });
  });
  return problems;
}
