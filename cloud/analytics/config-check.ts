/**
 * Semantic checks of the analytics section that the schema cannot express (references between entries, exactly
 * one source per meter …). Every problem at once, each with its key path; pure.
 */
import type { AnalyticsConfig } from '../../config/schemas/analytics.js';

export function analyticsConfigProblems(cfg: AnalyticsConfig): string[] {
  const problems: string[] = [];
  const tariffs = new Set((cfg.tariffs ?? []).map((t) => t.name));
  const machines = new Set<string>();
  (cfg.machines ?? []).forEach((m, i) => {
    if (machines.has(m.device))
      problems.push(`analytics.machines[${i}].device: ${m.device} is configured twice`);
    machines.add(m.device);
    if (m.good && m.scrap) {
      problems.push(`analytics.machines[${i}]: give either good or scrap, not both`);
    }
  });
  (cfg.meters ?? []).forEach((m, i) => {
    if ((m.counter === undefined) === (m.rate === undefined)) {
      problems.push(`analytics.meters[${i}]: give exactly one of counter (a register) or rate (kW, m3/h …)`);
    }
    if (m.tariff !== undefined && !tariffs.has(m.tariff)) {
      problems.push(`analytics.meters[${i}].tariff: no tariff named ${m.tariff} in analytics.tariffs`);
    }
  });
  const meterIds = new Set<string>();
  (cfg.meters ?? []).forEach((m, i) => {
    const id = `${m.device}/${m.name ?? m.carrier}`;
    if (meterIds.has(id)) {
      problems.push(`analytics.meters[${i}]: a second ${m.carrier} meter on ${m.device} needs its own name`);
    }
    meterIds.add(id);
  });
  (cfg.alarms ?? []).forEach((a, i) => {
    if (a.high === undefined && a.low === undefined) {
      problems.push(`analytics.alarms[${i}]: give a high or a low limit (or both)`);
    }
    if (a.high !== undefined && a.low !== undefined && a.low >= a.high) {
      problems.push(`analytics.alarms[${i}]: low (${a.low}) must be below high (${a.high})`);
    }
  });
  return problems;
}
