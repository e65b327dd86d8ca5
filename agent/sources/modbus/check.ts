/**
 * Every problem of a Modbus device's config that the schema cannot express: the one function `plantpulse check`
 * and the running agent both call (through the component, agent/sources/component.ts). Pure; paths are relative
 * to the device.
 */
import type { ConfigIssue } from '../../../config/errors.js';
import type { KeyPath } from '../../../config/key-path.js';
import { checkPoint, effectiveType } from '../../../protocols/modbus/point.js';
import type { DeclaredMetric, DeviceFor } from '../component.js';
import { readModbusUrl } from './modbus-url.js';
import type { modbusSpec } from './spec.js';

/** A device with a `modbus:` connection, resolved. */
export type ModbusDevice = DeviceFor<typeof modbusSpec, 'modbus'>;

export function checkModbusDevice(d: ModbusDevice): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  const url = readModbusUrl(d.modbus.url);
  if ('problems' in url) for (const p of url.problems) add(['modbus', 'url'], p);
  if (d.modbus.backoff.initial > d.modbus.backoff.max) {
    add(['modbus', 'backoff', 'max'], 'must not be less than backoff.initial');
  }
  if (!d.poll?.length) add([], 'a modbus device needs poll');
  (d.poll ?? []).forEach((g, gi) => {
    g.points.forEach((p, pi) => {
      for (const pr of checkPoint(p, d.modbus.maxRegistersPerRequest))
        add(['poll', gi, 'points', pi, pr.field], pr.message);
    });
  });
  return issues;
}

export function modbusMetrics(d: ModbusDevice): DeclaredMetric[] {
  return (d.poll ?? []).flatMap((g, gi) =>
    g.points.map((p, pi) => ({
      name: p.name,
      path: ['poll', gi, 'points', pi, 'name'],
      type: effectiveType(p),
      ...(p.deadband === undefined ? {} : { deadband: p.deadband }),
    })),
  );
}
