/**
 * Fault (b): InfluxDB (a private instance) is stopped for 30 s while three devices are read every 50 ms. The
 * ingester keeps acknowledging into its disk spool, then drains it in order when InfluxDB is back. Every value read
 * reaches InfluxDB exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig, until } from './rig.js';

describe('fault: InfluxDB stopped for 30 s under load', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'influx-outage', devices: 3, pollMs: 50, privateInflux: true });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('spools during the outage and delivers every value exactly once after', async () => {
    await rig.produce(40);
    await rig.influx?.stop();
    await rig.produce(600); // 30 s of reads at 50 ms
    // the ingester kept acknowledging: the agent's outbox did not back up while InfluxDB was down
    const m = await rig.agentMetrics();
    expect(m.get('plantpulse_outbox_messages') ?? Number.POSITIVE_INFINITY).toBeLessThan(200);
    await rig.influx?.start();
    await rig.produce(40);

    const seqs = await rig.finish();
    for (const [i, id] of rig.deviceIds.entries()) {
      const served = rig.devices[i]?.served() ?? 0;
      expect(served).toBeGreaterThanOrEqual(680);
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    }
    const cloud = rig.clouds[0];
    await until('the writer to report recovery', () =>
      cloud?.lines.some((l) => l['msg'] === 'InfluxDB writes succeed again') ? true : undefined,
    );
  }, 400_000);
});
