/** The HJ 212 source component: CEMS and wastewater dataloggers reporting to the agent over TCP (README.md in this folder). */
import { defineSource } from '../component.js';
import { checkHj212Device, hj212Metrics } from './check.js';
import { hj212Spec } from './spec.js';

export const hj212 = defineSource({
  name: 'hj212',
  title: 'HJ 212',
  configKey: 'hj212',
  spec: hj212Spec,
  dir: 'agent/sources/hj212',
  sample: {
    id: 'boiler-1-stack',
    tags: { outlet: 'DA001' },
    // a datalogger on this gateway's loopback; 0.0.0.0:9212 listens on every interface
    hj212: { listen: '127.0.0.1:9212', mn: '88888880000001', password: '123456' },
    pollutants: ['a21026', 'a21002', 'a34013', 'a19001', 'a00000', 'a01012'],
  },
  check: checkHj212Device,
  metrics: hj212Metrics,
  target: (d) => `listening on ${d.hj212.listen} for MN ${d.hj212.mn}`,
  async create(device, deps) {
    const { Hj212Source } = await import('./hj212-source.js');
    const { Hj212Listeners } = await import('./listener-registry.js');
    const log = deps.log.child({ component: 'hj212' });
    // devices with the same listen address share one listener
    const listeners = deps.shared.get('hj212-listeners', () => new Hj212Listeners(log));
    // connections, packets accepted and refused by code, replies: on the agent's /metrics (docs/metrics.md)
    deps.shared.exportMetrics('hj212-listeners', () => listeners.metricFamilies());
    return [new Hj212Source(device, { log: log.child({ device: device.id }), listeners })];
  },
});
