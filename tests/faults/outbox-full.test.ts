/**
 * Fault (f): the outbox is too small for an outage. The uplink is down (connections refused) while the agent keeps reading into
 * a 16 KiB outbox, so it drops its oldest batches, counting them. After the link is back, InfluxDB holds every value
 * except exactly the counted overflow, and what is missing is the oldest data of the outage (FIFO drop).
 * The counters are frozen around the cut, and the link refuses rather than blackholes, so that no batch is in flight
 * when a drop happens: a batch dropped while awaiting its PUBACK may still arrive (and a DBIRTH re-sends the last
 * value published), which makes the count an upper bound of the loss rather than exact (docs/delivery.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig } from './rig.js';

describe('fault: outbox full', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'outbox-full', devices: 2, pollMs: 50, outboxMaxBytes: 16384 });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('loses exactly the counted overflow, oldest first', async () => {
    await rig.produce(30);
    await rig.quiesce();
    const before = rig.devices.map((d) => d.served());
    rig.uplink.refuse();
    for (const d of rig.devices) d.resume();
    await rig.produce(400);
    for (const d of rig.devices) d.freeze();
    const during = await rig.agentMetrics();
    const droppedSamples = during.get('plantpulse_outbox_dropped_samples_total') ?? 0;
    expect(droppedSamples).toBeGreaterThan(400);
    expect(during.get('plantpulse_outbox_bytes')).toBeLessThanOrEqual(16384);
    rig.uplink.pass();

    const seqs = await rig.finish({ missingTotal: droppedSamples });
    let missingTotal = 0;
    for (const [i, id] of rig.deviceIds.entries()) {
      const served = rig.devices[i]?.served() ?? 0;
      const p = sequenceProblems(seqs.get(id) ?? [], served);
      expect(p.duplicated, id).toEqual([]);
      expect(p.unexpected, id).toEqual([]);
      missingTotal += p.missing.length;
      // what is missing is one run: the oldest reads of the outage, right after the last value sent before it
      const first = (before[i] ?? 0) + 1;
      expect(p.missing, id).toEqual(Array.from({ length: p.missing.length }, (_, k) => first + k));
    }
    const after = await rig.agentMetrics();
    const lost = droppedSamples - (after.get('plantpulse_outbox_dropped_delivered_samples_total') ?? 0);
    expect(missingTotal).toBe(lost);
    expect(after.get('plantpulse_outbox_dropped_samples_total')).toBe(droppedSamples);
  }, 400_000);
});
