/** The OPC UA source component: subscriptions and cyclic reads over a secured channel (README.md here). */
import { join } from 'node:path';
import { defineSource } from '../component.js';
import { checkOpcuaDevice, opcuaMetrics } from './check.js';
import { opcuaSpec } from './spec.js';

export const opcua = defineSource({
  name: 'opcua',
  title: 'OPC UA',
  configKey: 'opcua',
  spec: opcuaSpec,
  dir: 'agent/sources/opcua',
  sample: {
    id: 'cnc-01',
    opcua: {
      endpoint: 'opc.tcp://127.0.0.1:4840',
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      user: { username: 'agent', password: '${env:OPCUA_PASSWORD}' },
    },
    subscribe: [
      {
        name: 'spindle_rpm',
        node: 'ns=2;s=CNC01.Spindle.Speed',
        samplingInterval: '100ms',
        unit: 'rpm',
        deadband: { absolute: 5 },
      },
      { name: 'part_count', node: 'ns=2;s=CNC01.PartCount', type: 'uint32' },
    ],
    read: [{ every: '10s', nodes: [{ name: 'program', node: 'ns=2;s=CNC01.Program.Name', type: 'string' }] }],
  },
  check: checkOpcuaDevice,
  metrics: opcuaMetrics,
  target: (d) => d.opcua.endpoint,
  async create(device, deps) {
    // node-opcua is loaded only when a device uses it (it is large and runs a self-test at import)
    const { routeNodeOpcuaLogging } = await import('./node-opcua-logging.js');
    routeNodeOpcuaLogging(deps.log);
    const { createOpcuaSource } = await import('./opcua-source.js');
    return createOpcuaSource(device, {
      log: deps.log,
      ...(deps.stateDir === undefined ? {} : { pkiDir: join(deps.stateDir, 'pki') }),
      ...(deps.onMetricsChanged === undefined ? {} : { onMetricsChanged: deps.onMetricsChanged }),
    });
  },
});
