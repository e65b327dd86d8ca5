/**
 * Every problem of an S7 device's config that the schema cannot express: the one function `plantpulse check` and the
 * running agent both call (through the component). Pure; paths are relative to the device.
 */
import type { ConfigIssue } from '../../../config/errors.js';
import type { KeyPath } from '../../../config/key-path.js';
import { resolveS7Point } from '../../../protocols/s7/point.js';
import { maxItemBytes } from '../../../protocols/s7/request-planner.js';
import type { DeclaredMetric, DeviceFor } from '../component.js';
import type { s7Spec } from './spec.js';

/** A device with an `s7:` connection, resolved. */
export type S7Device = DeviceFor<typeof s7Spec, 's7'>;

/** '02.00', '0x0200', '0200' → 0x0200. */
export function tsapNumber(text: string): number {
  return Number.parseInt(text.replace(/^0x/i, '').replace('.', ''), 16);
}

export function checkS7Device(d: S7Device): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  const c = d.s7;
  if (c.localTsap !== undefined && c.remoteTsap === undefined)
    add(['s7', 'localTsap'], 'localTsap needs remoteTsap (or leave both out and give rack/slot)');
  if (c.backoff.initial > c.backoff.max)
    add(['s7', 'backoff', 'max'], 'must not be less than backoff.initial');
  if (!d.variables?.length) add([], 'an s7 device needs variables');
  const maxData = maxItemBytes(c.pduSize);
  (d.variables ?? []).forEach((g, gi) => {
    g.points.forEach((p, pi) => {
      const at = (field: string): KeyPath => ['variables', gi, 'points', pi, field];
      const r = resolveS7Point(p);
      if (!r.ok) {
        for (const pr of r.problems) add(at(pr.field), pr.message);
        return;
      }
      if (r.resolved.width > maxData)
        add(
          at('length'),
          `STRING[${p.length ?? 0}] takes ${r.resolved.width} bytes, more than one item carries at pduSize ${c.pduSize} (${maxData})`,
        );
    });
  });
  return issues;
}

export function s7Metrics(d: S7Device): DeclaredMetric[] {
  return (d.variables ?? []).flatMap((g, gi) =>
    g.points.map((p, pi) => {
      const r = resolveS7Point(p);
      const m: DeclaredMetric = { name: p.name, path: ['variables', gi, 'points', pi, 'name'] };
      if (p.deadband !== undefined) m.deadband = p.deadband;
      // derive refuses bool and string inputs where it needs numbers: a CHAR is text
      if (r.ok) m.type = r.resolved.type === 'char' ? 'string' : r.resolved.type;
      return m;
    }),
  );
}
