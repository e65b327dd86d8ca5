/**
 * Every problem of an HJ 212 datalogger's config that the schema cannot express: the one function
 * `plantpulse check` and the running agent both call (through the component). Pure; paths relative to the device.
 */
import type { ConfigIssue } from '../../../config/errors.js';
import type { DeclaredMetric, DeviceFor } from '../component.js';
import { factorMetrics } from './factor-metrics.js';
import { readListen } from './listen-address.js';
import type { hj212Spec } from './spec.js';

/** A device with an `hj212:` section, resolved. */
export type Hj212Device = DeviceFor<typeof hj212Spec, 'hj212'>;

const DELIMITERS = /[;,=&]/;

export function checkHj212Device(d: Hj212Device): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const c = d.hj212;
  const listen = readListen(c.listen);
  if ('problem' in listen) issues.push({ path: ['hj212', 'listen'], message: listen.problem });
  if (DELIMITERS.test(c.mn) || /\s/.test(c.mn))
    issues.push({ path: ['hj212', 'mn'], message: 'an MN holds no spaces nor ; , = &' });
  if (DELIMITERS.test(c.password) || /\s/.test(c.password))
    issues.push({ path: ['hj212', 'password'], message: 'a PW holds no spaces nor ; , = &' });
  if (!d.pollutants?.length)
    issues.push({
      path: [],
      message: 'an hj212 device needs pollutants: the factor codes its datalogger reports',
    });
  const seen = new Map<string, number>();
  (d.pollutants ?? []).forEach((code, i) => {
    const prev = seen.get(code.toLowerCase());
    if (prev !== undefined)
      issues.push({ path: ['pollutants', i], message: `${code} is already listed (pollutants[${prev}])` });
    seen.set(code.toLowerCase(), i);
  });
  return issues;
}

export function hj212Metrics(d: Hj212Device): DeclaredMetric[] {
  // a code listed twice is reported once, by the check, not once per metric
  const codes = d.pollutants ?? [];
  return codes.flatMap((code, i) =>
    codes.findIndex((c) => c.toLowerCase() === code.toLowerCase()) < i
      ? []
      : factorMetrics(code).map((m) => ({ name: m.name, path: ['pollutants', i], type: 'float64' })),
  );
}
