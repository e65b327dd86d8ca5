/**
 * Fault (a): the MQTT broker (Mosquitto, persistence on) is restarted mid-stream, twice: a quick restart and one
 * that stays down while the agent keeps reading. The agent buffers in its outbox and replays; the ingester's
 * persistent session gets what the broker held for it. Every value read reaches InfluxDB exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig } from './rig.js';

describe('fault: broker restarted mid-stream', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'broker-restart', devices: 2, pollMs: 100 });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('delivers every value exactly once across broker restarts', async () => {
    await rig.produce(30);
    await rig.broker.stop();
    await rig.broker.start();
    await rig.produce(30);
    await rig.broker.stop();
    await rig.produce(100); // ten seconds of reads with no broker
    await rig.broker.start();
    await rig.produce(30);

    const seqs = await rig.finish();
    for (const [i, id] of rig.deviceIds.entries()) {
      const served = rig.devices[i]?.served() ?? 0;
      expect(served).toBeGreaterThanOrEqual(190);
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    }
    const m = await rig.agentMetrics();
    expect(m.get('plantpulse_uplink_connects_total')).toBeGreaterThanOrEqual(3);
  }, 400_000);
});
