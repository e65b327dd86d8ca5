/**
 * Rules of `analytics.energyTree.nodes` a schema cannot express: node ids unique, parents that exist and no cycle,
 * meters that are configured and measure one node only, machines that are configured and belong to one node.
 */
import type { ConfigIssue } from './errors.js';
import type { AnalyticsConfig } from './schemas/analytics.js';

/** `device` or `device/name` → the `device/name` key of analytics.meters (name defaults to the carrier). */
export function meterKey(ref: string, meterIds: ReadonlySet<string>): string | undefined {
  if (ref.includes('/')) return meterIds.has(ref) ? ref : undefined;
  const matches = [...meterIds].filter((id) => id.startsWith(`${ref}/`));
  return matches.length === 1 ? matches[0] : undefined;
}

export function energyTreeIssues(
  cfg: AnalyticsConfig,
  meterIds: ReadonlySet<string>,
  machines: ReadonlySet<string>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const nodes = cfg.energyTree.nodes;
  const ids = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (ids.has(n.id))
      issues.push({ path: ['energyTree', 'nodes', i, 'id'], message: `node ${n.id} is configured twice` });
    else ids.set(n.id, i);
  });
  const meterAt = new Map<string, string>();
  const machineAt = new Map<string, string>();
  nodes.forEach((n, i) => {
    if (n.parent !== undefined && !ids.has(n.parent)) {
      issues.push({
        path: ['energyTree', 'nodes', i, 'parent'],
        message: `no node ${n.parent} in analytics.energyTree.nodes`,
      });
    }
    n.meters.forEach((ref, j) => {
      const key = meterKey(ref, meterIds);
      if (key === undefined) {
        const several = !ref.includes('/') && [...meterIds].some((id) => id.startsWith(`${ref}/`));
        issues.push({
          path: ['energyTree', 'nodes', i, 'meters', j],
          message: several
            ? `${ref} has several meters: name one as ${ref}/<name>`
            : `${ref} is not a meter of analytics.meters (give its device, or device/name)`,
        });
        return;
      }
      const other = meterAt.get(key);
      if (other !== undefined) {
        issues.push({
          path: ['energyTree', 'nodes', i, 'meters', j],
          message: `meter ${key} is already on node ${other}: a meter measures one node (its energy would count twice)`,
        });
      } else meterAt.set(key, n.id);
    });
    n.machines.forEach((m, j) => {
      if (!machines.has(m)) {
        issues.push({
          path: ['energyTree', 'nodes', i, 'machines', j],
          message: `${m} is not in analytics.machines`,
        });
        return;
      }
      const other = machineAt.get(m);
      if (other !== undefined) {
        issues.push({
          path: ['energyTree', 'nodes', i, 'machines', j],
          message: `machine ${m} is already on node ${other}: its parts would count twice`,
        });
      } else machineAt.set(m, n.id);
    });
  });
  // cycles: follow parents from every node; a walk that comes back to a node on its own path is a cycle
  const parentOf = new Map(nodes.map((n) => [n.id, n.parent]));
  const reported = new Set<string>();
  nodes.forEach((n, i) => {
    const path: string[] = [];
    let at: string | undefined = n.id;
    while (at !== undefined && !path.includes(at)) {
      path.push(at);
      at = parentOf.get(at);
    }
    if (at !== undefined && at === n.id) {
      const cycle = [...path, at];
      const key = [...path].sort().join(',');
      if (reported.has(key)) return;
      reported.add(key);
      issues.push({
        path: ['energyTree', 'nodes', i, 'parent'],
        message: `parents form a cycle: ${cycle.join(' → ')}`,
      });
    }
  });
  return issues;
}
