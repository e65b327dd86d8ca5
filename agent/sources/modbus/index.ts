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
  sample: {
    id: 'press-07',
    modbus: { url: 'tcp://127.0.0.1:502', unitId: 1, timeout: '1s' },
    poll: [
      {
        every: '1s',
        points: [
          { name: 'state_code', table: 'holding', address: 100, type: 'uint16' },
          { name: 'part_count', table: 'holding', address: 102, type: 'uint32', order: 'CDAB' },
          {
            name: 'power_kw',
            table: 'input',
            address: 0,
            type: 'float32',
            scale: 0.001,
            unit: 'kW',
            deadband: 0.05,
          },
          { name: 'door_open', table: 'holding', address: 110, bit: 3 },
        ],
      },
    ],
  },
  check: checkModbusDevice,
  metrics: modbusMetrics,
  target: (d) => `${d.modbus.url} unit ${d.modbus.unitId ?? 1}`,
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
