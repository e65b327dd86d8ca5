/**
 * In-process publish/subscribe of live events (values, machine states, device status, alarms) from the ingester and
 * analytics to the API's server-sent-events stream.
 *
 * Joining a snapshot to the stream without a gap (docs/api.md, "Snapshot and live stream"): every event gets a
 * sequence number `seq` when it is published, in one counter per bus; the bus has an `epoch` (new per process), and
 * an event's id is `<epoch>:<seq>`. A snapshot route reads the bus's `lastEventId` at the moment it overlays the
 * in-memory `LiveView` (so it includes every event up to that id); a stream opened with `Last-Event-ID` replays
 * the events after it from a bounded ring (`replayCapacity`), or says it cannot (the client reloads its snapshot).
 *
 * Values take a cheaper road (`publishValues`, issue 16): they update the view in place, and become event objects only
 * for a subscriber that wants them (its `wants`: event types, site, device). Every value is numbered all the same, and
 * the replay ring keeps a reference to the message's values for those nobody wanted, so a stream that joins a snapshot
 * later replays them as events, without a gap: the join works as if each had been an event from the start.
 *
 * `publish` never blocks and never grows memory without bound: every subscriber has a bounded buffer; when a slow
 * client lets it fill, the OLDEST events are dropped, counted (per subscriber and in `stats()`), and the subscriber is
 * told how many it missed with its next batch, so the SSE stream can send a `lagged` event and the browser reloads a
 * snapshot instead of silently showing stale data.
 */
import { randomBytes } from 'node:crypto';
import type { Quality, SampleValue } from '../../protocols/sample.js';
import { LiveView } from './live-view.js';

export type MachineState = 'running' | 'idle' | 'down' | 'planned_stop' | 'setup' | 'offline';
export const MACHINE_STATES: readonly MachineState[] = [
  'running',
  'idle',
  'down',
  'planned_stop',
  'setup',
  'offline',
];

interface LiveEventBase {
  /** assigned by the bus on publish: one increasing counter per bus (ids are `<epoch>:<seq>`) */
  seq?: number;
  site: string;
  device: string;
  /** ms since epoch: when it happened at the source (sample time, state start, status change) */
  timestamp: number;
}

/** A new telemetry value (good or uncertain; bad samples carry `value: null`). */
export interface LiveValueEvent extends LiveEventBase {
  type: 'value';
  metric: string;
  value: SampleValue;
  quality: Quality;
  unit?: string;
}

/** The machine entered a new state (analytics). */
export interface LiveStateEvent extends LiveEventBase {
  type: 'state';
  state: MachineState;
  previous?: MachineState;
  /** the PLC state code it came from, when there is one */
  code?: number;
}

/** The device (or its edge node) went online or offline (Sparkplug births and deaths). */
export interface LiveStatusEvent extends LiveEventBase {
  type: 'status';
  online: boolean;
  reason: string;
  node?: string;
}

/** An alarm was raised, cleared or acknowledged. */
export interface LiveAlarmEvent extends LiveEventBase {
  type: 'alarm';
  metric: string;
  severity: string;
  active: boolean;
  message: string;
  value?: number;
  limit?: number;
  acked?: boolean;
  ackedBy?: string;
  /** time of the raise this event belongs to (the alarm's identity); equals `timestamp` for a raise */
  raisedAt?: number;
}

export type LiveEvent = LiveValueEvent | LiveStateEvent | LiveStatusEvent | LiveAlarmEvent;
export type LiveEventType = LiveEvent['type'];

export interface LiveBatch {
  events: LiveEvent[];
  /** events this subscriber lost since its previous batch because its buffer was full */
  dropped: number;
}

export interface LiveBusStats {
  published: number;
  delivered: number;
  dropped: number;
  subscribers: number;
}

/** What a subscriber wants, in a form the bus can check without making an event (see `publishValues`). */
export interface LiveInterest {
  /** event types; all when absent */
  types?: ReadonlySet<LiveEventType>;
  site?: string;
  device?: string;
}

/** A message's values by index, without an object per value (cloud/host/host-samples.ts is one). */
export interface ValueRows {
  readonly length: number;
  site(i: number): string;
  device(i: number): string;
  metric(i: number): string;
  value(i: number): SampleValue;
  quality(i: number): Quality;
  timestamp(i: number): number;
}

/** the unit of a device's metric, looked up when a value becomes an event */
export type UnitOf = (site: string, device: string, metric: string) => string | undefined;

/** A message's values that no subscriber wanted when published: seq `first + i` is row `i`. In the replay ring only. */
interface DeferredValues {
  readonly first: number;
  readonly rows: ValueRows;
  readonly unitOf: UnitOf;
}

