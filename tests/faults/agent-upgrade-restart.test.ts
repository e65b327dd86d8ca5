/**
 * Point 7 of the operating issue: an agent restarted for an upgrade (SIGTERM, as `systemctl restart` sends, then a
 * new process on the same state directory) publishes its NDEATH, keeps its outbox and its bdSeq, and resumes
 * without loss: every value read before and after the restart reaches InfluxDB exactly once — none allowed missing,
 * unlike a kill -9 (the stop lets the reads in progress deliver their samples) — and the new session's bdSeq is the
 * next one. The Sparkplug observer checks the session rules (NDEATH bdSeq = NBIRTH bdSeq, seq, aliases) throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkplugObserver } from '../e2e/sparkplug-session-observer.js';
import { type Rig, sequenceProblems, startRig } from './rig.js';

const SITE = 'agent-upgrade';

describe('fault: agent restart for an upgrade (SIGTERM)', () => {
  let rig: Rig;
  const observer = new SparkplugObserver(SITE, 'gw-1');

  beforeAll(async () => {
    rig = await startRig({ name: SITE, devices: 2, pollMs: 100 });
    await observer.connect(rig.broker.url, {
      username: rig.broker.service.username,
      password: rig.broker.service.password,
      protocolVersion: 4,
    });
    await rig.startCloud();
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    observer.expectExits();
    await observer.close();
    await rig?.close();
  });

  it('publishes NDEATH, continues bdSeq and loses nothing', async () => {
    await rig.produce(20);
    await observer.waitFor((s) => s.type === 'NBIRTH');

    // the uplink cut: what is read now waits in the outbox; then the agent reconnects (a new session, a new bdSeq)
    rig.uplink.blackhole();
    await rig.produce(20);
    const cut = observer.last;
    rig.uplink.reset();
    rig.uplink.pass();
    const first = await observer.waitFor((s) => s.type === 'NBIRTH', cut);
    const bdSeq = observer.bdSeq;
    expect(bdSeq).toBeDefined();

    // the restart, while the backlog may still be replaying: the agent's own NDEATH (a clean disconnect discards
    // the will, so this one is published by the agent), with the session's bdSeq
    const mark = observer.last;
    expect(await rig.agent.stop('SIGTERM', 60_000)).toBe(0);
    const death = await observer.waitFor((s) => s.type === 'NDEATH', mark);
    expect(death.payload?.metrics[0]?.value).toBe(bdSeq);

    await rig.startAgent();
    const again = await observer.waitFor((s) => s.type === 'NBIRTH', death.n);
    expect(again.n).toBeGreaterThan(first.n);
    expect(observer.bdSeq).toBe((bdSeq ?? 0n) + 1n);
    await rig.produce(20);

    const seqs = await rig.finish();
    rig.deviceIds.forEach((id, i) => {
      const served = rig.devices[i]?.served() ?? 0;
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    });
    expect(observer.violations).toEqual([]);
  }, 300_000);
});
