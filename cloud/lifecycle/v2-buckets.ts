/**
 * The lifecycle on an InfluxDB 2.x server: one bucket per retention policy with an expiry rule, through
 * `/api/v2/buckets`. Bucket names follow the v1 compatibility convention `database/policy` (the sink writes there
 * on v2), the default one is `influx.bucket` (default: the database). UNTESTED here: no 2.x server runs in this
 * project's test environment; the calls follow InfluxDB's v2 API reference (buckets, orgs).
 */
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

export async function ensureBuckets(o: {
  target: InfluxTarget;
  lifecycle: LifecycleConfig;
  auth?: InfluxAuth;
  signal?: AbortSignal;
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
  const orgs = await call<{ orgs?: { id: string }[] }>(
    'GET',
    `/api/v2/orgs?org=${encodeURIComponent(o.target.org)}`,
  );
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
      await call('POST', '/api/v2/buckets', { orgID, name: w.name, retentionRules: rules });
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
