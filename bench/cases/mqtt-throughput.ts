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

export interface ThroughputResult {
  /** messages received per second, from the first publish to the last message received */
  perSecond: number;
  received: number;
  /** published and acknowledged but never delivered (a broker queue limit), counted after 2 s of silence */
  lost: number;
}

export async function qos1Throughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const topic = `bench/${Math.random().toString(36).slice(2)}`;
  const auth = { username: o.username, password: o.password, reconnectPeriod: 0 };
  const sub = await mqtt.connectAsync(o.url, { ...auth, clientId: `bench-sub-${process.pid}` });
  const pub = await mqtt.connectAsync(o.url, { ...auth, clientId: `bench-pub-${process.pid}` });
  try {
    await sub.subscribeAsync(topic, { qos: 1 });
    const payload = Buffer.alloc(o.payloadBytes ?? 64, 7);
    let received = 0;
    let lastAt = 0;
    sub.on('message', () => {
      received++;
      lastAt = performance.now();
    });
    let sent = 0;
    const next = (): Promise<void> => {
      if (sent >= o.messages) return Promise.resolve();
      sent++;
      return pub.publishAsync(topic, payload, { qos: 1 }).then(next);
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: o.window ?? 100 }, next));
    // every publish acknowledged: wait for the rest to arrive, or for 2 s without any
    const deadline = t0 + (o.timeoutMs ?? 120_000);
    while (received < o.messages && performance.now() < deadline) {
      const before = received;
      await new Promise((r) => setTimeout(r, 2000));
      if (received === before) break;
    }
    if (received === 0) throw new BenchCaseError('BENCH_TIMEOUT', `no message received of ${o.messages}`);
    return { perSecond: (received * 1000) / (lastAt - t0), received, lost: o.messages - received };
  } finally {
    await Promise.all([pub.endAsync(true), sub.endAsync(true)]);
  }
}
