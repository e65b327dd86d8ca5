/**
 * Fault (d): the ingester is killed with SIGKILL mid-stream (its spool holding what it acknowledged but had not yet
 * written) and restarted. The broker kept its persistent session; the spool drains on restart. Every value read
 * reaches InfluxDB exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig } from './rig.js';

describe('fault: ingester kill -9 and restart', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'ingester-kill', devices: 2, pollMs: 50 });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('delivers every value exactly once across two ingester kills', async () => {
    for (let round = 0; round < 2; round++) {
      await rig.produce(40);
      const cloud = rig.clouds[0];
      cloud?.child.kill('SIGKILL');
      await cloud?.exited;
      await rig.produce(100); // five seconds of reads with no ingester: the broker queues them
      await rig.startCloud();
    }
    await rig.produce(40);

    const seqs = await rig.finish();
    for (const [i, id] of rig.deviceIds.entries()) {
      const served = rig.devices[i]?.served() ?? 0;
      expect(served).toBeGreaterThanOrEqual(320);
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    }
  }, 400_000);
});
