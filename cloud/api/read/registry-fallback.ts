/**
 * Filling the DeviceRegistry from InfluxDB when births have not (yet) told us about devices: after a restart of
 * the cloud process, or when the API runs without an ingester. Also learns device tags (line, kind) and metric
 * types from the telemetry series. Runs at most once per `refreshMs`.
 */
import type { MetricInfo, MetricKind } from '../../../protocols/metric.js';
import { telemetryFrom } from '../../lifecycle/policies.js';
import { type ApiContext, bool, text } from '../api-context.js';

const SERIES_TAGS_SKIP = new Set(['site', 'node', 'device']);
/** the device tag the ingester uses for an edge node's own series (cloud/ingest) */
const NODE_DEVICE = '_node';
const FIELD_KIND: Record<string, MetricKind> = {
  float: 'double',
  integer: 'int64',
  unsigned: 'uint64',
  string: 'string',
  boolean: 'boolean',
};

const lastRefresh = new WeakMap<ApiContext, Promise<void> | number>();

/**
 * Reads InfluxDB at most every `refreshMs` while the registry is empty or a device lacks metrics or tags, and every
 * `settledMs` once everything known is complete (births keep it current; this only picks up what they cannot say).
 */
export async function ensureRegistry(
  ctx: ApiContext,
  refreshMs = 60_000,
  settledMs = 600_000,
): Promise<void> {
  const last = lastRefresh.get(ctx);
  if (last instanceof Promise) return last;
  const complete =
    !ctx.registry.isEmpty() &&
    ctx.registry.list().every((d) => d.metrics.length > 0 && Object.keys(d.tags).length > 0);
  if (typeof last === 'number' && ctx.clock() - last < (complete ? settledMs : refreshMs)) return;
  const p = loadFromInflux(ctx).finally(() => lastRefresh.set(ctx, ctx.clock()));
  lastRefresh.set(ctx, p);
  try {
    await p;
  } catch (err) {
    ctx.log.warn({ err }, 'could not read devices from InfluxDB');
    if (ctx.registry.isEmpty()) throw err;
  }
}

/** Parses a series key `telemetry,device=a,site=b` (escaped `\,` `\=` `\ `). */
export function parseSeriesKey(key: string): { measurement: string; tags: Record<string, string> } {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '\\' && i + 1 < key.length) {
      cur += key[i + 1];
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const [measurement = '', ...kvs] = parts;
  const tags: Record<string, string> = {};
  for (const kv of kvs) {
    const eq = kv.indexOf('=');
    if (eq > 0) tags[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { measurement, tags };
}

async function loadFromInflux(ctx: ApiContext): Promise<void> {
  const now = ctx.clock();
  const telemetry = telemetryFrom(ctx.lifecycle !== undefined);
  const [series = [], stateSeries = [], fields = [], lasts = [], status = []] = await ctx.reader.query(
    [
      `SHOW SERIES FROM ${telemetry}`,
      'SHOW SERIES FROM "machine_state"',
      `SHOW FIELD KEYS FROM ${telemetry}`,
      `SELECT last(*) FROM ${telemetry} WHERE time > ${now - 7 * 86_400_000}ms GROUP BY "site", "device"`,
      'SELECT "online", "reason" FROM "device_status" GROUP BY "site", "device" ORDER BY time DESC LIMIT 1',
    ].join('; '),
  );
  const reg = ctx.registry;
  // an edge node's own metrics (the agent's outbox state) are telemetry of a device named after the node
  // (cloud/host): the node, not a machine. A device a birth announced under that name stays as the birth said.
  const nodeSeries = new Set<string>();
  for (const row of [...series, ...stateSeries].flatMap((s) => s.rows)) {
    const k = text(row['key']);
    if (k === undefined) continue;
    const { tags } = parseSeriesKey(k);
    const site = tags['site'];
    const device = tags['device'];
    if (site === undefined || device === undefined || device === NODE_DEVICE) continue;
    if (device === tags['node'] && reg.get(site, device) === undefined) {
      nodeSeries.add(`${site}\u0000${device}`);
      continue;
    }
    const known = reg.get(site, device);
    reg.touch(site, device, tags['node']);
    const extra = Object.fromEntries(Object.entries(tags).filter(([t]) => !SERIES_TAGS_SKIP.has(t)));
    const missing = Object.fromEntries(Object.entries(extra).filter(([t]) => known?.tags[t] === undefined));
    if (Object.keys(missing).length) reg.setTags(site, device, missing);
  }
  const kinds = new Map<string, MetricKind>();
  for (const row of fields.flatMap((s) => s.rows)) {
    const name = text(row['fieldKey']);
    const type = text(row['fieldType']);
    if (name) kinds.set(name, FIELD_KIND[type ?? ''] ?? 'double');
  }
  for (const s of lasts) {
    const site = s.tags['site'];
    const device = s.tags['device'];
    const row = s.rows[0];
    if (!site || !device || !row || device === NODE_DEVICE) continue;
    if (nodeSeries.has(`${site}\u0000${device}`)) continue;
    const known = reg.get(site, device);
    if (known && known.metrics.length > 0) continue;
    const metrics: MetricInfo[] = [];
    for (const [col, v] of Object.entries(row)) {
      if (!col.startsWith('last_') || v === null || v === undefined) continue;
      const name = col.slice('last_'.length);
      metrics.push({ name, kind: kinds.get(name) ?? 'double' });
    }
    reg.setMetrics(
      site,
      device,
      metrics.sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  for (const s of status) {
    const site = s.tags['site'];
    const device = s.tags['device'];
    const row = s.rows[0];
    if (!site || !device || !row) continue;
    // only devices that exist (the node's own status, device `_node`, is not a machine)
    const known = reg.get(site, device);
    if (!known || known.online !== undefined) continue;
    const online = bool(row['online']);
    if (online === undefined) continue;
    reg.setStatus({ site, device, online, reason: text(row['reason']) ?? '', timestamp: row.time });
  }
}
