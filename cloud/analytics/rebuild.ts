/**
 * Restart safety: reads back from InfluxDB what the engine needs to recompute every window it may still emit —
 * raw telemetry of the metrics it uses (with the last value before the horizon as a seed), bad-quality periods,
 * device deaths, and the state of each alarm at the horizon (from the engine's own `alarms` series).
 */
import type { Logger } from '../../config/logging.js';
import { QUALITY_STALE } from '../../protocols/sparkplug/index.js';
import type { EngineParts } from './engine.js';
import { AnalyticsRebuildError } from './errors.js';
import type { DeviceStatus, HostSample, Row } from './types.js';

const PAGE = 10_000;

export function quoteIdent(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A row's time in ms: a number (ms) or an RFC 3339 string. */
export function rowTime(row: Row): number {
  const t = row.time;
  return typeof t === 'number' ? t : Date.parse(t);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function sampleValue(v: unknown): number | boolean | string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export async function restoreFromInflux(
  parts: EngineParts,
  query: (q: string) => Promise<Row[]>,
  from: number,
  now: number,
  log: Logger,
  signal?: AbortSignal,
  telemetryFrom = '"telemetry"',
): Promise<{ samples: HostSample[]; status: DeviceStatus[] }> {
  const metricsByDevice = new Map<string, Set<string>>();
  const want = (device: string, metric: string) => {
    const set = metricsByDevice.get(device) ?? new Set<string>();
    set.add(metric);
    metricsByDevice.set(device, set);
  };
  for (const m of parts.machines.values()) for (const metric of m.metricRoles.keys()) want(m.device, metric);
  for (const m of parts.meters) want(m.device, m.metric);
  for (const a of parts.alarms) want(a.rule.device, a.rule.metric);

  const run = async (q: string): Promise<Row[]> => {
    signal?.throwIfAborted();
    try {
      return await query(q);
    } catch (cause) {
      throw new AnalyticsRebuildError(`analytics rebuild query failed: ${q}`, { cause });
    }
  };

  const samples: HostSample[] = [];
  const status: DeviceStatus[] = [];
  for (const [device, metrics] of metricsByDevice) {
    const dev = quoteString(device);
    const list = [...metrics];
    // Seeds: the last value of each metric before the horizon.
    for (const metric of list) {
      const rows = await run(
        `SELECT last(${quoteIdent(metric)}) AS "v" FROM ${telemetryFrom} WHERE "device" = ${dev} AND time < ${from}ms`,
      );
      for (const row of rows) {
        const v = sampleValue(row['v']);
        if (v === undefined) continue;
        samples.push({
          device,
          metric,
          value: v,
          timestamp: rowTime(row),
          quality: 'good',
          site: '',
          node: '',
        });
      }
    }
    // Raw telemetry in the horizon, paged by time.
    const cols = list.map(quoteIdent).join(', ');
    let cursor = from;
    for (let page = 0; page < 100_000; page++) {
      const rows = await run(
        `SELECT "site", "node", ${cols} FROM ${telemetryFrom} WHERE "device" = ${dev} AND time >= ${cursor}ms AND time <= ${now}ms ORDER BY time ASC LIMIT ${PAGE}`,
      );
      let last = cursor;
      for (const row of rows) {
        const t = rowTime(row);
        last = Math.max(last, t);
        for (const metric of list) {
          const v = sampleValue(row[metric]);
          if (v === undefined) continue;
          samples.push({
            device,
            metric,
            value: v,
            timestamp: t,
            quality: 'good',
            site: str(row['site']),
            node: str(row['node']),
          });
        }
      }
      // Pages overlap on their boundary timestamp (a re-read sample replaces itself), so none is skipped.
      if (rows.length < PAGE || last === cursor) break;
      cursor = last;
    }
    // Bad-quality periods of these metrics: a bad sample at each change to bad. A "stale" mark (code 500) is what
    // the ingester writes for every metric when a device dies: the death itself is read from device_status, and
    // the live engine never saw those marks as samples, so neither does the rebuilt one.
    const qrows = await run(
      `SELECT "quality", "code", "metric", "site", "node" FROM "quality" WHERE "device" = ${dev} AND time >= ${from}ms AND time <= ${now}ms`,
    );
    for (const row of qrows) {
      const metric = str(row['metric']);
      if (row['quality'] !== 'bad' || !metrics.has(metric)) continue;
      if (Number(row['code']) === QUALITY_STALE) continue;
      samples.push({
        device,
        metric,
        value: null,
        timestamp: rowTime(row),
        quality: 'bad',
        site: str(row['site']),
        node: str(row['node']),
      });
    }
    if (parts.machines.has(device)) {
      // The device's status at the horizon (an online lease may have started long before).
      const seed = await run(
        `SELECT last("online") AS "online" FROM "device_status" WHERE "device" = ${dev} AND time < ${from}ms`,
      );
      for (const row of seed) {
        status.push({
          device,
          site: '',
          node: '',
          online: row['online'] === true,
          reason: 'seed',
          timestamp: rowTime(row),
        });
      }
      const srows = await run(
        `SELECT "online", "reason", "site", "node" FROM "device_status" WHERE "device" = ${dev} AND time >= ${from}ms AND time <= ${now}ms`,
      );
      for (const row of srows) {
        status.push({
          device,
          site: str(row['site']),
          node: str(row['node']),
          online: row['online'] === true,
          reason: str(row['reason']),
          timestamp: rowTime(row),
        });
      }
    }
  }
  // Edge-node deaths (the ingester writes a node's own status as device `_node`) take its machines offline.
  if (parts.machines.size > 0) {
    const nrows = await run(
      `SELECT "online", "reason", "site", "node" FROM "device_status" WHERE ("device" = '_node' OR "device" = '') AND time >= ${from}ms AND time <= ${now}ms`,
    );
    for (const row of nrows) {
      status.push({
        site: str(row['site']),
        node: str(row['node']),
        online: row['online'] === true,
        reason: str(row['reason']),
        timestamp: rowTime(row),
      });
    }
  }
  // Alarm states at the horizon, from the engine's own series.
  for (const a of parts.alarms) {
    const rows = await run(
      `SELECT "active", "value", "limit", "site" FROM "alarms" WHERE "device" = ${quoteString(a.rule.device)} AND "metric" = ${quoteString(a.rule.metric)} AND time < ${from}ms ORDER BY time DESC LIMIT 1`,
    );
    const row = rows[0];
    if (row && row['active'] === true) {
      const value = Number(row['value']);
      const limit = Number(row['limit']);
      a.initial = { side: value < limit ? 'low' : 'high', raisedAt: rowTime(row) };
      log.info({ device: a.rule.device, metric: a.rule.metric }, 'alarm active at the rebuild horizon');
    }
  }
  samples.sort((x, y) => x.timestamp - y.timestamp);
  status.sort((x, y) => x.timestamp - y.timestamp);
  return { samples, status };
}
