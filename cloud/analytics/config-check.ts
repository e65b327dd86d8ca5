/**
 * The analytics section's rules (config/analytics-checks.ts, the same function `plantpulse check` runs) as
 * messages with their key paths, for createAnalytics to refuse a config built in code.
 */
import { analyticsChecks } from '../../config/analytics-checks.js';
import { formatKeyPath } from '../../config/key-path.js';
import type { AnalyticsConfig } from '../../config/schemas/analytics.js';

export function analyticsConfigProblems(cfg: AnalyticsConfig): string[] {
  return analyticsChecks(cfg).map((i) => `${formatKeyPath(['analytics', ...i.path])}: ${i.message}`);
}
