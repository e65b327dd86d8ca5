/**
 * The ingester's retention policies against the real InfluxDB 1.6 (README "Data lifecycle"): created at start with
 * the configured durations, the database's default policy set to the KPI duration, and set back to the config at
 * the next start when someone changed them.
 */
import { describe, expect, it } from 'vitest';
import { openLifecycle } from '../../../cloud/lifecycle/open-lifecycle.js';
import { createRootLogger } from '../../../config/logging.js';
import { queryInfluxQL } from '../../../protocols/influx/influxql-query.js';
import { influxTarget, lifecycleConfig } from '../../helpers/configs.js';
import { dropDatabase, influxUrl } from '../../helpers/services.js';

const log = createRootLogger('test', 'silent');

async function policies(db: string): Promise<Record<string, { duration: string; isDefault: boolean }>> {
  const rows = await queryInfluxQL(influxUrl(), { q: `SHOW RETENTION POLICIES ON "${db}"` });
  return Object.fromEntries(
    rows.map((r) => [
      String(r['name']),
      { duration: String(r['duration']), isDefault: r['default'] === true },
    ]),
  );
}

async function startOnce(db: string, lifecycle: Parameters<typeof lifecycleConfig>[0]) {
  const lc = openLifecycle({
    target: influxTarget({ url: influxUrl(), database: db }),
    lifecycle: lifecycleConfig(lifecycle),
    log,
  });
  lc.start();
  const outcome = await lc.ready;
  await lc.stop();
  return outcome;
}

describe('retention policies', () => {
  it('creates the database and its policies at start, with the defaults when none are given', async () => {
    const db = `lifecycle_${Date.now().toString(36)}`;
    try {
      const outcome = await startOnce(db, {});
      expect(outcome.map((p) => [p.name, p.action])).toEqual([
        ['raw', 'created'],
        ['rollup_1m', 'created'],
        ['rollup_1h', 'created'],
        ['autogen', 'altered'],
      ]);
      expect(await policies(db)).toEqual({
        autogen: { duration: '87600h0m0s', isDefault: true },
        raw: { duration: '720h0m0s', isDefault: false },
        rollup_1m: { duration: '17520h0m0s', isDefault: false },
        rollup_1h: { duration: '87600h0m0s', isDefault: false },
      });
    } finally {
      await dropDatabase(db);
    }
  });

  it('sets a policy changed by hand, or changed in the config, back to the config at the next start', async () => {
    const db = `lifecycle_${Date.now().toString(36)}b`;
    try {
      await startOnce(db, { raw: '2h', minute: '48h', hour: '96h', kpi: '200h' });
      await queryInfluxQL(influxUrl(), { q: `ALTER RETENTION POLICY "raw" ON "${db}" DURATION 5h` });
      const again = await startOnce(db, { raw: '2h', minute: '72h', hour: '96h', kpi: '200h' });
      expect(again.filter((p) => p.action !== 'kept')).toEqual([
        { name: 'raw', durationMs: 2 * 3_600_000, action: 'altered', previousMs: 5 * 3_600_000 },
        { name: 'rollup_1m', durationMs: 72 * 3_600_000, action: 'altered', previousMs: 48 * 3_600_000 },
      ]);
      const p = await policies(db);
      expect(p['raw']?.duration).toBe('2h0m0s');
      expect(p['rollup_1m']?.duration).toBe('72h0m0s');
      expect(p['autogen']).toEqual({ duration: '200h0m0s', isDefault: true });
      const third = await startOnce(db, { raw: '2h', minute: '72h', hour: '96h', kpi: '200h' });
      expect(third.every((x) => x.action === 'kept')).toBe(true);
    } finally {
      await dropDatabase(db);
    }
  });
});