/** The `value` event of row `i` (bad values carry `null`), numbered `seq`. */
function valueEventOf(rows: ValueRows, i: number, seq: number, unit: string | undefined): LiveValueEvent {
  const quality = rows.quality(i);
  return {
    seq,
    type: 'value',
    site: rows.site(i),
    device: rows.device(i),
    metric: rows.metric(i),
    value: quality === 'bad' ? null : rows.value(i),
    quality,
    timestamp: rows.timestamp(i),
    ...(unit ? { unit } : {}),
  };
}

export interface SubscribeOptions {
  /** only events this returns true for are buffered */
  filter?: (event: LiveEvent) => boolean;
  /**
   * the same interest in a form the bus can check before making an event (`filter` still decides); without it the
   * subscriber is taken to want every value, which makes an event per value while it is subscribed
   */
  wants?: LiveInterest;
  /** per-subscriber bound; default the bus's `maxBuffered` */
  maxBuffered?: number;
  /**
   * resume after this seq (of this bus's epoch): the events after it still in the replay ring are buffered first.
   * `subscription.resumed` says whether every one of them was still there.
   */
  after?: number;
}

/** `<epoch>:<seq>`, the id of an event (and of a snapshot: every event up to it is included). */
export function formatEventId(epoch: string, seq: number): string {
  return `${epoch}:${seq}`;
}

