/**
 * QoS 1 messages/s through a broker: one MQTT.js publisher keeping `window` publishes in flight (a new one on each
 * PUBACK), one subscriber at QoS 1; the rate is messages received over the span from the first publish to the last
 * message received. The same harness for every broker, in the same run.
 */
import mqtt from 'mqtt';
import { BenchCaseError } from './bench-case-error.js';

export interface ThroughputOptions {
  url: string;
  username: string;
  password: string;
  messages: number;
  payloadBytes?: number;
  window?: number;
  timeoutMs?: number;
}

export async function qos1Throughput(o: ThroughputOptions): Promise<{ perSecond: number; received: number }> {
  const topic = `bench/${Math.random().toString(36).slice(2)}`;
  const auth = { username: o.username, password: o.password, reconnectPeriod: 0 };
  const sub = await mqtt.connectAsync(o.url, { ...auth, clientId: `bench-sub-${process.pid}` });
  const pub = await mqtt.connectAsync(o.url, { ...auth, clientId: `bench-pub-${process.pid}` });
  try {
    await sub.subscribeAsync(topic, { qos: 1 });
    const payload = Buffer.alloc(o.payloadBytes ?? 64, 7);
    let received = 0;
    let t0 = 0;
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BenchCaseError('BENCH_TIMEOUT', `${received}/${o.messages} messages received`)),
        o.timeoutMs ?? 120_000,
      );
      sub.on('message', () => {
        received++;
        if (received === o.messages) {
          clearTimeout(timer);
          resolve(performance.now());
        }
      });
    });
    let sent = 0;
    const next = (): Promise<void> => {
      if (sent >= o.messages) return Promise.resolve();
      sent++;
      return pub.publishAsync(topic, payload, { qos: 1 }).then(next);
    };
    t0 = performance.now();
    await Promise.all(Array.from({ length: o.window ?? 100 }, next));
    const t1 = await done;
    return { perSecond: (o.messages * 1000) / (t1 - t0), received };
  } finally {
    await Promise.all([pub.endAsync(true), sub.endAsync(true)]);
  }
}
