/**
 * The edge node's helpers: its device table entries: a device's metrics and tags with their Sparkplug aliases. Aliases are unique
 * across the node for the life of the process: a device added or changed by a configuration reload gets new ones,
 * after every alias given so far, so a host never sees one alias mean two metrics.
 */
import { datatypeForKind } from '../../protocols/sparkplug/index.js';
import { PROPERTIES_PREFIX } from './edge-node-sparkplug-wire.js';
import type { DeviceState, EdgeDeviceSpec, MetricSlot } from './edge-node-types.js';

/** Hands out aliases 1, 2, 3 … */
export class AliasCounter {
  #next = 1n;

  take(): bigint {
    return this.#next++;
  }
}

/**
 * A device's state with its metric aliases taken from `aliases` (tags' aliases are taken by `addProperties`). A
 * metric that `previous` (the device before a reload changed it) already had keeps its alias: a host sees a name
 * keep its alias for the node's life.
 */
export function deviceState(d: EdgeDeviceSpec, aliases: AliasCounter, previous?: DeviceState): DeviceState {
  const metrics = new Map<string, MetricSlot>();
  for (const info of d.metrics) {
    const alias = previous?.metrics.get(info.name)?.alias ?? aliases.take();
    metrics.set(info.name, { info, alias, datatype: datatypeForKind(info.kind) });
  }
  return { id: d.id, metrics, properties: [], last: new Map(), born: false, reachable: undefined };
}

/** The device's tags as `Properties/<key>` slots; a configured metric of the same name wins. */
export function addProperties(
  dev: DeviceState,
  d: EdgeDeviceSpec,
  aliases: AliasCounter,
  previous?: DeviceState,
): void {
  for (const [key, value] of Object.entries(d.tags ?? {})) {
    const name = `${PROPERTIES_PREFIX}${key}`;
    if (dev.metrics.has(name)) continue;
    const alias = previous?.properties.find((p) => p.name === name)?.alias ?? aliases.take();
    dev.properties.push({ name, alias, value });
  }
}

/** A primary host STATE payload (`{"online": bool, "timestamp": ms}`), or why it is not one. */
export function parseState(payload: Uint8Array): { online: boolean; timestamp: number } | string {
  try {
    const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Record<
      string,
      unknown
    >;
    if (typeof v?.['online'] !== 'boolean' || typeof v['timestamp'] !== 'number')
      return 'not {online, timestamp}';
    return { online: v['online'], timestamp: v['timestamp'] };
  } catch (err) {
    return (err as Error).message;
  }
}
