/**
 * Every problem of an MC device's config that the schema cannot express: the one function `plantpulse check` and the
 * running agent both call (through the component). Pure; paths are relative to the device.
 */
import type { ConfigIssue } from '../../../config/errors.js';
import type { KeyPath } from '../../../config/key-path.js';
import { resolveMcPoint } from '../../../protocols/mc/point.js';
import type { DeclaredMetric, DeviceFor } from '../component.js';
import { readMcUrl } from './mc-url.js';
import type { mcSpec } from './spec.js';

/** A device with an `mc:` connection, resolved. */
export type McDevice = DeviceFor<typeof mcSpec, 'mc'>;

export function checkMcDevice(d: McDevice): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  const c = d.mc;
  const url = readMcUrl(c.url);
  if ('problems' in url) for (const p of url.problems) add(['mc', 'url'], p);
  if (c.backoff.initial > c.backoff.max)
    add(['mc', 'backoff', 'max'], 'must not be less than backoff.initial');
  if (!d.mcPoll?.length) add([], 'an mc device needs mcPoll');
  (d.mcPoll ?? []).forEach((g, gi) => {
    g.points.forEach((p, pi) => {
      const r = resolveMcPoint(p, c.series);
      if (Array.isArray(r)) {
        for (const pr of r) add(['mcPoll', gi, 'points', pi, pr.field], pr.message);
        return;
      }
      if (!r.bit && r.width > c.maxWordsPerRequest)
        add(
          ['mcPoll', gi, 'points', pi, 'length'],
          `${r.width} words do not fit one request (maxWordsPerRequest ${c.maxWordsPerRequest})`,
        );
    });
  });
  return issues;
}

export function mcMetrics(d: McDevice): DeclaredMetric[] {
  return (d.mcPoll ?? []).flatMap((g, gi) =>
    g.points.map((p, pi) => {
      const r = resolveMcPoint(p, d.mc.series);
      const m: DeclaredMetric = { name: p.name, path: ['mcPoll', gi, 'points', pi, 'name'] };
      if (!Array.isArray(r)) m.type = r.type;
      if (p.deadband !== undefined) m.deadband = p.deadband;
      return m;
    }),
  );
}