/** Parses an event id; undefined when it is not one. */
export function parseEventId(id: string | undefined): { epoch: string; seq: number } | undefined {
  const m = id === undefined ? null : /^([A-Za-z0-9]{1,32}):([0-9]{1,15})$/.exec(id.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return { epoch: m[1], seq: Number(m[2]) };
}

/** One subscriber's bounded queue. Read it with `take()` (batch) or `for await` (one event at a time). */
export class LiveSubscription implements AsyncIterable<LiveEvent> {
  #buffer: LiveEvent[] = [];
  #head = 0;
  #droppedSinceTake = 0;
  #droppedTotal = 0;
  #closed = false;
  #resumed = false;
  #wake: (() => void) | undefined;
  readonly #max: number;
  readonly #filter: ((event: LiveEvent) => boolean) | undefined;
  readonly #wants: LiveInterest | undefined;
  readonly #onClose: (s: LiveSubscription) => void;
  readonly #onDrop: (n: number) => void;

  /** @internal created by LiveBus.subscribe */
  constructor(
    max: number,
    filter: ((event: LiveEvent) => boolean) | undefined,
    onClose: (s: LiveSubscription) => void,
    onDrop: (n: number) => void,
    wants?: LiveInterest,
  ) {
    this.#max = max;
    this.#filter = filter;
    this.#wants = wants;
    this.#onClose = onClose;
    this.#onDrop = onDrop;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** true when it was subscribed with `after` and every event after that seq was still in the replay ring */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** @internal */
  markResumed(): void {
    this.#resumed = true;
  }

  /** events lost to a full buffer since subscribing */
  get dropped(): number {
    return this.#droppedTotal;
  }

  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /** @internal whether a `value` event of this device could pass this subscriber's interest */
  wantsValue(site: string, device: string): boolean {
    if (this.#closed) return false;
    const w = this.#wants;
    if (w === undefined) return true;
    return (
      (w.types === undefined || w.types.has('value')) &&
      (w.site === undefined || w.site === site) &&
      (w.device === undefined || w.device === device)
    );
  }

  /** @internal */
  offer(event: LiveEvent): boolean {
    if (this.#closed) return false;
    if (this.#filter && !this.#filter(event)) return false;
    if (this.buffered >= this.#max) {
      this.#head++;
      this.#droppedSinceTake++;
      this.#droppedTotal++;
      this.#onDrop(1);
    }
    this.#buffer.push(event);
    if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    return true;
  }

  /**
   * Waits until at least one event is buffered (or some were dropped) and returns everything buffered.
   * Resolves `undefined` when the subscription is closed or the signal aborts.
   */
  async take(signal?: AbortSignal): Promise<LiveBatch | undefined> {
    while (!this.#closed && this.buffered === 0 && this.#droppedSinceTake === 0) {
      if (signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.#wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (signal?.aborted) return undefined;
    }
    if (this.#closed) return undefined;
    const events = this.#buffer.slice(this.#head);
    this.#buffer = [];
    this.#head = 0;
    const dropped = this.#droppedSinceTake;
    this.#droppedSinceTake = 0;
    return { events, dropped };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = [];
    this.#head = 0;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    this.#onClose(this);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LiveEvent> {
    try {
      for (;;) {
        const batch = await this.take();
        if (!batch) return;
        yield* batch.events;
      }
    } finally {
      this.close();
    }
  }
}

export interface LiveBusOptions {
  /** default per-subscriber buffer bound (events), default 1000 */
  maxBuffered?: number;
  /** how many recent events are kept for `Last-Event-ID` resumes, default 20,000 */
  replayCapacity?: number;
  /** the epoch of event ids; default a random one per bus (a restarted ingester never resumes an old stream) */
  epoch?: string;
}

/** The in-process live event bus: the ingester and analytics publish, SSE clients subscribe. */
export class LiveBus {
  readonly #subs = new Set<LiveSubscription>();
  readonly #maxBuffered: number;
  readonly #ring: (LiveEvent | DeferredValues | undefined)[];
  readonly epoch: string;
  /** the latest state, status, value and alarm per device, as of `seq` (snapshots overlay it) */
  readonly view = new LiveView();
  #seq = 0;
  #published = 0;
  #delivered = 0;
  #dropped = 0;

  constructor(opts: LiveBusOptions = {}) {
    this.#maxBuffered = Math.max(1, opts.maxBuffered ?? 1000);
    this.#ring = new Array<LiveEvent | DeferredValues | undefined>(
      Math.max(1, opts.replayCapacity ?? 20_000),
    );
    this.epoch = opts.epoch ?? randomBytes(6).toString('hex');
  }

  /** the seq of the last event published (0 before the first) */
  get seq(): number {
    return this.#seq;
  }

  /** the id of the last event published: a snapshot read now includes every event up to it */
  get lastEventId(): string {
    return formatEventId(this.epoch, this.#seq);
  }

  /** Numbers the event (sets `event.seq`), applies it to the view, keeps it for replay and offers it to subscribers. */
  publish(event: LiveEvent): void {
    this.#published++;
    const seq = ++this.#seq;
    event.seq = seq;
    this.view.apply(event);
    this.#ring[seq % this.#ring.length] = event;
    for (const s of this.#subs) if (s.offer(event)) this.#delivered++;
  }

  publishMany(events: Iterable<LiveEvent>): void {
    for (const e of events) this.publish(e);
  }

  /**
   * Publishes a message's values: each is numbered and applied to the view (in place, no object per value); a value
   * becomes a `value` event only when a subscriber wants its device's values. The others stay in the replay ring as
   * one reference to `samples` (which must not change afterwards), made into events only if a resume replays them.
   */
  publishValues(rows: ValueRows, unitOf: UnitOf): void {
    const n = rows.length;
    if (n === 0) return;
    const first = this.#seq + 1;
    this.#seq += n;
    this.#published += n;
    const ring = this.#ring;
    const view = this.view;
    let deferred: DeferredValues | undefined;
    let wantSite: string | undefined;
    let wantDevice: string | undefined;
    let want = false;
    for (let i = 0; i < n; i++) {
      const seq = first + i;
      const site = rows.site(i);
      const device = rows.device(i);
      const metric = rows.metric(i);
      const quality = rows.quality(i);
      const unit = unitOf(site, device, metric);
      view.applyValue(
        site,
        device,
        metric,
        quality === 'bad' ? null : rows.value(i),
        quality,
        rows.timestamp(i),
        unit,
        seq,
      );
      if (this.#subs.size > 0 && (site !== wantSite || device !== wantDevice)) {
        wantSite = site;
        wantDevice = device;
        want = false;
        for (const sub of this.#subs) if (sub.wantsValue(site, device)) want = true;
      }
      if (want) {
        const e = valueEventOf(rows, i, seq, unit);
        ring[seq % ring.length] = e;
        for (const sub of this.#subs) if (sub.offer(e)) this.#delivered++;
      } else {
        deferred ??= { first, rows, unitOf };
        ring[seq % ring.length] = deferred;
      }
    }
  }

  /** the event of `seq` in the replay ring, made from its deferred value when it was not an event */
  #replayed(seq: number): LiveEvent | undefined {
    const slot = this.#ring[seq % this.#ring.length];
    if (slot === undefined || 'type' in slot) return slot;
    const i = seq - slot.first;
    if (i < 0 || i >= slot.rows.length) return undefined;
    const rows = slot.rows;
    return valueEventOf(rows, i, seq, slot.unitOf(rows.site(i), rows.device(i), rows.metric(i)));
  }

  subscribe(opts: SubscribeOptions = {}): LiveSubscription {
    const sub = new LiveSubscription(
      Math.max(1, opts.maxBuffered ?? this.#maxBuffered),
      opts.filter,
      (s) => this.#subs.delete(s),
      (n) => {
        this.#dropped += n;
      },
      opts.wants,
    );
    const after = opts.after;
    if (after !== undefined && after <= this.#seq && after >= this.#seq - this.#ring.length) {
      for (let seq = after + 1; seq <= this.#seq; seq++) {
        const e = this.#replayed(seq);
        if (e !== undefined && sub.offer(e)) this.#delivered++;
      }
      if (sub.dropped === 0) sub.markResumed();
    }
    this.#subs.add(sub);
    return sub;
  }

  get subscriberCount(): number {
    return this.#subs.size;
  }

  stats(): LiveBusStats {
    return {
      published: this.#published,
      delivered: this.#delivered,
      dropped: this.#dropped,
      subscribers: this.#subs.size,
    };
  }

  /** Closes every subscription (their `take()` resolves `undefined`), e.g. on shutdown. */
  closeAll(): void {
    for (const s of [...this.#subs]) s.close();
  }
}
