/**
 * The device check: the one function that decides whether a device can run, called by the config loader (through
 * the device section, agent/config/device-spec.ts) for `plantpulse check` and for the agent at start alike.
 * Connection keys, keys of the wrong protocol, the component's own check, unique metric names, derive. Paths are
 * relative to the device.
 */
import type { ConfigIssue } from '../../config/errors.js';
import { formatKeyPath, type KeyPath } from '../../config/key-path.js';
import { checkDerive } from '../derive/derive-check.js';
import type { AnyDevice, DeclaredMetric } from '../sources/component.js';
import { componentsOf, sourceComponents } from '../sources/registry.js';

export function checkDevice(d: AnyDevice): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  const mine = componentsOf(d);
  if (mine.length === 0) add([], `needs a connection: ${oneOf(sourceComponents.map((c) => c.configKey))}`);
  if (mine.length > 1) {
    add([], `has both ${mine.map((c) => c.configKey).join(' and ')}; use one device entry per connection`);
  }
  const own = mine.length === 1 ? mine[0] : undefined;
  if (own) {
    for (const other of sourceComponents) {
      if (other === own) continue;
      for (const key of other.dataKeys) {
        if (d[key] !== undefined)
          add(
            [key],
            `${key} is for ${other.title} devices; ${own.title} devices use ${own.dataKeys.join(' or ')}`,
          );
      }
    }
  }
  for (const c of mine) issues.push(...c.check(d));

  const metrics: DeclaredMetric[] = mine.flatMap((c) => c.metrics(d));
  const first = new Map<string, KeyPath>();
  for (const m of metrics) {
    const seen = first.get(m.name);
    if (seen)
      add(m.path, `duplicate metric name "${m.name}" on device "${d.id}" (also ${formatKeyPath(seen)})`);
    else first.set(m.name, m.path);
  }
  if (d.derive) {
    for (const i of checkDerive(d.derive, d.id, metrics)) issues.push({ ...i, path: ['derive', ...i.path] });
  }
  return issues;
}

/** `modbus, opcua or dlt645` */
function oneOf(keys: readonly string[]): string {
  return keys.length < 2 ? (keys[0] ?? '') : `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`;
}
