/**
 * The JSON ("unified namespace") messages of an edge node (protocols/unified): the will and node birth are a
 * retained node status on `plantpulse/v1/{site}/{node}`; device birth/death are device messages with `online`.
 * There are no aliases and no commands.
 */
import type { Sample } from '../../protocols/sample.js';
import { sampleValueFor } from '../../protocols/sparkplug/index.js';
import {
  encodeUnifiedDevice,
  encodeUnifiedNodeStatus,
  type UnifiedMetric,
  unifiedTopic,
} from '../../protocols/unified/index.js';
import type { DeviceState, EdgeWire, OutMsg } from './edge-node-types.js';

function toUnified(s: Sample, historical: boolean): UnifiedMetric {
  const m: UnifiedMetric = { name: s.metric, value: s.value, ts: s.timestamp, q: s.quality };
  if (historical || s.historical) m.historical = true;
  return m;
}

export class JsonEdgeWire implements EdgeWire {
  readonly #site: string;
  readonly #node: string;
  readonly #qos: 0 | 1;

  constructor(site: string, node: string, qos: 0 | 1) {
    this.#site = site;
    this.#node = node;
    this.#qos = qos;
  }

  #device(dev: DeviceState, payload: Uint8Array): OutMsg {
    return { topic: unifiedTopic(this.#site, this.#node, dev.id), payload, qos: this.#qos, retain: false };
  }

  will(_bdSeq: number, now: number): OutMsg {
    const payload = encodeUnifiedNodeStatus({ ts: now, online: false });
    return { topic: unifiedTopic(this.#site, this.#node), payload, qos: 1, retain: true };
  }

  nodeBirth(
    _bdSeq: number,
    _seq: number,
    now: number,
    _properties: readonly unknown[],
    _metrics: readonly unknown[],
  ): OutMsg {
    const payload = encodeUnifiedNodeStatus({ ts: now, online: true });
    return { topic: unifiedTopic(this.#site, this.#node), payload, qos: 1, retain: true };
  }

  /**
   * None: the unified namespace's node status carries only `online` (no version, no configuration hash either), so a
   * JSON gateway's outbox state is not published; its fleet row shows online and lag only.
   */
  nodeData(): undefined {
    return undefined;
  }

  deviceBirth(dev: DeviceState, seq: number, now: number): OutMsg {
    const metrics = [...dev.last.values()].map((s) => toUnified(s, false));
    return this.#device(dev, encodeUnifiedDevice({ ts: now, seq, online: true, metrics }));
  }

  deviceData(
    dev: DeviceState,
    samples: readonly Sample[],
    historical: boolean,
    seq: number,
    now: number,
    drop: (s: Sample, reason: string) => void,
  ): OutMsg | undefined {
    const metrics: UnifiedMetric[] = [];
    for (const s of samples) {
      const slot = dev.metrics.get(s.metric);
      if (!slot) {
        drop(s, `metric ${s.metric} is not configured for ${dev.id}`);
        continue;
      }
      const fits = sampleValueFor(slot.datatype, s.value);
      if (fits.ok) metrics.push(toUnified(s, historical));
      else drop(s, fits.reason);
    }
    if (metrics.length === 0) return undefined;
    return this.#device(dev, encodeUnifiedDevice({ ts: now, seq, metrics }));
  }

  deviceDeath(dev: DeviceState, reason: string, seq: number, now: number): OutMsg {
    return this.#device(dev, encodeUnifiedDevice({ ts: now, seq, online: false, reason, metrics: [] }));
  }

  commandTopics(): string[] {
    return [];
  }
}
