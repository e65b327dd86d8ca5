/**
 * The lifecycle through the v2 API (README "Data lifecycle", issue 19 point 1: "retention as buckets where the server
 * has them"). No InfluxDB 2.x server runs here, so the bucket calls go to a stand-in that checks every request
 * against InfluxData's published OpenAPI contract (tests/helpers/influx-v2-contract-server.ts); and the lifecycle
 * runs against VictoriaMetrics, a real server that takes v2 writes but has no bucket API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLifecycle } from '../../../cloud/lifecycle/open-lifecycle.js';
import { ensureRetention } from '../../../cloud/lifecycle/retention.js';
import { createRootLogger } from '../../../config/logging.js';
import {
  startVictoriaMetrics,
  type VictoriaMetricsService,
} from '../../../scripts/services/victoria-metrics.js';
import { influxTarget, lifecycleConfig } from '../../helpers/configs.js';
import { startV2ContractServer, type V2ContractServer } from '../../helpers/influx-v2-contract-server.js';
import { captureLog } from '../../helpers/log-capture.js';

const DAY_S = 86_400;
const TOKEN = 'v2-token-not-for-logs';

describe('buckets on an InfluxDB 2 (its OpenAPI contract)', () => {
  let v2: V2ContractServer;
  const log = createRootLogger('test', 'silent');
  const run = (raw: string, over: { token?: string; org?: string } = {}) =>
    ensureRetention({
      target: influxTarget({
        url: v2.url,
        database: 'plant',
        ...(over.org === '' ? {} : { org: over.org ?? 'factory' }),
        token: over.token ?? TOKEN,
      }),
      lifecycle: lifecycleConfig({ raw, minute: '730d', hour: '3650d', kpi: '3650d' }),
      flavour: 'v2',
      auth: { token: over.token ?? TOKEN },
      log,
    });
  const rules = () =>
    Object.fromEntries(
      [...v2.buckets.values()].map((b) => [b.name, b.retentionRules.map((r) => r.everySeconds)]),
    );

  beforeAll(async () => {
    v2 = await startV2ContractServer({ org: 'factory', token: TOKEN });
  });
  afterAll(async () => {
    await v2?.close();
  });

  it('creates one bucket per policy, named database/policy, with the configured expiry', async () => {
    const out = await run('30d');
    expect(out.map((p) => [p.name, p.action])).toEqual([
      ['plant/raw', 'created'],
      ['plant/rollup_1m', 'created'],
      ['plant/rollup_1h', 'created'],
      ['plant', 'created'],
    ]);
    expect(rules()).toEqual({
      'plant/raw': [30 * DAY_S],
      'plant/rollup_1m': [730 * DAY_S],
      'plant/rollup_1h': [3650 * DAY_S],
      plant: [3650 * DAY_S],
    });
    expect(v2.violations).toEqual([]);
  });

  it('keeps them at the next start, and sets a changed duration back to the config', async () => {
    const before = v2.calls.length;
    expect((await run('30d')).every((p) => p.action === 'kept')).toBe(true);
    expect(v2.calls.slice(before).filter((c) => !c.startsWith('GET '))).toEqual([]);
    const changed = await run('14d');
    expect(changed.find((p) => p.name === 'plant/raw')).toMatchObject({
      action: 'altered',
      durationMs: 14 * DAY_S * 1000,
      previousMs: 30 * DAY_S * 1000,
    });
    expect(rules()['plant/raw']).toEqual([14 * DAY_S]);
    expect(v2.violations).toEqual([]);
  });

  it('refuses with a coded error, without the token, when the server refuses it or the organisation is unknown', async () => {
    const denied = (await run('14d', { token: 'wrong-token' }).then(
      () => new Error('accepted'),
      (e: unknown) => e as Error,
    )) as Error & { code?: string };
    expect(denied).toMatchObject({ code: 'PP_LIFECYCLE_BUCKETS' });
    expect(denied.message).toContain('HTTP 401');
    expect(denied.message).not.toContain('wrong-token');
    await expect(run('14d', { org: 'elsewhere' })).rejects.toMatchObject({ code: 'PP_LIFECYCLE_BUCKETS' });
    await expect(run('14d', { org: '' })).rejects.toThrow(/influx\.org is required/);
    expect(v2.violations).toEqual([]);
  });
});

describe('a v2 write server without buckets (VictoriaMetrics)', () => {
  let vm: VictoriaMetricsService;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  }, 60_000);
  afterAll(async () => {
    await vm?.stop();
  });

  it('says once that retention is the server’s and stops trying, instead of retrying for ever', async () => {
    const mem = captureLog('debug');
    const lc = openLifecycle({
      target: influxTarget({ url: vm.url, database: 'plant', org: 'factory', token: TOKEN }),
      lifecycle: lifecycleConfig({ raw: '30d' }),
      auth: { token: TOKEN },
      log: mem.log,
    });
    lc.start();
    try {
      expect(await lc.ready).toEqual([]);
      expect(lc.stats()).toMatchObject({ policies: [], policyError: null, rollups: null });
      const lines = mem.lines;
      expect(lines.filter((l) => /no bucket API/.test(String(l['msg'])))).toHaveLength(1);
      expect(lines.some((l) => /not ensured yet/.test(String(l['msg'])))).toBe(false);
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    } finally {
      await lc.stop();
    }
  });
});
