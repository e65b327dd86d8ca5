/**
 * Rules of the analytics section that a schema cannot express (references between entries, exactly one source per
 * meter …). Attached to the AnalyticsConfig section, so `plantpulse check` and the ingester at start refuse the
 * same things; paths are relative to `analytics`.
 */

import { energyTreeIssues } from './energy-tree-checks.js';
import type { ConfigIssue } from './errors.js';
import type { KeyPath } from './key-path.js';
import type { AnalyticsConfig } from './schemas/analytics.js';

export function analyticsChecks(cfg: AnalyticsConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: cfg.timezone });
  } catch {
    add(
      ['timezone'],
      `unknown time zone ${JSON.stringify(cfg.timezone)} (an IANA name such as Asia/Shanghai)`,
    );
  }
  const tariffs = new Set(cfg.tariffs.map((t) => t.name));
  const machines = new Set<string>();
  cfg.machines.forEach((m, i) => {
    if (machines.has(m.device)) add(['machines', i, 'device'], `${m.device} is configured twice`);
    machines.add(m.device);
    if (m.good && m.scrap) add(['machines', i], 'give either good or scrap, not both');
  });
  const meterIds = new Set<string>();
  cfg.meters.forEach((m, i) => {
    if ((m.counter === undefined) === (m.rate === undefined)) {
      add(['meters', i], 'give exactly one of counter (a register) or rate (kW, m3/h …)');
    }
    if (m.tariff !== undefined && !tariffs.has(m.tariff)) {
      add(['meters', i, 'tariff'], `no tariff named ${m.tariff} in analytics.tariffs`);
    }
    const id = `${m.device}/${m.name ?? m.carrier}`;
    if (meterIds.has(id)) add(['meters', i], `a second ${m.carrier} meter on ${m.device} needs its own name`);
    meterIds.add(id);
  });
  issues.push(...energyTreeIssues(cfg, meterIds, machines));
  cfg.alarms.forEach((a, i) => {
    if (a.high === undefined && a.low === undefined)
      add(['alarms', i], 'give a high or a low limit (or both)');
    if (a.high !== undefined && a.low !== undefined && a.low >= a.high) {
      add(['alarms', i], `low (${a.low}) must be below high (${a.high})`);
    }
  });
  return issues;
}
