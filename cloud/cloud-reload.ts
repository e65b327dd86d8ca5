/**
 * What a configuration reload (SIGHUP, `--watch-config`) of the ingester may change. Only `analytics` is swapped
 * live — machines, states, shifts, tariffs, emission factors, alarm rules and limits: a new analytics engine is
 * built from the new section and rebuilt from InfluxDB exactly as at start, then replaces the running one. Every
 * other section holds a connection, a listener, a file or a credential the running process is built around (the
 * broker, the MQTT session, InfluxDB, the spool, the API with its tokens and roles, the audit log, the health
 * endpoint, logging): a reload that changes one is refused as a whole, naming them, and nothing changes. Turning
 * analytics on or off also needs a restart (it starts or stops the analytics clock).
 */
import { canonicalJson } from '../agent/reload/config-hash.js';
import type { CloudConfig } from '../config/schemas/cloud.js';

export const CLOUD_RELOADABLE = ['analytics'] as const;

export interface CloudConfigDiff {
  /** sections a reload applies live that changed */
  changed: string[];
  /** sections that changed and only a restart applies */
  needRestart: string[];
}

export function diffCloudConfig(old: CloudConfig, next: CloudConfig): CloudConfigDiff {
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]) as Set<keyof CloudConfig>;
  const diff: CloudConfigDiff = { changed: [], needRestart: [] };
  for (const k of [...keys].sort()) {
    if (canonicalJson(old[k] ?? null) === canonicalJson(next[k] ?? null)) continue;
    const live = (CLOUD_RELOADABLE as readonly string[]).includes(k);
    if (live && (old[k] === undefined) === (next[k] === undefined)) diff.changed.push(k);
    else diff.needRestart.push(k === 'analytics' ? 'analytics (turned on or off)' : k);
  }
  return diff;
}
