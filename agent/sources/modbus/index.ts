/** The Modbus source component: TCP, RTU on a serial line, RTU over TCP (README.md in this folder). */
import { defineSource } from '../component.js';
import { checkModbusDevice, modbusMetrics } from './check.js';
import { modbusSpec } from './spec.js';

export const modbus = defineSource({
  name: 'modbus',
  title: 'Modbus',
  configKey: 'modbus',
  spec: modbusSpec,
  dir: 'agent/sources/modbus',
  check: checkModbusDevice,
  metrics: modbusMetrics,
  async create(device, deps) {
    // the driver (modbus-serial) loads only when a device uses it: `plantpulse check` stays light
    const { createModbusSource } = await import('./modbus-source.js');
    const { LineRegistry } = await import('./line-registry.js');
    // devices on the same serial line or gateway share one queue
    const lines = deps.shared.get(
      'modbus-lines',
      () => new LineRegistry(deps.log.child({ component: 'modbus' })),
    );
    return [createModbusSource(device, { log: deps.log, lines })];
  },
});
