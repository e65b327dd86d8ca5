/**
 * The lifecycle on an InfluxDB 2.x server: one bucket per retention policy with an expiry rule, through
 * `/api/v2/buckets`. Bucket names follow the v1 compatibility convention `database/policy` (the sink writes there
 * on v2), the default one is `influx.bucket` (default: the database).
 *
 * No InfluxDB 2.x server runs in this project's test environment: the calls are tested against InfluxData's
 * published OpenAPI contract (tests/fixtures/influxdb-v2/, every request checked against it by a stand-in server),
 * and against VictoriaMetrics, a real server that takes v2 writes but has no bucket API — where the lifecycle says
 * so once and leaves retention to the server (`-retentionPeriod`) instead of retrying for ever.
 */
import type { Logger } from '../../config/logging.js';
import type { InfluxTarget } from '../../config/schemas/influx.js';
import type { LifecycleConfig } from '../../config/schemas/lifecycle.js';
import type { InfluxAuth } from '../../protocols/influx/index.js';
import { LifecycleError } from './lifecycle-error.js';
import { policySpecs } from './policies.js';
import type { PolicyOutcome } from './retention.js';

interface Bucket {
  id: string;
  name: string;
  retentionRules?: { type: string; everySeconds: number }[];
}

/** An answer that is not InfluxDB's: v2 errors are JSON objects with a `code` (`not found`, `unauthorized`). */
function isInfluxError(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string';
  } catch {
    return false;
  }
}

/** A server that speaks the v2 write API without InfluxDB's management API (VictoriaMetrics and the like). */
class NoBucketApi extends Error {}

export async function ensureBuckets(o: {
  target: InfluxTarget;
  lifecycle: LifecycleConfig;
  auth?: InfluxAuth;
  signal?: AbortSignal;
  log?: Logger;
}): Promise<PolicyOutcome[]> {
  const base = o.target.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.auth && 'token' in o.auth) headers['authorization'] = `Token ${o.auth.token}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: o.signal ?? AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    // 400/404/405/501 in a body that is not InfluxDB's JSON error: the path is not served at all
    if ([400, 404, 405, 501].includes(res.status) && !isInfluxError(text))
      throw new NoBucketApi(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    if (!res.ok) {
      throw new LifecycleError(
        'PP_LIFECYCLE_BUCKETS',
        `${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    }
    return (text === '' ? {} : JSON.parse(text)) as T;
  };
  if (o.target.org === undefined) {
    throw new LifecycleError(
      'PP_LIFECYCLE_BUCKETS',
      'influx.org is required to manage buckets on InfluxDB 2',
    );
  }
  let orgs: { orgs?: { id: string }[] };
  try {
    orgs = await call<{ orgs?: { id: string }[] }>(
      'GET',
      `/api/v2/orgs?org=${encodeURIComponent(o.target.org)}`,
    );
  } catch (err) {
    if (!(err instanceof NoBucketApi)) throw err;
    o.log?.warn(
      { answer: err.message },
      "this server takes v2 writes but has no bucket API (not InfluxDB 2): the lifecycle's retention is not managed; set the server's own retention (VictoriaMetrics: -retentionPeriod)",
    );
    return [];
  }
  const orgID = orgs.orgs?.[0]?.id;
  if (orgID === undefined)
    throw new LifecycleError('PP_LIFECYCLE_BUCKETS', `no organisation ${o.target.org}`);
  const wanted = [
    ...policySpecs(o.lifecycle).map((p) => ({
      name: `${o.target.database}/${p.name}`,
      durationMs: p.durationMs,
    })),
    { name: o.target.bucket ?? o.target.database, durationMs: o.lifecycle.kpi },
  ];
  const out: PolicyOutcome[] = [];
  for (const w of wanted) {
    const rules = [{ type: 'expire', everySeconds: Math.round(w.durationMs / 1000) }];
    const found = await call<{ buckets?: Bucket[] }>(
      'GET',
      `/api/v2/buckets?orgID=${orgID}&name=${encodeURIComponent(w.name)}`,
    );
    const b = found.buckets?.[0];
    if (!b) {
      await call('POST', '/api/v2/buckets', {
        orgID,
        name: w.name,
        description: 'kept by plantpulse (lifecycle:)',
        retentionRules: rules,
      });
      out.push({ name: w.name, durationMs: w.durationMs, action: 'created' });
      continue;
    }
    const have = (b.retentionRules?.find((r) => r.type === 'expire')?.everySeconds ?? 0) * 1000;
    if (have === w.durationMs) out.push({ name: w.name, durationMs: w.durationMs, action: 'kept' });
    else {
      await call('PATCH', `/api/v2/buckets/${b.id}`, { retentionRules: rules });
      out.push({ name: w.name, durationMs: w.durationMs, action: 'altered', previousMs: have });
    }
  }
  return out;
}
