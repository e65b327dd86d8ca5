/**
 * Every problem of an OPC UA device's config that the schema cannot express: the one function `plantpulse check`
 * and the running agent both call (through the component, agent/sources/component.ts). Pure; paths are relative
 * to the device.
 */
import type { ConfigIssue } from '../../../config/errors.js';
import type { KeyPath } from '../../../config/key-path.js';
import { parseNodeId } from '../../../protocols/opcua/node-id.js';
import { isSecurityProblem, resolveSecurity } from '../../../protocols/opcua/security.js';
import type { DeclaredMetric, DeviceFor } from '../component.js';
import type { opcuaSpec } from './spec.js';

/** A device with an `opcua:` connection, resolved. */
export type OpcuaDevice = DeviceFor<typeof opcuaSpec, 'opcua'>;

export function checkOpcuaDevice(d: OpcuaDevice): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });
  if (!d.subscribe?.length && !d.read?.length) add([], 'an opcua device needs subscribe or read');
  const sec = resolveSecurity(d.opcua);
  if (isSecurityProblem(sec)) {
    const key = sec.code === 'OPCUA_INSECURE_NOT_ALLOWED' ? 'securityMode' : 'securityPolicy';
    add(['opcua', key], sec.message);
  }
  const checkNode = (at: KeyPath, node: string) => {
    if (parseNodeId(node) === undefined)
      add([...at, 'node'], `${JSON.stringify(node)} is not a node id (ns=2;s=Name, i=85, nsu=uri;s=Name)`);
  };
  (d.subscribe ?? []).forEach((item, i) => {
    checkNode(['subscribe', i], item.node);
  });
  (d.read ?? []).forEach((g, gi) => {
    g.nodes.forEach((n, ni) => {
      checkNode(['read', gi, 'nodes', ni], n.node);
    });
  });
  return issues;
}

export function opcuaMetrics(d: OpcuaDevice): DeclaredMetric[] {
  return [
    ...(d.subscribe ?? []).map((s, i) => ({ name: s.name, path: ['subscribe', i, 'name'] })),
    ...(d.read ?? []).flatMap((g, gi) =>
      g.nodes.map((n, ni) => ({ name: n.name, path: ['read', gi, 'nodes', ni, 'name'] })),
    ),
  ];
}
