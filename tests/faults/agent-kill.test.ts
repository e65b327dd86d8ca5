/**
 * Fault (c): the agent is killed with SIGKILL mid-stream — once while publishing normally (batches in flight, not yet
 * acknowledged), once with a backlog that exists only in its outbox (uplink blackholed) — and restarted each time.
 * Every value it read must reach InfluxDB exactly once. The only value allowed to be missing per kill is the one
 * read in the instant of the kill: a sample is guaranteed from the moment it is in the outbox, not before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig } from './rig.js';

describe('fault: agent kill -9 and restart', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'agent-kill', devices: 2, pollMs: 100 });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('delivers every value read before and after each kill exactly once', async () => {
    const allowed = rig.devices.map(() => new Set<number>());
    const kill = async () => {
      rig.agent.child.kill('SIGKILL');
      await rig.agent.exited;
      for (const [i, d] of rig.devices.entries()) allowed[i]?.add(d.served());
    };

    await rig.produce(30);
    await kill();
    await rig.startAgent();
    await rig.produce(30);

    rig.uplink.blackhole();
    await rig.produce(30);
    await kill();
    rig.uplink.reset();
    rig.uplink.pass();
    await rig.startAgent();
    await rig.produce(30);

    const seqs = await rig.finish({ allowed });
    rig.deviceIds.forEach((id, i) => {
      const served = rig.devices[i]?.served() ?? 0;
      expect(served).toBeGreaterThanOrEqual(120);
      expect(sequenceProblems(seqs.get(id) ?? [], served, allowed[i]), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    });
    const m = await rig.agentMetrics();
    expect(m.get('plantpulse_outbox_replayed_total')).toBeGreaterThan(0);
  }, 300_000);
});
