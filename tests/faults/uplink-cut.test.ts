/**
 * Fault (e): the agent's uplink is cut for 60 s through the TCP proxy — a blackhole first (the connection stays
 * open, nothing arrives either way, as with a dead NAT or a cut cable), then reset — and restored. The agent notices
 * (keepalive), keeps reading into its outbox, reconnects with backoff and replays the backlog as history. Every value
 * read reaches InfluxDB exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig } from './rig.js';

describe('fault: uplink cut for 60 s (blackhole, then reset)', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'uplink-cut', devices: 2, pollMs: 100 });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('buffers through the cut and delivers every value exactly once after', async () => {
    await rig.produce(30);
    rig.uplink.blackhole();
    await rig.produce(600); // 60 s of reads at 100 ms
    const during = await rig.agentMetrics();
    expect(during.get('plantpulse_uplink_connected')).toBe(0);
    expect(during.get('plantpulse_outbox_messages')).toBeGreaterThan(1000);
    rig.uplink.reset();
    rig.uplink.pass();
    await rig.produce(30);

    const seqs = await rig.finish();
    for (const [i, id] of rig.deviceIds.entries()) {
      const served = rig.devices[i]?.served() ?? 0;
      expect(served).toBeGreaterThanOrEqual(660);
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    }
    const after = await rig.agentMetrics();
    expect(after.get('plantpulse_outbox_replayed_total')).toBeGreaterThan(1000);
    expect(after.get('plantpulse_outbox_dropped_total')).toBe(0);
  }, 400_000);
});
