/**
 * The OPC UA subscribing source: one session, one subscription, monitored items created per parameter group in
 * chunks of the server's MaxMonitoredItemsPerCall. Items the server refuses (unknown node, filter not allowed)
 * are published as bad with the server's code and logged once — the other items keep flowing. A staleness
 * watchdog reports the subscription lost when neither data nor keep-alive arrives in time.
 */
import {
  AttributeIds,
  type ClientMonitoredItemBase,
  type ClientMonitoredItemGroup,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  type DataValue,
  DeadbandType,
  TimestampsToReturn,
} from 'node-opcua';
import type { Logger } from 'pino';
import type { MetricInfo } from '../../../protocols/metric.js';
import { chunk, effectiveLimit } from '../../../protocols/opcua/batches.js';
import { formatStatusCode } from '../../../protocols/opcua/status-quality.js';
import type { Sample } from '../../../protocols/sample.js';
import type { SubscribingSource } from '../source.js';
import type { OpcuaDevice } from './check.js';
import type { MetricCatalog } from './metric-catalog.js';
import { type MonitoringParams, planSubscription, type SubscriptionPlan } from './monitoring-plan.js';
import { OpcuaError } from './opcua-errors.js';
import { messageOf, type OpcuaLink } from './opcua-link.js';
import { StalenessWatchdog, watchdogTimeoutMs } from './staleness-watchdog.js';
import { ItemDecoder } from './value-decoder.js';

export interface SubscriptionSourceDeps {
  log: Logger;
  link: OpcuaLink;
  catalog: MetricCatalog;
  clock: { now(): number };
}

/** Counters a plant engineer (and the tests) can read: nothing is dropped without being counted. */
export interface SubscriptionStats {
  itemsMonitored: number;
  itemsRefused: number;
  notifications: number;
  decodeProblems: number;
  watchdogTrips: number;
  createCalls: number;
}

export class OpcuaSubscriptionSource implements SubscribingSource {
  readonly kind = 'subscribing' as const;
  readonly device: string;
  readonly plan: SubscriptionPlan;
  readonly stats: SubscriptionStats = {
    itemsMonitored: 0,
    itemsRefused: 0,
    notifications: 0,
    decodeProblems: 0,
    watchdogTrips: 0,
    createCalls: 0,
  };
  readonly #decoders: ItemDecoder[];
  readonly #log: Logger;
  #subscription: ClientSubscription | undefined;
  #watchdog: StalenessWatchdog | undefined;
  #unlisten: (() => void) | undefined;

