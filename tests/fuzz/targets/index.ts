/**
 * Every fuzz target by name (an explicit map, loaded on use: the API target pulls in fastify, the broker aedes).
 * `npm run fuzz` runs the product targets in this order; the planted ones test the harness only.
 */
import type { AnyTarget } from '../harness/target.js';

const loaders = {
  'sparkplug-decode': async () => (await import('./sparkplug-decode.js')).sparkplugDecode,
  'unified-decode': async () => (await import('./unified-decode.js')).unifiedDecode,
  'ingest-message': async () => (await import('./ingest-message.js')).ingestMessage,
  'modbus-tcp': async () => (await import('./modbus-response.js')).modbusTcp,
  'modbus-rtu': async () => (await import('./modbus-response.js')).modbusRtu,
  'modbus-frame': async () => (await import('./modbus-frame.js')).modbusFrame,
  // 'modbus-sim': async () => (await import('./modbus-sim.js')).modbusSim,
  'mqtt-broker': async () => (await import('./mqtt-broker.js')).mqttBroker,
  'api-paths': async () => (await import('./api-paths.js')).apiPaths,
  'config-yaml': async () => (await import('./config-yaml.js')).configYaml,
  'planted-crash': async () => (await import('./planted.js')).plantedCrash,
  'planted-hang': async () => (await import('./planted.js')).plantedHang,
  'planted-death': async () => (await import('./planted.js')).plantedDeath,
  'planted-leak': async () => (await import('./planted.js')).plantedLeak,
  'planted-known': async () => (await import('./planted.js')).plantedKnown,
  'planted-stall': async () => (await import('./planted.js')).plantedStall,
} satisfies Record<string, () => Promise<AnyTarget>>;

export type TargetName = keyof typeof loaders;

/** The product targets, in the order `npm run fuzz` runs them. */
export const PRODUCT_TARGETS: readonly TargetName[] = [
  'sparkplug-decode',
  'unified-decode',
  'ingest-message',
  'config-yaml',
  'modbus-frame',
  'modbus-tcp',
  'modbus-rtu',
  // 'modbus-sim',
  'mqtt-broker',
  'api-paths',
];

export function isTargetName(name: string): name is TargetName {
  return Object.hasOwn(loaders, name);
}

export async function loadTarget(name: string): Promise<AnyTarget> {
  if (!isTargetName(name)) {
    throw new Error(`no fuzz target ${JSON.stringify(name)}; targets: ${Object.keys(loaders).join(', ')}`);
  }
  return loaders[name]();
}
