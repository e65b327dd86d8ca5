import type { Logger } from '../../config/logging.js';
import type { AgentDevice } from '../../config/schemas/agent.js';
import type { MetricInfo } from '../../protocols/metric.js';
import { LineRegistry } from './modbus/line-registry.js';
import { createModbusSource } from './modbus/modbus-source.js';
import type { Source } from './source.js';

export interface SourceDeps {
  log: Logger;
  /** shared by every Modbus device: one queue per serial line or gateway */
  modbusLines: LineRegistry;
  opcuaPkiDir?: string;
  onMetricsChanged?: (device: string, metrics: readonly MetricInfo[]) => void;
}

type SourceFactory = (device: AgentDevice, deps: SourceDeps) => Promise<Source[]>;

/** Protocol → source factory. A device uses the protocol whose config key it has (`modbus:` or `opcua:`). */
export const sourceFactories = {
  modbus: async (device, deps) => [createModbusSource(device, { log: deps.log, lines: deps.modbusLines })],
  // node-opcua is loaded only when a device uses it (it is large and runs a self-test at import)
  opcua: async (device, deps) => {
    const { routeNodeOpcuaLogging } = await import('./opcua/node-opcua-logging.js');
    routeNodeOpcuaLogging(deps.log);
    const { createOpcuaSource } = await import('./opcua/opcua-source.js');
    return createOpcuaSource(device, {
      log: deps.log,
      ...(deps.opcuaPkiDir === undefined ? {} : { pkiDir: deps.opcuaPkiDir }),
      ...(deps.onMetricsChanged === undefined ? {} : { onMetricsChanged: deps.onMetricsChanged }),
    });
  },
} satisfies Record<string, SourceFactory>;

export type Protocol = keyof typeof sourceFactories;

export function protocolOf(device: AgentDevice): Protocol | undefined {
  return (Object.keys(sourceFactories) as Protocol[]).find((p) => device[p] !== undefined);
}

export async function createSources(device: AgentDevice, deps: SourceDeps): Promise<Source[]> {
  const p = protocolOf(device);
  return p === undefined ? [] : sourceFactories[p](device, deps);
}

export function newModbusLines(log: Logger): LineRegistry {
  return new LineRegistry(log);
}
