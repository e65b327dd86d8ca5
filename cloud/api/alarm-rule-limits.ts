import type { MetricLimit } from './api-context.js';

/** Structurally an analytics alarm rule (config/schemas/analytics.ts `AlarmRule`). */
export interface AlarmRuleLike {
  device: string;
  metric: string;
  severity: string;
  high?: number;
  low?: number;
}

/** The limits of the analytics alarm rules, for `createApiServer({ limits })`: drawn on the dashboard's charts. */
export function limitsFromAlarmRules(rules: readonly AlarmRuleLike[]): MetricLimit[] {
  const out: MetricLimit[] = [];
  for (const r of rules) {
    const base = { device: r.device, metric: r.metric, severity: r.severity };
    if (r.high !== undefined) out.push({ ...base, limit: r.high, direction: 'above' });
    if (r.low !== undefined) out.push({ ...base, limit: r.low, direction: 'below' });
  }
  return out;
}
