/**
 * Creates the lifecycle's retention policies and keeps them as configured (README "Data lifecycle"): on InfluxDB
 * 1.x with InfluxQL (`CREATE` / `ALTER RETENTION POLICY`), through the v2 API as buckets with an expiry rule.
 * Run at every start: a policy changed by hand, or a duration changed in the config, is set back to the config.
 */
import type { Logger } from '../../config/logging.js';
import type { InfluxTarget } from '../../config/schemas/influx.js';
import type { LifecycleConfig } from '../../config/schemas/lifecycle.js';
import { type InfluxAuth, queryInfluxQL } from '../../protocols/influx/index.js';
import { policySpecs, quoteIdent } from './policies.js';
import { ensureBuckets } from './v2-buckets.js';

export interface PolicyOutcome {
  /** the policy (v1) or bucket (v2) */
  name: string;
  durationMs: number;
  action: 'created' | 'altered' | 'kept';
  /** the duration found before an alteration; 0 = infinite */
  previousMs?: number;
}

/** `720h0m0s`, `1h30m0s`, `0s` (infinite) → ms. */
export function parseInfluxDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

const influxDuration = (ms: number) => `${Math.round(ms / 1000)}s`;

export interface RetentionOptions {
  target: InfluxTarget;
  lifecycle: LifecycleConfig;
  flavour: 'v1' | 'v2' | 'v3';
  auth?: InfluxAuth;
  log: Logger;
  signal?: AbortSignal;
}

export async function ensureRetention(o: RetentionOptions): Promise<PolicyOutcome[]> {
  if (o.flavour === 'v2') return ensureBuckets(o);
  if (o.flavour === 'v3') {
    o.log.warn('InfluxDB 3 has no retention policies to manage through this API; set its retention yourself');
    return [];
  }
  const db = quoteIdent(o.target.database);
  const q = (statement: string) =>
    queryInfluxQL(o.target.url, {
      q: statement,
      timeoutMs: 15_000,
      ...(o.auth ? { auth: o.auth } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  const rows = await q(`SHOW RETENTION POLICIES ON ${db}`);
  const found = new Map(
    rows.map((r) => [
      String(r['name']),
      { durationMs: parseInfluxDuration(String(r['duration'])), isDefault: r['default'] === true },
    ]),
  );
  const out: PolicyOutcome[] = [];
  const wanted = policySpecs(o.lifecycle);
  // the database's default policy (autogen unless someone chose another) keeps everything not routed elsewhere
  const defaultName = [...found].find(([, p]) => p.isDefault)?.[0];
  if (defaultName !== undefined && !wanted.some((w) => w.name === defaultName)) {
    wanted.push({ name: defaultName, durationMs: o.lifecycle.kpi, isDefault: true });
  }
  for (const w of wanted) {
    const have = found.get(w.name);
    const duration = `DURATION ${influxDuration(w.durationMs)}`;
    if (!have) {
      await q(`CREATE RETENTION POLICY ${quoteIdent(w.name)} ON ${db} ${duration} REPLICATION 1`);
      out.push({ name: w.name, durationMs: w.durationMs, action: 'created' });
    } else if (have.durationMs !== w.durationMs) {
      await q(`ALTER RETENTION POLICY ${quoteIdent(w.name)} ON ${db} ${duration}`);
      out.push({
        name: w.name,
        durationMs: w.durationMs,
        action: 'altered',
        ...(have.durationMs === undefined ? {} : { previousMs: have.durationMs }),
      });
    } else out.push({ name: w.name, durationMs: w.durationMs, action: 'kept' });
  }
  if (defaultName === undefined) {
    o.log.warn({ database: o.target.database }, 'the database has no default retention policy');
  }
  return out;
}
