/**
 * The JSON-mode ("unified namespace") side of the host: node status and device messages from
 * `plantpulse/v1/{site}/{node}[/{device}]`. No births with datatypes and no commands exist in this mode, so a seq gap
 * is reported (SEQ_GAP) but cannot trigger a rebirth; every message is self-describing and is kept.
 *
 * Bounds: each node's device names and each device's metric names are remembered (for as long as the node is); a
 * device past `maxDevicesPerNode` is refused whole (DEVICE_LIMIT), a metric name past `maxMetricsPerDevice` is
 * refused (METRIC_LIMIT) while the known ones of that message are kept.
 */
import { checkSample, type Sample } from '../../protocols/sample.js';
import {
  decodeUnifiedDevice,
  decodeUnifiedNodeStatus,
  type UnifiedDeviceMessage,
  type UnifiedTopic,
} from '../../protocols/unified/index.js';
import { deviceLimit, type HostLimits, metricLimit } from './host-limits.js';
import type { HostResult } from './host-types.js';

export class JsonHostSide {
  readonly #expectedSeq = new Map<string, number>();
  readonly #onlineDevices = new Map<string, Set<string>>();
  /** node → device → metric names seen: what the bounds count */
  readonly #known = new Map<string, Map<string, Set<string>>>();
  readonly #clock: () => number;
  readonly #maxNodes: number;
  readonly #limits: HostLimits;

  constructor(clock: () => number, maxNodes: number, limits: HostLimits) {
    this.#clock = clock;
    this.#maxNodes = maxNodes;
    this.#limits = limits;
  }

  /** Keeps per-node maps bounded: the oldest node is forgotten first (its next message just starts afresh). */
  #bound(nodeKey: string): void {
    for (const map of [this.#expectedSeq, this.#onlineDevices, this.#known] as Map<string, unknown>[]) {
      if (map.has(nodeKey) || map.size < this.#maxNodes) continue;
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }

  handle(t: UnifiedTopic, topic: string, bytes: Uint8Array, r: HostResult): void {
    const nodeKey = `${t.site}/${t.node}`;
    if (t.device === undefined) {
      let st: ReturnType<typeof decodeUnifiedNodeStatus>;
      try {
        st = decodeUnifiedNodeStatus(bytes);
      } catch (err) {
        r.problems.push({ code: 'UNS_DECODE', message: `${topic}: ${(err as Error).message}` });
        return;
      }
      const ts = st.online ? st.ts : this.#clock(); // a will's ts is its connect time
      if (!st.online) {
        for (const device of this.#onlineDevices.get(nodeKey) ?? []) {
          r.status.push({
            site: t.site,
            node: t.node,
            device,
            online: false,
            reason: 'node offline',
            timestamp: ts,
          });
        }
        this.#onlineDevices.delete(nodeKey);
        this.#expectedSeq.delete(nodeKey);
      }
      r.status.push({
        site: t.site,
        node: t.node,
        online: st.online,
        reason: st.online ? 'online' : 'offline',
        timestamp: ts,
      });
      return;
    }
    let m: UnifiedDeviceMessage;
    try {
      m = decodeUnifiedDevice(bytes);
    } catch (err) {
      r.problems.push({ code: 'UNS_DECODE', message: `${topic}: ${(err as Error).message}`, dropped: 1 });
      return;
    }
    this.#bound(nodeKey);
    const expected = this.#expectedSeq.get(nodeKey);
    if (expected !== undefined && m.seq !== expected) {
      r.problems.push({
        code: 'SEQ_GAP',
        message: `${topic}: seq ${m.seq} where ${expected} was expected; kept`,
      });
    }
    this.#expectedSeq.set(nodeKey, (m.seq + 1) & 0xff);
    const metrics = this.#admit(nodeKey, t.device, topic, m, r);
    if (metrics === undefined) return;
    const online = this.#onlineDevices.get(nodeKey) ?? new Set<string>();
    this.#onlineDevices.set(nodeKey, online);
    if (m.online === false) {
      online.delete(t.device);
      r.status.push({
        site: t.site,
        node: t.node,
        device: t.device,
        online: false,
        reason: m.reason ?? 'offline',
        timestamp: m.ts,
      });
    } else if (m.online === true || !online.has(t.device)) {
      online.add(t.device);
      r.status.push({
        site: t.site,
        node: t.node,
        device: t.device,
        online: true,
        reason: m.reason ?? 'online',
        timestamp: m.ts,
      });
    }
    for (const x of m.metrics) {
      if (!metrics.has(x.name)) continue;
      const sample: Sample = {
        device: t.device,
        metric: x.name,
        value: x.value,
        timestamp: x.ts,
        quality: x.q,
      };
      if (x.historical) sample.historical = true;
      const bad = checkSample(sample);
      if (bad) {
        r.problems.push({ code: 'BAD_SAMPLE', message: `${topic}: ${bad.code}: ${bad.message}`, dropped: 1 });
        continue;
      }
      r.samples.push({ ...sample, site: t.site, node: t.node });
    }
  }

  /**
   * The device's known metric names once this message's are admitted; undefined when the device is refused
   * (DEVICE_LIMIT). Names past the bound are refused (METRIC_LIMIT) and left out of the returned set.
   */
  #admit(
    nodeKey: string,
    device: string,
    topic: string,
    m: UnifiedDeviceMessage,
    r: HostResult,
  ): Set<string> | undefined {
    const devices = this.#known.get(nodeKey) ?? new Map<string, Set<string>>();
    this.#known.set(nodeKey, devices);
    let names = devices.get(device);
    if (names === undefined) {
      if (devices.size >= this.#limits.maxDevicesPerNode) {
        r.problems.push(deviceLimit(topic, nodeKey, devices.size, device, m.metrics.length));
        return undefined;
      }
      names = new Set();
      devices.set(device, names);
    }
    let refused = 0;
    for (const x of m.metrics) {
      if (names.has(x.name)) continue;
      if (names.size >= this.#limits.maxMetricsPerDevice) refused++;
      else names.add(x.name);
    }
    if (refused > 0)
      r.problems.push(metricLimit(topic, refused, `${device} already has ${names.size} metrics`));
    return names;
  }
}
