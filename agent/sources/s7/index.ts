/** The S7 source component: Siemens S7 PLCs over ISO-on-TCP (README.md in this folder). */
import { defineSource } from '../component.js';
import { checkS7Device, s7Metrics } from './check.js';
import { s7Spec } from './spec.js';

export const s7 = defineSource({
  name: 's7',
  title: 'Siemens S7',
  configKey: 's7',
  spec: s7Spec,
  dir: 'agent/sources/s7',
  sample: {
    id: 'press-12',
    s7: { host: '192.168.0.10', rack: 0, slot: 1 },
    variables: [
      {
        every: '1s',
        points: [
          { name: 'state_code', address: 'DB10.DBW0', type: 'int' },
          { name: 'part_count', address: 'DB10.DBD2', type: 'dint' },
          { name: 'power_kw', address: 'DB10.DBD6', type: 'real', unit: 'kW', deadband: 0.05 },
          { name: 'energy_kwh', address: 'DB10.10', type: 'lreal', unit: 'kWh' },
          { name: 'door_open', address: 'DB10.DBX18.0' },
          { name: 'program', address: 'DB10.20', type: 'string', length: 16 },
          { name: 'motor_on', address: 'Q0.1' },
        ],
      },
    ],
  },
  check: checkS7Device,
  metrics: s7Metrics,
  target: (d) =>
    `${d.s7.host}:${d.s7.port ?? 102} ${d.s7.remoteTsap !== undefined ? `TSAP ${d.s7.remoteTsap}` : `rack ${d.s7.rack ?? 0} slot ${d.s7.slot ?? 1}`}`,
  async create(device, deps) {
    // the driver (nodes7) loads only when a device uses it: `plantpulse check` stays light
    const { createS7Source } = await import('./s7-source.js');
    return [createS7Source(device, { log: deps.log })];
  },
});
