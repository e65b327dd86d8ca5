/**
 * The JSON-mode ("unified namespace") side of the host: node status and device messages from
 * `plantpulse/v1/{site}/{node}[/{device}]`. No births with datatypes and no commands exist in this mode, so a seq gap
 * is reported (SEQ_GAP) but cannot trigger a rebirth; every message is self-describing and is kept.
 */
import { checkSample, type Sample } from '../../protocols/sample.js';
import {
  decodeUnifiedDevice,
  decodeUnifiedNodeStatus,
  type UnifiedDeviceMessage,
  type UnifiedTopic,
} from '../../protocols/unified/index.js';
import type { HostResult } from './host-types.js';

export class JsonHostSide {
  readonly #expectedSeq = new Map<string, number>();
  readonly #onlineDevices = new Map<string, Set<string>>();
  readonly #clock: () => number;
  readonly #maxNodes: number;

  constructor(clock: () => number, maxNodes: number) {
    this.#clock = clock;
    this.#maxNodes = maxNodes;
  }

  /** Keeps per-node maps bounded: the oldest node is forgotten first (its next message just starts afresh). */
  #bound(nodeKey: string): void {
    for (const map of [this.#expectedSeq, this.#onlineDevices] as Map<string, unknown>[]) {
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
}
