/**
 * Every problem of a DL/T 645 meter's config that the schema cannot express: the one function `plantpulse check` and
 * the running agent both call (through the component). Pure; paths are relative to the device.
 */
import type { ConfigIssue } from '../../../config/errors.js';
import type { KeyPath } from '../../../config/key-path.js';
import { checkPointLayout, findDataIdentifier } from '../../../protocols/dlt645/data-identifiers.js';
import type { DeclaredMetric, DeviceFor } from '../component.js';
import { readDlt645Url } from './dlt645-url.js';
import type { dlt645Spec } from './spec.js';

/** A device with a `dlt645:` connection, resolved. */
export type Dlt645Device = DeviceFor<typeof dlt645Spec, 'dlt645'>;

const quoteHint = (what: string, n: number) =>
  `write the ${what} in quotes: YAML read it as the number ${n} and dropped its leading zeros`;

export function checkDlt645Device(d: Dlt645Device): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  const c = d.dlt645;
  const url = readDlt645Url(c.url);
  if ('problems' in url) for (const p of url.problems) add(['dlt645', 'url'], p);
  if (typeof c.address === 'number') add(['dlt645', 'address'], quoteHint('address', c.address));
  else if (!/^[0-9]{12}$/.test(c.address))
    add(['dlt645', 'address'], `must be the 12 digits of the meter's address, got "${c.address}"`);
  if (c.backoff.initial > c.backoff.max)
    add(['dlt645', 'backoff', 'max'], 'must not be less than backoff.initial');
  if (!d.readings?.length) add([], 'a dlt645 device needs readings');
  (d.readings ?? []).forEach((g, gi) => {
    g.points.forEach((p, pi) => {
      const at = (field: string): KeyPath => ['readings', gi, 'points', pi, field];
      if (typeof p.di === 'number') {
        add(at('di'), quoteHint('data identifier', p.di));
        return;
      }
      const layoutInput = { di: p.di, ...(p.format === undefined ? {} : { format: p.format }) };
      for (const pr of checkPointLayout(c.version, layoutInput)) add(at(pr.field), pr.message);
      if (
        p.timeName !== undefined &&
        (p.format !== undefined || findDataIdentifier(c.version, p.di)?.time === undefined)
      )
        add(at('timeName'), `${p.di} carries no time; timeName is for a maximum demand such as 01010000`);
    });
  });
  return issues;
}

export function dlt645Metrics(d: Dlt645Device): DeclaredMetric[] {
  return (d.readings ?? []).flatMap((g, gi) =>
    g.points.flatMap((p, pi) => {
      const path: KeyPath = ['readings', gi, 'points', pi];
      const value: DeclaredMetric = { name: p.name, path: [...path, 'name'], type: 'float64' };
      if (p.deadband !== undefined) value.deadband = p.deadband;
      return p.timeName === undefined
        ? [value]
        : [value, { name: p.timeName, path: [...path, 'timeName'], type: 'string' }];
    }),
  );
}
