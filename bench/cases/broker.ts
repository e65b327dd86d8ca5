/**
 * Row 6b, broker: QoS 1 messages/s through the cloud's embedded aedes broker (its own process, with authentication
 * and the topic ACL) and through Mosquitto (Debian), with the same MQTT.js publisher and subscriber in the same run.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDebianPackages, startMosquitto } from '../../scripts/services/index.js';
import type { BenchCase, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import { startHost } from './host-process.js';
import { qos1Throughput } from './mqtt-throughput.js';
import { UsageMeter } from './proc-usage.js';
import { BENCH_PACKAGES } from './services.js';

export const brokerCase: BenchCase = {
  title: 'Broker: QoS 1 messages/s through aedes (embedded) and Mosquitto',
  async run(ctx) {
    const messages = ctx.smoke ? 2000 : 20_000;
    const password = randomBytes(18).toString('base64url');
    const aedes = await startHost<{ url: string }>(join(import.meta.dirname, 'aedes-host.js'), [], {
      env: { BENCH_MQTT_PASSWORD: password },
    });
    let aedesRate: number;
    let aedesLost: number;
    let aedesCpu: number;
    try {
      const meter = new UsageMeter([aedes.pid]);
      meter.start();
      const r = await qos1Throughput({ url: aedes.info.url, username: 'bench', password, messages });
      aedesRate = r.perSecond;
      aedesLost = r.lost;
      aedesCpu = meter.stop().cpuPercent;
    } finally {
      await aedes.stop();
    }
    ctx.progress(`aedes: ${aedesRate.toFixed(0)} msg/s`);
    await ensureDebianPackages(BENCH_PACKAGES);
    const mosq = await startMosquitto();
    let mosqRate: number;
    let mosqLost: number;
    let mosqCpu: number;
    try {
      const meter = new UsageMeter([mosq.pid]);
      meter.start();
      const r = await qos1Throughput({
        url: mosq.url,
        username: mosq.username,
        password: mosq.password,
        messages,
      });
      mosqRate = r.perSecond;
      mosqLost = r.lost;
      mosqCpu = meter.stop().cpuPercent;
    } finally {
      await mosq.stop();
    }
    ctx.progress(`mosquitto: ${mosqRate.toFixed(0)} msg/s`);
    const rows: BenchRow[] = [
      ratioRow({
        id: 'broker.qos1_msgs_per_s',
        stage: 'broker',
        what: `QoS 1 messages/s (64 B, 100 in flight, 1 pub → 1 sub), embedded aedes`,
        value: aedesRate,
        unit: 'msg/s',
        baseline: { name: 'Mosquitto 2', value: mosqRate, unit: 'msg/s' },
        note: `broker CPU: aedes ${aedesCpu.toFixed(0)} %, Mosquitto ${mosqCpu.toFixed(0)} % of one core; publisher and subscriber share one Node process; acknowledged but not delivered: aedes ${aedesLost}, Mosquitto ${mosqLost} of ${messages} (Mosquitto's max_queued_messages is 1000 per client by default)`,
      }),
    ];
    return rows;
  },
};
