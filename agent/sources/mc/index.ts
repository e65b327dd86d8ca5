/** The MC protocol source component: Mitsubishi MELSEC PLCs over 3E frames (README.md in this folder). */
import { defineSource } from '../component.js';
import { checkMcDevice, mcMetrics } from './check.js';
import { mcSpec } from './spec.js';

export const mc = defineSource({
  name: 'mc',
  title: 'MC protocol (MELSEC)',
  configKey: 'mc',
  spec: mcSpec,
  dir: 'agent/sources/mc',
  sample: {
    id: 'press-fx5u',
    mc: { url: 'tcp://192.168.3.250:5002', series: 'iQ-F', format: 'binary', timeout: '1s' },
    mcPoll: [
      {
        every: '1s',
        points: [
          { name: 'state_code', device: 'D100', type: 'uint16' },
          { name: 'part_count', device: 'D102', type: 'uint32' },
          { name: 'power_kw', device: 'D110', type: 'float32', unit: 'kW', deadband: 0.05 },
          { name: 'cycle_time_s', device: 'TN0', scale: 0.1, unit: 's' },
          { name: 'door_open', device: 'X17' },
          { name: 'recipe', device: 'D200', type: 'string', length: 8 },
        ],
      },
    ],
  },
  check: checkMcDevice,
  metrics: mcMetrics,
  target: (d) => `${d.mc.url} (${d.mc.series})`,
  async create(device, deps) {
    const { createMcSource } = await import('./mc-source.js');
    return [createMcSource(device, { log: deps.log })];
  },
});
