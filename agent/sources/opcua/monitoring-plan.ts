/**
 * Subscribe items → monitoring parameters, grouped so items with identical parameters are created together
 * (one CreateMonitoredItems call per group and per MaxMonitoredItemsPerCall chunk). Pure planning: no I/O.
 */
import type { OpcuaConnection, OpcuaSubscribeItem } from './spec.js';

export const MIN_PUBLISHING_MS = 50;
export const DEFAULT_MAX_KEEP_ALIVE_COUNT = 5;

export interface MonitoringParams {
  samplingInterval: number;
  queueSize: number;
  discardOldest: boolean;
  deadband: { type: 'absolute' | 'percent'; value: number } | undefined;
}

export interface PlannedItem {
  /** index in the device's subscribe list */
  index: number;
  item: OpcuaSubscribeItem;
  params: MonitoringParams;
}

export interface MonitoringGroup {
  key: string;
  params: MonitoringParams;
  items: PlannedItem[];
}

export interface SubscriptionPlan {
  publishingIntervalMs: number;
  maxKeepAliveCount: number;
  lifetimeCount: number;
  watchdogIntervals: number;
  groups: MonitoringGroup[];
}

export function planSubscription(
  conn: OpcuaConnection,
  items: readonly OpcuaSubscribeItem[],
): SubscriptionPlan {
  const sampling = items.map((i) => i.samplingInterval);
  // with no items (never planned: a device without subscribe has no subscription) any interval would do
  const minSampling = sampling.length === 0 ? MIN_PUBLISHING_MS : Math.min(...sampling);
  const publishingIntervalMs = Math.max(MIN_PUBLISHING_MS, conn.publishingInterval ?? minSampling);
  const groups = new Map<string, MonitoringGroup>();
  items.forEach((item, index) => {
    const samplingInterval = item.samplingInterval;
    // keep every sample taken between two publishes unless the config says otherwise
    const queueSize =
      item.queueSize ?? Math.max(1, Math.ceil(publishingIntervalMs / Math.max(1, samplingInterval)));
    const deadband =
      item.deadband === undefined
        ? undefined
        : 'absolute' in item.deadband
          ? { type: 'absolute' as const, value: item.deadband.absolute }
          : { type: 'percent' as const, value: item.deadband.percent };
    const params: MonitoringParams = {
      samplingInterval,
      queueSize,
      discardOldest: item.discardOldest,
      deadband,
    };
    const key = `${samplingInterval}|${queueSize}|${params.discardOldest}|${deadband?.type ?? '-'}:${deadband?.value ?? 0}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, params, items: [] };
      groups.set(key, g);
    }
    g.items.push({ index, item, params });
  });
  const maxKeepAliveCount = DEFAULT_MAX_KEEP_ALIVE_COUNT;
  return {
    publishingIntervalMs,
    maxKeepAliveCount,
    lifetimeCount: maxKeepAliveCount * 6,
    watchdogIntervals: conn.watchdogIntervals,
    groups: [...groups.values()],
  };
}
