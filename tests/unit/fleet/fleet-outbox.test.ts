/**
 * The fleet view's outbox columns, from the agent's edge node through the real Sparkplug host to the fleet registry
 * (all pure, no I/O): the NBIRTH declares `outbox_*` with their values, NDATA updates them, they never count as lag,
 * the last report received wins, and a birth without them (an older agent) clears them.
 */
import { describe, expect, test } from 'vitest';
import { EdgeNode, type OutMsg } from '../../../agent/publish/edge-node.js';
import { FleetRegistry, type GatewayState } from '../../../cloud/api/fleet-registry.js';
import { HostApplication } from '../../../cloud/host/host-application.js';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import type { HostResult } from '../../../cloud/host/host-types.js';
import {
  DataType,
  decodePayload,
  encodePayload,
  OUTBOX_MESSAGES_METRIC,
  outboxNodeMetrics,
  topicFor,
} from '../../../protocols/sparkplug/index.js';

const T0 = 1767225600000;
const SITE = 'cq-plant1';
const NODE = 'line3-gw';

function rig(format: 'sparkplug' | 'json' = 'sparkplug') {
  let now = T0;
  let outbox = { messages: 0, bytes: 0, oldestAgeMs: 0 };
  const clock = () => now;
  const edge = new EdgeNode({
    site: SITE,
    node: NODE,
    clock,
    format,
    properties: { Version: '1.2.0' },
    devices: [{ id: 'press-07', metrics: [{ name: 'power_kw', kind: 'float', unit: 'kW' }] }],
    nodeMetrics: () => outboxNodeMetrics(outbox),
  });
  const host = new HostApplication({ hostId: 'plantpulse-cloud', clock, format });
  const fleet = new FleetRegistry();
  const deliver = (msgs: readonly (OutMsg | undefined)[]): HostResult[] => {
    const results: HostResult[] = [];
    for (const m of msgs) {
      if (!m) continue;
      const r = host.handle(m.topic, m.payload);
      fleet.onHostResult(r, now);
      results.push(r);
    }
    return results;
  };
  const gateway = (): GatewayState | undefined => fleet.list().find((g) => g.node === NODE);
  return {
    edge,
    fleet,
    deliver,
    gateway,
    setOutbox: (o: typeof outbox) => {
      outbox = o;
    },
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe('fleet view: the agent’s outbox', () => {
  test('the NBIRTH declares the outbox metrics with their values; NDATA updates them', () => {
    const r = rig();
    r.setOutbox({ messages: 42, bytes: 51_200, oldestAgeMs: 95_000 });
    r.edge.will();
    const births = r.edge.onConnected();
    const nbirth = decodePayload(births[0]?.payload ?? new Uint8Array());
    expect(nbirth.metrics.filter((m) => m.name?.startsWith('outbox_'))).toEqual([
      expect.objectContaining({ name: 'outbox_messages', datatype: DataType.Int64, value: 42n }),
      expect.objectContaining({ name: 'outbox_bytes', datatype: DataType.Int64, value: 51_200n }),
      expect.objectContaining({ name: 'outbox_oldest_age_ms', datatype: DataType.Int64, value: 95_000n }),
    ]);
    // the host takes them as metrics of the node (samples of a device named after it), not as problems
    expect(r.deliver(births).flatMap((x) => x.problems)).toEqual([]);
    expect(r.gateway()?.outbox).toEqual({ messages: 42, bytes: 51_200, oldestAgeMs: 95_000, at: T0 });

    r.advance(10_000);
    r.setOutbox({ messages: 0, bytes: 0, oldestAgeMs: 0 });
    const ndata = r.edge.nodeData();
    expect(ndata?.topic).toBe(`spBv1.0/${SITE}/NDATA/${NODE}`);
    const results = r.deliver([ndata]);
    expect(results.flatMap((x) => x.problems)).toEqual([]);
    expect(r.gateway()?.outbox).toEqual({ messages: 0, bytes: 0, oldestAgeMs: 0, at: T0 + 10_000 });
  });

  test('outbox metrics are the gateway’s state now, not data: they never make it lag', () => {
    const r = rig();
    r.edge.will();
    r.deliver(r.edge.onConnected());
    // late data (its outbox draining) sets the lag …
    r.advance(120_000);
    r.deliver([
      r.edge.data('press-07', [
        { device: 'press-07', metric: 'power_kw', value: 3.5, timestamp: r.now() - 90_000, quality: 'good' },
      ]),
    ]);
    expect(r.gateway()?.lagMs).toBe(90_000);
    // … and the outbox report that follows, stamped now, leaves it as it was
    r.setOutbox({ messages: 3, bytes: 900, oldestAgeMs: 80_000 });
    r.deliver([r.edge.nodeData()]);
    expect(r.gateway()).toMatchObject({ lagMs: 90_000, outbox: { messages: 3, oldestAgeMs: 80_000 } });
  });

  test('nothing is sent while the node is not born: the next NBIRTH carries the values', () => {
    const r = rig();
    r.setOutbox({ messages: 5, bytes: 500, oldestAgeMs: 1_000 });
    expect(r.edge.nodeData()).toBeUndefined();
    r.edge.will();
    r.deliver(r.edge.onConnected());
    r.edge.onDisconnected();
    expect(r.edge.nodeData()).toBeUndefined();
  });

  test('the JSON format sends no outbox state (its node status has no place for it)', () => {
    const r = rig('json');
    r.setOutbox({ messages: 5, bytes: 500, oldestAgeMs: 1_000 });
    r.edge.will();
    r.deliver(r.edge.onConnected());
    expect(r.edge.nodeData()).toBeUndefined();
    expect(r.gateway()?.outbox ?? null).toBeNull();
  });

  test('the last report received wins (even if the gateway clock stepped back); a value that is not a count is not taken', () => {
    const fleet = new FleetRegistry();
    const sample = (value: number | bigint | string, timestamp: number) => ({
      site: SITE,
      node: NODE,
      device: NODE,
      metric: OUTBOX_MESSAGES_METRIC,
      value,
      timestamp,
      quality: 'good' as const,
    });
    const one = (s: ReturnType<typeof sample>) =>
      fleet.onHostResult({ samples: HostSamples.of([s]), status: [], births: [] }, T0 + 60_000);
    one(sample(7n, T0 + 20_000));
    one(sample(9, T0 + 10_000));
    one(sample(-1, T0 + 30_000));
    one(sample('lots', T0 + 30_000));
    expect(fleet.list()[0]?.outbox).toEqual({ messages: 9, bytes: 0, oldestAgeMs: 0, at: T0 + 10_000 });
    // a device that happens to have such a metric is not the node: it is data, and it counts towards lag
    one({ ...sample(100, T0 + 40_000), device: 'press-07' });
    expect(fleet.list()[0]).toMatchObject({ outbox: { messages: 9 }, lagMs: 20_000 });
  });

  test('a birth without the outbox metrics (an older agent) clears what an earlier one said', () => {
    const r = rig();
    r.setOutbox({ messages: 4, bytes: 400, oldestAgeMs: 4_000 });
    r.edge.will();
    r.deliver(r.edge.onConnected());
    expect(r.gateway()?.outbox?.messages).toBe(4);
    const host = new HostApplication({ hostId: 'h', clock: () => T0 });
    const nbirth: OutMsg = {
      topic: topicFor({ type: 'NBIRTH', group: SITE, node: NODE }),
      payload: encodePayload({
        timestamp: T0,
        seq: 0,
        metrics: [{ name: 'bdSeq', timestamp: T0, datatype: DataType.Int64, value: 1n }],
      }),
      qos: 1,
      retain: false,
    };
    r.fleet.onHostResult(host.handle(nbirth.topic, nbirth.payload), T0 + 1);
    expect(r.gateway()?.outbox).toBeNull();
  });
});
