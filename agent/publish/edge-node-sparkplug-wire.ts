/**
 * Sparkplug B 3.0 messages of an edge node: NDEATH (will) with bdSeq (Int64), NBIRTH with bdSeq and
 * `Node Control/Rebirth` = false, the node's `Properties/<key>` (the config hash) and its own metrics (the outbox
 * state, by name, Int64), NDATA of those metrics, DBIRTH with every metric (name, alias, datatype, engUnit…, last value or is_null),
 * DDATA with aliases only and no datatype, DDEATH. The device's tags are DBIRTH String metrics `Properties/<key>`.
 */
import type { Sample } from '../../protocols/sample.js';
import {
  birthMetric,
  DataType,
  encodePayload,
  type SpbMetric,
  sampleToMetric,
  topicFor,
} from '../../protocols/sparkplug/index.js';
import type { NodeMetricValue } from '../../protocols/sparkplug/outbox-metrics.js';
import type { DeviceState, EdgeWire, OutMsg } from './edge-node-types.js';

export const BDSEQ_METRIC = 'bdSeq';
export const REBIRTH_METRIC = 'Node Control/Rebirth';
/** Device tags travel as DBIRTH metrics `Properties/<key>` (String); cloud/host reads the same prefix. */
export const PROPERTIES_PREFIX = 'Properties/';

export class SparkplugEdgeWire implements EdgeWire {
  readonly #site: string;
  readonly #node: string;
  readonly #qos: 0 | 1;

  constructor(site: string, node: string, qos: 0 | 1) {
    this.#site = site;
    this.#node = node;
    this.#qos = qos;
  }

  #msg(topic: string, payload: Uint8Array, qos: 0 | 1 = this.#qos): OutMsg {
    return { topic, payload, qos, retain: false };
  }

  will(bdSeq: number, now: number): OutMsg {
    const payload = encodePayload({
      timestamp: now,
      metrics: [{ name: BDSEQ_METRIC, timestamp: now, datatype: DataType.Int64, value: BigInt(bdSeq) }],
    });
    return this.#msg(topicFor({ type: 'NDEATH', group: this.#site, node: this.#node }), payload, 1);
  }

  nodeBirth(
    bdSeq: number,
    seq: number,
    now: number,
    properties: readonly { name: string; value: string }[],
    nodeMetrics: readonly NodeMetricValue[],
  ): OutMsg {
    const payload = encodePayload({
      timestamp: now,
      seq,
      metrics: [
        { name: BDSEQ_METRIC, timestamp: now, datatype: DataType.Int64, value: BigInt(bdSeq) },
        { name: REBIRTH_METRIC, timestamp: now, datatype: DataType.Boolean, value: false },
        ...properties.map((p) => ({
          name: p.name,
          timestamp: now,
          datatype: DataType.String,
          value: p.value,
        })),
        ...nodeMetrics.map((m) => nodeMetric(m, now, true)),
      ],
    });
    return this.#msg(topicFor({ type: 'NBIRTH', group: this.#site, node: this.#node }), payload);
  }

  nodeData(metrics: readonly NodeMetricValue[], seq: number, now: number): OutMsg | undefined {
    if (metrics.length === 0) return undefined;
    const payload = encodePayload({
      timestamp: now,
      seq,
      metrics: metrics.map((m) => nodeMetric(m, now, false)),
    });
    return this.#msg(topicFor({ type: 'NDATA', group: this.#site, node: this.#node }), payload);
  }

  deviceBirth(dev: DeviceState, seq: number, now: number): OutMsg {
    const metrics = [...dev.metrics.values()].map((slot) =>
      birthMetric(slot.info, slot.alias, dev.last.get(slot.info.name), now),
    );
    for (const p of dev.properties) {
      metrics.push({
        name: p.name,
        alias: p.alias,
        timestamp: now,
        datatype: DataType.String,
        value: p.value,
      });
    }
    const payload = encodePayload({ timestamp: now, seq, metrics });
    return this.#msg(
      topicFor({ type: 'DBIRTH', group: this.#site, node: this.#node, device: dev.id }),
      payload,
    );
  }

  deviceData(
    dev: DeviceState,
    samples: readonly Sample[],
    historical: boolean,
    seq: number,
    now: number,
    drop: (s: Sample, reason: string) => void,
  ): OutMsg | undefined {
    const metrics: SpbMetric[] = [];
    for (const s of samples) {
      const slot = dev.metrics.get(s.metric);
      if (!slot) {
        drop(s, `metric ${s.metric} is not in ${dev.id}'s birth`);
        continue;
      }
      const m = sampleToMetric(s, {
        datatype: slot.datatype,
        alias: slot.alias,
        sendDatatype: false,
        historical,
      });
      if (m.ok) metrics.push(m.value);
      else drop(s, m.reason);
    }
    if (metrics.length === 0) return undefined;
    const payload = encodePayload({ timestamp: now, seq, metrics });
    return this.#msg(
      topicFor({ type: 'DDATA', group: this.#site, node: this.#node, device: dev.id }),
      payload,
    );
  }

  deviceDeath(dev: DeviceState, _reason: string, seq: number, now: number): OutMsg {
    // The spec's DDEATH carries only timestamp and seq; the reason stays at the edge (EdgeEvent / logs).
    const payload = encodePayload({ timestamp: now, seq, metrics: [] });
    return this.#msg(
      topicFor({ type: 'DDEATH', group: this.#site, node: this.#node, device: dev.id }),
      payload,
    );
  }

  commandTopics(): string[] {
    return [
      topicFor({ type: 'NCMD', group: this.#site, node: this.#node }),
      topicFor({ type: 'DCMD', group: this.#site, node: this.#node, device: '+' }),
    ];
  }
}

/** A node metric by name (no alias: the NBIRTH declares it by name), Int64; the datatype only in the birth. */
function nodeMetric(m: NodeMetricValue, now: number, birth: boolean): SpbMetric {
  const metric: SpbMetric = {
    name: m.name,
    timestamp: now,
    datatype: DataType.Int64,
    value: BigInt(m.value),
  };
  if (!birth) metric.sendDatatype = false;
  return metric;
}