  constructor(
    device: OpcuaDevice,
    private readonly deps: SubscriptionSourceDeps,
  ) {
    this.device = device.id;
    this.#log = deps.log;
    const items = device.subscribe ?? [];
    this.plan = planSubscription(device.opcua, items);
    this.#decoders = items.map(
      (i) =>
        new ItemDecoder(device.id, i.name, i.structure, deps.catalog, (item, problem) => {
          this.stats.decodeProblems++;
          this.#log.warn({ item, problem }, 'value dropped');
        }),
    );
  }

  get metrics(): readonly MetricInfo[] {
    return this.deps.catalog.metrics;
  }

  async connect(signal: AbortSignal): Promise<void> {
    await this.deps.link.open(signal);
  }

  async subscribe(
    emit: (samples: Sample[]) => void,
    signal: AbortSignal,
    lost?: (err: Error) => void,
  ): Promise<void> {
    const link = this.deps.link;
    let reported = false;
    const reportLost = (err: OpcuaError): void => {
      if (reported || signal.aborted) return;
      reported = true;
      this.#watchdog?.stop();
      this.#log.warn({ code: err.code, err: err.message }, 'subscription lost');
      lost?.(err);
    };
    this.#unlisten?.();
    this.#unlisten = link.onLost(reportLost);

    let subscription: ClientSubscription;
    try {
      subscription = await link.session.createSubscription2({
        requestedPublishingInterval: this.plan.publishingIntervalMs,
        requestedMaxKeepAliveCount: this.plan.maxKeepAliveCount,
        requestedLifetimeCount: this.plan.lifetimeCount,
        maxNotificationsPerPublish: 0,
        // CreateSubscriptionRequest defaults to publishing disabled
        publishingEnabled: true,
        priority: 10,
      });
    } catch (err) {
      throw new OpcuaError('OPCUA_SUBSCRIBE_FAILED', `CreateSubscription failed: ${messageOf(err)}`, {
        cause: err,
      });
    }
    this.#subscription = subscription;
    const revised = subscription.publishingInterval || this.plan.publishingIntervalMs;
    const watchdog = new StalenessWatchdog({
      timeoutMs: watchdogTimeoutMs(
        revised,
        subscription.maxKeepAliveCount || this.plan.maxKeepAliveCount,
        this.plan.watchdogIntervals,
      ),
      clock: this.deps.clock,
      onStale: (silent) => {
        this.stats.watchdogTrips++;
        reportLost(new OpcuaError('OPCUA_WATCHDOG', `no data nor keep-alive for ${silent} ms`));
      },
    });
    this.#watchdog = watchdog;
    subscription.on('keepalive', () => watchdog.touch());
    subscription.on('raw_notification', () => watchdog.touch());
    subscription.on('terminated', () =>
      reportLost(new OpcuaError('OPCUA_CONNECTION_LOST', 'subscription terminated')),
    );
    subscription.on('internal_error', (err: Error) =>
      reportLost(new OpcuaError('OPCUA_CONNECTION_LOST', `subscription error: ${err.message}`)),
    );
    signal.addEventListener('abort', () => void this.#terminate(), { once: true });

    // batch every notification of one publish response into one emit
    let pending: Sample[] = [];
    const flush = (): void => {
      const batch = pending;
      pending = [];
      if (batch.length > 0) emit(batch);
    };
    const push = (samples: Sample[]): void => {
      if (samples.length === 0) return;
      if (pending.length === 0) queueMicrotask(flush);
      for (const s of samples) pending.push(s);
    };

    // gauges of the current subscription (the other counters accumulate over reconnects)
    this.stats.itemsMonitored = 0;
    this.stats.itemsRefused = 0;
    const perCall = effectiveLimit(link.limits.maxMonitoredItemsPerCall);
    const refused: { name: string; code: string }[] = [];
    for (const group of this.plan.groups) {
      for (const part of chunk(group.items, perCall)) {
        if (signal.aborted) return;
        const decoders = part.map((p) => this.#decoderAt(p.index));
        this.stats.createCalls++;
        let created: ClientMonitoredItemGroup;
        try {
          created = await subscription.monitorItems(
            part.map((p) => ({ nodeId: p.item.node, attributeId: AttributeIds.Value })),
            monitoringParameters(group.params),
            TimestampsToReturn.Both,
          );
        } catch (err) {
          throw new OpcuaError('OPCUA_SUBSCRIBE_FAILED', `CreateMonitoredItems failed: ${messageOf(err)}`, {
            cause: err,
          });
        }
        created.on('changed', (_item: ClientMonitoredItemBase, dv: DataValue, index: number) => {
          this.stats.notifications++;
          const d = decoders[index];
          if (d !== undefined) push(d.decode(dv, this.deps.clock.now()));
        });
        created.monitoredItems.forEach((mi, i) => {
          const code = mi.statusCode.value >>> 0;
          const d = decoders[i];
          if (code >>> 30 < 2 || d === undefined) {
            this.stats.itemsMonitored++;
            return;
          }
          this.stats.itemsRefused++;
          refused.push({ name: d.item, code: `${mi.statusCode.name} ${formatStatusCode(code)}` });
          push(d.bad(this.deps.clock.now(), code));
        });
      }
    }
    if (refused.length > 0) {
      this.#log.warn(
        { refused: refused.slice(0, 20), count: refused.length },
        'server refused monitored items: published as bad',
      );
    }
    watchdog.start();
    this.#log.info(
      {
        items: this.stats.itemsMonitored,
        refused: this.stats.itemsRefused,
        publishingInterval: revised,
        calls: this.stats.createCalls,
        watchdogMs: watchdog.timeoutMs,
      },
      'subscription established',
    );
  }

  async close(): Promise<void> {
    await this.#terminate();
    await this.deps.link.close();
  }

  async #terminate(): Promise<void> {
    this.#unlisten?.();
    this.#unlisten = undefined;
    this.#watchdog?.stop();
    this.#watchdog = undefined;
    const s = this.#subscription;
    this.#subscription = undefined;
    if (s !== undefined) {
      s.removeAllListeners('terminated');
      await s.terminate().catch(() => undefined);
    }
  }

  #decoderAt(index: number): ItemDecoder {
    const d = this.#decoders[index];
    if (d === undefined) throw new RangeError(`no decoder for item ${index}`);
    return d;
  }
}

function monitoringParameters(p: MonitoringParams) {
  return {
    samplingInterval: p.samplingInterval,
    queueSize: p.queueSize,
    discardOldest: p.discardOldest,
    filter:
      p.deadband === undefined
        ? null
        : new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: p.deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue: p.deadband.value,
          }),
  };
}
