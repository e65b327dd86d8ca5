/**
 * Horizontal ingest (issue 6, deliverable 6): two ingesters share one `$share/` subscription on Mosquitto. Births
 * reach both (each needs them to resolve aliases), the data is split between them, and InfluxDB ends up with every
 * value exactly once — no loss, no duplicate — while each ingester took a share.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sequenceProblems, startRig } from './rig.js';

/** Messages an ingester ever spooled: the spool's AUTOINCREMENT high-water mark (rows leave once written). */
function spooledMessages(rig: Rig, i: number): number {
  const db = new Database(join(rig.dir, `cloud-data-${i}`, 'spool.db'), { readonly: true });
  try {
    const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'lines'").get() as
      | { seq: number }
      | undefined;
    return row?.seq ?? 0;
  } finally {
    db.close();
  }
}

describe('horizontal ingest: two ingesters on one shared subscription', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ name: 'shared-ingest', devices: 3, pollMs: 50, ingesters: 2 });
    await rig.startCloud(0);
    await rig.startCloud(1);
    await rig.startAgent();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('stores every value exactly once, each ingester taking a share', async () => {
    await rig.produce(200);
    const seqs = await rig.finish();
    for (const [i, id] of rig.deviceIds.entries()) {
      const served = rig.devices[i]?.served() ?? 0;
      expect(served).toBeGreaterThanOrEqual(200);
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    }
    const a = spooledMessages(rig, 0);
    const b = spooledMessages(rig, 1);
    const dataMessages = rig.devices.reduce((n, d) => n + d.served(), 0);
    // each took a real share of the data and neither took all of it; together they took everything (+ births)
    expect(Math.min(a, b)).toBeGreaterThan(dataMessages / 10);
    expect(Math.max(a, b)).toBeLessThan(dataMessages);
    expect(a + b).toBeGreaterThanOrEqual(dataMessages);
    // no ingester saw a seq gap it would have answered with a rebirth
    for (const c of rig.clouds) expect(c.lines.filter((l) => l['msg'] === 'rebirth requested')).toEqual([]);
  }, 300_000);
});
