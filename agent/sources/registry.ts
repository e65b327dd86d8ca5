/**
 * Every source component the agent knows, as one explicit typed map (no imports run for their side effects). A
 * device uses the component whose `configKey` it has (`modbus:`, `opcua:`). The agent's device schema, the config
 * checks, docs/configuration.md and the samples are all assembled from this map.
 */
import type { TProperties } from '@sinclair/typebox';
import type { AnyDevice, DeclaredMetric, SourceComponent, SourceDeps } from './component.js';
import { dlt645 } from './dlt645/index.js';
import { hj212 } from './hj212/index.js';
import { mc } from './mc/index.js';
import { modbus } from './modbus/index.js';
import { opcua } from './opcua/index.js';
import { s7 } from './s7/index.js';
import type { Source } from './source.js';

export const sources = { modbus, opcua, dlt645, hj212, s7, mc } satisfies Record<string, SourceComponent>;

export type SourceName = keyof typeof sources;

/** Every component, in registry order. */
export const sourceComponents: readonly SourceComponent[] = Object.values(sources);

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** The device keys of every component, merged (each component's keys are optional on a device). */
export type SourceKeys = UnionToIntersection<(typeof sources)[SourceName]['spec']>;

export function sourceKeys(): SourceKeys {
  const out: TProperties = {};
  for (const c of sourceComponents) Object.assign(out, c.spec);
  // the merged object holds exactly the specs of `sources`, which is what SourceKeys says
  return out as SourceKeys;
}

/** The components a device names (one for a valid device). */
export function componentsOf(device: AnyDevice): SourceComponent[] {
  return sourceComponents.filter((c) => c.handles(device));
}

/** The metrics a device's config declares, across its components. */
export function declaredMetrics(device: AnyDevice): DeclaredMetric[] {
  return componentsOf(device).flatMap((c) => c.metrics(device));
}

/** The device's sources (none for a device without a connection; the config check refuses those). */
export async function createSources(device: AnyDevice, deps: SourceDeps): Promise<Source[]> {
  const c = componentsOf(device)[0];
  return c === undefined ? [] : c.create(device, deps);
}
