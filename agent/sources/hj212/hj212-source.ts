/**
 * The HJ 212 source of one monitoring point (one MN). Push-based: the agent owns a listener (listener.ts) that the
 * datalogger connects to. `connect` binds the listener and resolves once the datalogger has connected and sent a
 * packet with this MN and its PW; `subscribe` hands on every upload as samples (values keep their DataTime;
 * minute, hour and day data, and late real-time data, are historical; the data flag sets the quality) and reports
 * the subscription lost when the datalogger's last connection closes or stays idle past `idleTimeout`.
 */
import type { Logger } from 'pino';
import {
  type DataSegment,
  findPollutant,
  qualityOfFlag,
  type Upload,
} from '../../../protocols/hj212/index.js';
import type { MetricInfo } from '../../../protocols/metric.js';
import type { Sample } from '../../../protocols/sample.js';
import type { SubscribingSource } from '../source.js';
import type { Hj212Device } from './check.js';
import { factorMetricName, factorMetrics } from './factor-metrics.js';
import { Hj212Error } from './hj212-errors.js';
import { type ListenAddress, readListen } from './listen-address.js';
import type { Hj212Listener } from './listener.js';
import type { Hj212Listeners } from './listener-registry.js';

/** samples held while not subscribed (between the first packet and `subscribe`, or during a reconnect) */
const MAX_PENDING = 10_000;

export interface Hj212SourceStats {
  samples: number;
  /** values of factors or fields the device does not declare (dropped; logged once per metric) */
  undeclared: number;
  /** samples dropped because MAX_PENDING were already waiting for subscribe */
  pendingDropped: number;
}

export function utcOffsetMinutes(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h, m] = text.slice(1).split(':').map(Number) as [number, number];
  return sign * (h * 60 + m);
}

export class Hj212Source implements SubscribingSource {
  readonly kind = 'subscribing' as const;
  readonly device: string;
  readonly metrics: readonly MetricInfo[];
  readonly stats: Hj212SourceStats = { samples: 0, undeclared: 0, pendingDropped: 0 };
  readonly listener: Hj212Listener;
  readonly #address: ListenAddress;
  readonly #names: ReadonlySet<string>;
  readonly #warned = new Set<string>();
  readonly #lateAfterMs: number;
  readonly #mn: string;
  #state: 'closed' | 'connecting' | 'subscribed' = 'closed';
  #pending: Sample[] = [];
  #emit: ((samples: Sample[]) => void) | undefined;
  #lost: ((err: Error) => void) | undefined;
  #sessionWaiter: (() => void) | undefined;
  #release: (() => Promise<void>) | undefined;

  constructor(
    device: Hj212Device,
    private readonly deps: { log: Logger; listeners: Hj212Listeners; clock?: { now(): number } },
  ) {
    this.device = device.id;
    this.#mn = device.hj212.mn;
    this.metrics = (device.pollutants ?? []).flatMap(factorMetrics);
    this.#names = new Set(this.metrics.map((m) => m.name));
    this.#lateAfterMs = device.hj212.lateAfter;
    const address = readListen(device.hj212.listen);
    // the component check refused any other listen text
    if ('problem' in address) throw new Error(address.problem);
    this.#address = address;
    this.listener = deps.listeners.get(address);
    deps.listeners.trackDrops(this.device, this.stats);
    this.listener.declare({
      device: device.id,
      mn: device.hj212.mn,
      password: device.hj212.password,
      idleTimeoutMs: device.hj212.idleTimeout,
      utcOffsetMinutes: utcOffsetMinutes(device.hj212.utcOffset),
      onUpload: (u, seg) => this.#onUpload(u, seg),
      onSession: (up) => this.#onSession(up),
    });
  }

  async connect(signal: AbortSignal): Promise<void> {
    await this.#release?.();
    const lease = await this.deps.listeners.lease(this.#address);
    this.#release = lease.release;
    this.#state = 'connecting';
    if (this.listener.hasSession(this.#mn)) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#sessionWaiter = undefined;
        reject(new Hj212Error('HJ212_DISCONNECTED', 'stopped while waiting for the datalogger'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#sessionWaiter = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }

  async subscribe(
    emit: (samples: Sample[]) => void,
    signal: AbortSignal,
    lost?: (err: Error) => void,
  ): Promise<void> {
    this.#emit = emit;
    this.#lost = lost;
    this.#state = 'subscribed';
    signal.addEventListener('abort', () => this.#stopDelivering(), { once: true });
    const pending = this.#pending;
    this.#pending = [];
    if (pending.length > 0) emit(pending);
    if (!this.listener.hasSession(this.#mn)) this.#onSession(false);
  }

  async close(): Promise<void> {
    this.#stopDelivering();
    const release = this.#release;
    this.#release = undefined;
    await release?.();
  }

  #stopDelivering(): void {
    this.#state = 'closed';
    this.#emit = undefined;
    this.#lost = undefined;
  }

  #onSession(up: boolean): void {
    if (up) {
      const w = this.#sessionWaiter;
      this.#sessionWaiter = undefined;
      w?.();
      return;
    }
    const lost = this.#lost;
    this.#lost = undefined;
    lost?.(new Hj212Error('HJ212_DISCONNECTED', `the datalogger of MN ${this.#mn} disconnected`));
  }

  /**
   * Emits at once while subscribed (then the listener acknowledges the packet). Between the datalogger's first
   * packet and `subscribe` (the runner subscribes right after connect) the samples are held and acknowledged; while
   * the runner reconnects they are held too (bounded) but not acknowledged, so a datalogger that re-sends loses
   * nothing either way.
   */
  #onUpload(upload: Upload, _seg: DataSegment): boolean {
    const samples = this.#samplesOf(upload);
    this.stats.samples += samples.length;
    if (this.#state === 'subscribed' && this.#emit !== undefined) {
      if (samples.length > 0) this.#emit(samples);
      return true;
    }
    const room = MAX_PENDING - this.#pending.length;
    if (samples.length > room) {
      this.stats.pendingDropped += samples.length - room;
      this.deps.log.warn(
        { dropped: samples.length - room },
        'samples dropped: too many waiting for subscribe',
      );
    }
    this.#pending.push(...samples.slice(0, Math.max(0, room)));
    return this.#state === 'connecting';
  }

  #samplesOf(upload: Upload): Sample[] {
    const now = (this.deps.clock ?? Date).now();
    const historical = upload.period !== 'realtime' || now - upload.dataTime > this.#lateAfterMs;
    const out: Sample[] = [];
    for (const v of upload.values) {
      const code = findPollutant(v.code)?.code ?? v.code;
      const metric = factorMetricName(code, upload.period, v.field);
      if (!this.#names.has(metric)) {
        this.stats.undeclared++;
        if (!this.#warned.has(metric) && this.#warned.size < 1000) {
          this.#warned.add(metric);
          this.deps.log.warn(
            { metric, code: v.code },
            'value of an undeclared factor or field dropped (add its code to pollutants:)',
          );
        }
        continue;
      }
      out.push({
        device: this.device,
        metric,
        value: v.value,
        timestamp: upload.dataTime,
        quality: qualityOfFlag(v.flag),
        ...(historical ? { historical: true } : {}),
      });
    }
    return out;
  }
}
