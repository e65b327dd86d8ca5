/**
 * Loads a scenario file with the config loader (YAML with positions, `${env:…}` references, every problem reported
 * at once as `file:line:column path: message`), then the checks a schema cannot express.
 */
import { fileURLToPath } from 'node:url';
import type { ConfigIssue } from '../../config/errors.js';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { withCheck } from '../../config/spec.js';
import { Scenario } from './scenario-schema.js';

/** Path of the bundled Chongqing auto-parts plant, from the sources (vitest) and from dist/ alike. */
export function bundledScenarioPath(): string {
  const rel = import.meta.url.includes('/dist/') ? '../../../simulators/scenarios/' : '../scenarios/';
  return fileURLToPath(new URL(`${rel}chongqing-auto-parts.yaml`, import.meta.url));
}

export function scenarioChecks(s: Scenario): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  s.devices.forEach((d, i) => {
    const first = seen.get(d.id);
    if (first !== undefined)
      issues.push({ path: ['devices', i, 'id'], message: `duplicate device id (also devices[${first}])` });
    else seen.set(d.id, i);
    if ('behaviour' in d && d.behaviour.changeover !== undefined && d.behaviour.changeover.duration <= 0)
      issues.push({ path: ['devices', i, 'behaviour', 'changeover', 'duration'], message: 'must be > 0' });
    if ('behaviour' in d && d.behaviour.cycle <= 0)
      issues.push({ path: ['devices', i, 'behaviour', 'cycle'], message: 'must be > 0' });
  });
  const powered = new Set(
    s.devices
      .filter((d) => ['press', 'cnc', 'injection', 'lathe', 'compressor'].includes(d.kind))
      .map((d) => d.id),
  );
  s.devices.forEach((d, i) => {
    if (d.kind !== 'dlt645-bus') return;
    d.meters.forEach((m, j) => {
      if (seen.has(m.id))
        issues.push({ path: ['devices', i, 'meters', j, 'id'], message: `${m.id} is also a device id` });
      m.feeds.forEach((f, k) => {
        if (!powered.has(f))
          issues.push({
            path: ['devices', i, 'meters', j, 'feeds', k],
            message: `${f} is not a machine or compressor of this scenario (a meter feeds what draws power)`,
          });
      });
    });
  });
  if (s.devices.filter((d) => d.kind === 'power-meter').length > 1)
    issues.push({ path: ['devices'], message: 'at most one power-meter (the main incomer)' });
  const tz = s.timezone ?? 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    issues.push({ path: ['timezone'], message: `unknown time zone ${tz}` });
  }
  return issues;
}

const CheckedScenario = withCheck(Scenario, scenarioChecks);

export function loadScenario(file: string): Promise<LoadedConfig<Scenario>> {
  return loadConfig(file, CheckedScenario);
}
