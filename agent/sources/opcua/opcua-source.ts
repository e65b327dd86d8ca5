/**
 * Entry point of the OPC UA plugin: `createOpcuaSource(device, deps)` returns the device's sources —
 * a SubscribingSource for `subscribe:` items and/or a PollingSource for `read:` groups (cyclic reads). Each has its
 * own session so one failing never stalls the other. Nothing dials here: `connect()` does.
 */
import type { Logger } from 'pino';
import type { MetricInfo } from '../../../protocols/metric.js';
import type { PollingSource, SubscribingSource } from '../source.js';
import type { OpcuaDevice } from './check.js';
import { OpcuaCyclicReadSource } from './cyclic-read-source.js';
import { MetricCatalog } from './metric-catalog.js';
import { OpcuaLink } from './opcua-link.js';
import { DEFAULT_PKI_DIR } from './pki.js';
import { OpcuaSubscriptionSource } from './subscription-source.js';

export interface OpcuaSourceDeps {
  log: Logger;
  /** client PKI folder when the device's `opcua.pki` is not set (default `pki/opcua`) */
  pkiDir?: string;
  clock?: { now(): number };
  /**
   * the metric set changed after connect (an item's first value showed an array, a structure or another type than
   * configured): the publisher should send a new birth with `metrics`
   */
  onMetricsChanged?: (device: string, metrics: readonly MetricInfo[]) => void;
}

export type OpcuaSource = OpcuaSubscriptionSource | OpcuaCyclicReadSource;

/** The sources of a device the component check accepted (the component's `create` refuses others). */
export function createOpcuaSource(
  device: OpcuaDevice,
  deps: OpcuaSourceDeps,
): (SubscribingSource | PollingSource)[] {
  return createOpcuaSources(device, deps);
}

/** Same as createOpcuaSource with the concrete classes (stats, plan) visible. */
export function createOpcuaSources(device: OpcuaDevice, deps: OpcuaSourceDeps): OpcuaSource[] {
  const conn = device.opcua;
  const pkiDir = conn.pki ?? deps.pkiDir ?? DEFAULT_PKI_DIR;
  const clock = deps.clock ?? Date;
  const log = deps.log.child({ component: 'opcua', device: device.id });
  const onChanged = (metrics: readonly MetricInfo[]): void => {
    log.info({ metrics: metrics.length }, 'metric set refined from values');
    deps.onMetricsChanged?.(device.id, metrics);
  };
  const out: OpcuaSource[] = [];
  const subscribe = device.subscribe ?? [];
  if (subscribe.length > 0) {
    const slog = log.child({ mode: 'subscribe' });
    out.push(
      new OpcuaSubscriptionSource(device, {
        log: slog,
        clock,
        catalog: new MetricCatalog(subscribe, onChanged),
        link: new OpcuaLink({
          connection: conn,
          pkiDir,
          log: slog,
          sessionName: `plantpulse/${device.id}/subscribe`,
        }),
      }),
    );
  }
  const reads = (device.read ?? []).flatMap((g) => g.nodes);
  if (reads.length > 0) {
    const rlog = log.child({ mode: 'read' });
    out.push(
      new OpcuaCyclicReadSource(device, {
        log: rlog,
        clock,
        catalog: new MetricCatalog(reads, onChanged),
        link: new OpcuaLink({
          connection: conn,
          pkiDir,
          log: rlog,
          sessionName: `plantpulse/${device.id}/read`,
        }),
      }),
    );
  }
  return out;
}
