/**
 * A hand-made Sparkplug B edge node over MQTT for tests that need a gateway the agent would not be (an old
 * version, data that arrives late, an outbox backing up): NBIRTH with `Properties/…` and node metrics, one DBIRTH, DDATA with chosen timestamps, and its
 * NDEATH as the will.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DataType, encodePayload, topicFor } from '../../protocols/sparkplug/index.js';

export interface HandMadeGateway {
  /** DDATA of the device's metric `value` (Double) stamped `timestamp` */
  data(value: number, timestamp: number): Promise<void>;
  /** disconnects without NDEATH: the broker publishes the will */
  close(): Promise<void>;
}

export async function startHandMadeGateway(o: {
  url: string;
  username: string;
  password: string;
  site: string;
  node: string;
  device: string;
  metric: string;
  properties: Record<string, string>;
  /** Int64 node metrics of its NBIRTH, e.g. the agent's `outbox_messages` (protocols/sparkplug/outbox-metrics.ts) */
  nodeMetrics?: Record<string, number>;
}): Promise<HandMadeGateway> {
  const now = Date.now();
  const bdSeq = { name: 'bdSeq', timestamp: now, datatype: DataType.Int64, value: 0n };
  const will = encodePayload({ timestamp: now, metrics: [bdSeq] });
  const client: MqttClient = await mqtt.connectAsync(o.url, {
    username: o.username,
    password: o.password,
    clientId: `${o.node}-test`,
    reconnectPeriod: 0,
    will: {
      topic: topicFor({ type: 'NDEATH', group: o.site, node: o.node }),
      payload: Buffer.from(will),
      qos: 1,
    },
  });
  let seq = 0;
  const publish = (topic: string, payload: Uint8Array) =>
    client.publishAsync(topic, Buffer.from(payload), { qos: 1 }).then(() => undefined);
  await publish(
    topicFor({ type: 'NBIRTH', group: o.site, node: o.node }),
    encodePayload({
      timestamp: now,
      seq: seq++,
      metrics: [
        bdSeq,
        { name: 'Node Control/Rebirth', timestamp: now, datatype: DataType.Boolean, value: false },
        ...Object.entries(o.properties).map(([k, value]) => ({
          name: `Properties/${k}`,
          timestamp: now,
          datatype: DataType.String,
          value,
        })),
        ...Object.entries(o.nodeMetrics ?? {}).map(([name, value]) => ({
          name,
          timestamp: now,
          datatype: DataType.Int64,
          value: BigInt(value),
        })),
      ],
    }),
  );
  await publish(
    topicFor({ type: 'DBIRTH', group: o.site, node: o.node, device: o.device }),
    encodePayload({
      timestamp: now,
      seq: seq++,
      metrics: [{ name: o.metric, alias: 1n, timestamp: now, datatype: DataType.Double, value: 0 }],
    }),
  );
  return {
    data: (value, timestamp) =>
      publish(
        topicFor({ type: 'DDATA', group: o.site, node: o.node, device: o.device }),
        encodePayload({
          timestamp,
          seq: seq++ & 0xff,
          metrics: [{ alias: 1n, timestamp, value, datatype: DataType.Double }],
        }),
      ),
    close: async () => {
      client.stream.destroy();
      await new Promise<void>((r) => client.once('close', () => r()));
      client.end(true);
    },
  };
}
