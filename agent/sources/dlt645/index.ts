/** The DL/T 645 source component: electricity meters on RS-485, or behind a DTU (README.md in this folder). */
import { defineSource } from '../component.js';
import { checkDlt645Device, dlt645Metrics } from './check.js';
import { dlt645Spec } from './spec.js';

export const dlt645 = defineSource({
  name: 'dlt645',
  title: 'DL/T 645',
  configKey: 'dlt645',
  spec: dlt645Spec,
  dir: 'agent/sources/dlt645',
  sample: {
    id: 'meter-press-line',
    dlt645: { url: 'rtu:///dev/ttyUSB1?baud=2400&parity=even', address: '000012345678', version: 2007 },
    readings: [
      {
        every: '10s',
        points: [
          { name: 'energy_kwh', di: '00010000' },
          { name: 'power_kw', di: '02030000', deadband: 0.1 },
          { name: 'voltage_a_v', di: '02010100' },
          { name: 'max_demand_kw', di: '01010000', timeName: 'max_demand_at' },
          { name: 'energy_valley_kwh', di: '00010400', format: 'XXXXXX.XX', unit: 'kWh' },
        ],
      },
    ],
  },
  check: checkDlt645Device,
  metrics: dlt645Metrics,
  target: (d) => `${d.dlt645.url} meter ${String(d.dlt645.address)}`,
  async create(device, deps) {
    const { createDlt645Source } = await import('./dlt645-source.js');
    const { BusRegistry } = await import('./bus-registry.js');
    // meters on the same RS-485 bus or DTU share one queue
    const buses = deps.shared.get(
      'dlt645-buses',
      () => new BusRegistry(deps.log.child({ component: 'dlt645' })),
    );
    return [createDlt645Source(device, { log: deps.log, buses })];
  },
});
