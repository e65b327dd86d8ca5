import type { Logger } from '../../config/logging.js';
import type { Sample } from '../../protocols/sample.js';
import type { Outbox, OutboxEntry } from '../outbox/outbox.js';
import type { DataOutcome, OutMsg } from './edge-node-types.js';

/** What the publisher needs from the edge node (Sparkplug or JSON). */
export interface DataEncoder {
  /** the message for an outbox entry, or why it cannot be published (now or ever) */
  encodeData(device: string, samples: readonly Sample[], opts: { historical?: boolean }): DataOutcome;
  canPublishData(): boolean;
}

export interface PublishTarget {
  readonly connected: boolean;
  publish(msg: OutMsg): Promise<void>;
}

export interface PublisherOptions {
  outbox: Outbox;
  uplink: PublishTarget;
  encoder: DataEncoder;
  log: Logger;
  clock?: () => number;
  /** QoS 1 messages awaiting PUBACK at once (mqtt.maxInflight) */
  maxInflight: number;
  /** messages per second for the backlog (entries stored before this session); live data goes first (outbox.replayRate) */
  replayRate: number;
}

export interface PublisherStats {
  inflight: number;
  parked: number;
  unpublishable: number;
}

/**
 * Drains the outbox to MQTT. An entry leaves the outbox only on PUBACK. Entries stored before the current MQTT
 * session are the backlog: sent as historical, at `replayRate`, after live data, so a long outage never starves the
 * live view. After a disconnect every unacknowledged entry is sent again (at-least-once; storage is idempotent).
 * An entry of a device that is down (not born) is parked, not a roadblock: the other devices go on, and the parked
 * entries go out after the device's next birth.
 */
export class Publisher {
  readonly #o: Required<Omit<PublisherOptions, 'clock'>> & { clock: () => number };
  readonly #inflightIds = new Set<number>();
  /** device → smallest parked entry id */
  readonly #parked = new Map<string, number>();
  #running = false;
  #wake: (() => void) | undefined;
  #session = 0;
  /** ids ≤ boundary were stored before the session started */
  #boundary = 0;
  #liveCursor = 0;
  #backlogCursor = 0;
  #tokens = 0;
  #lastRefill = 0;
  #loop: Promise<void> | undefined;
  #unpublishable = 0;

  constructor(opts: PublisherOptions) {
    this.#o = { clock: Date.now, ...opts };
  }

  stats(): PublisherStats {
    return {
      inflight: this.#inflightIds.size,
      parked: this.#parked.size,
      unpublishable: this.#unpublishable,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.kick();
    await this.#loop;
  }

  /** New data in the outbox, a connect, or a birth: look again. */
  kick(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** A new MQTT session: everything not yet acknowledged is sent again; what is stored now is backlog. */
  onSessionStart(lastStoredId: number): void {
    this.#session++;
    this.#inflightIds.clear();
    this.#parked.clear();
    this.#boundary = lastStoredId;
    this.#liveCursor = lastStoredId;
    this.#backlogCursor = 0;
    this.#tokens = 0;
    this.#lastRefill = this.#o.clock();
    this.kick();
  }

  /** A device was born again: its parked entries go out now. */
  onDeviceBorn(device: string): void {
    const first = this.#parked.get(device);
    if (first === undefined) return;
    this.#parked.delete(device);
    if (first <= this.#boundary) this.#backlogCursor = Math.min(this.#backlogCursor, first - 1);
    else this.#liveCursor = Math.min(this.#liveCursor, first - 1);
    this.kick();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const progressed = this.#pass();
      if (!progressed) await this.#sleep(this.#backlogCursor < this.#boundary ? 100 : undefined);
    }
  }

  /** One pass: send what the window allows. Returns whether anything moved. */
  #pass(): boolean {
    const { uplink, encoder, outbox, maxInflight } = this.#o;
    if (!uplink.connected || !encoder.canPublishData()) return false;
    let moved = false;
    // Live data first.
    while (this.#inflightIds.size < maxInflight) {
      const batch = outbox.peekAfter(this.#liveCursor, maxInflight - this.#inflightIds.size);
      if (batch.length === 0) break;
      for (const e of batch) {
        const r = this.#send(e, false);
        if (r === 'stop') return moved;
        this.#liveCursor = e.id;
        moved = true;
      }
    }
    // Then the backlog, at the replay rate.
    if (this.#backlogCursor < this.#boundary) {
      this.#refill();
      let room = Math.min(maxInflight - this.#inflightIds.size, Math.floor(this.#tokens));
      while (room > 0) {
        const [e] = outbox.peekAfter(this.#backlogCursor, 1);
        if (!e || e.id > this.#boundary) {
          this.#backlogCursor = this.#boundary;
          break;
        }
        const r = this.#send(e, true);
        if (r === 'stop') return moved;
        this.#backlogCursor = e.id;
        if (r === 'sent') {
          this.#tokens -= 1;
          room--;
        }
        moved = true;
      }
    }
    return moved;
  }

  #refill(): void {
    const now = this.#o.clock();
    const rate = this.#o.replayRate;
    this.#tokens = Math.min(Math.max(1, rate), this.#tokens + ((now - this.#lastRefill) / 1000) * rate);
    this.#lastRefill = now;
  }

  #send(e: OutboxEntry, backlog: boolean): 'sent' | 'parked' | 'skipped' | 'stop' {
    if (this.#inflightIds.has(e.id)) return 'skipped';
    const outcome = this.#o.encoder.encodeData(e.device, e.samples, { historical: backlog });
    if ('refused' in outcome) {
      const why = outcome.refused;
      if (why === 'device-not-born') {
        if (!this.#parked.has(e.device)) this.#parked.set(e.device, e.id);
        return 'parked';
      }
      if (why === 'unknown-device' || why === 'nothing-publishable') {
        // Can never be published (no such device in this configuration, or every sample invalid): count and drop.
        this.#unpublishable++;
        this.#o.log.error(
          { device: e.device, samples: e.samples.length, reason: why },
          'outbox entry can never be published; dropped',
        );
        this.#o.outbox.ack(e.id);
        return 'skipped';
      }
      return 'stop';
    }
    const msg = outcome.msg;
    const session = this.#session;
    this.#inflightIds.add(e.id);
    this.#o.uplink
      .publish(msg)
      .then(
        () => {
          this.#o.outbox.ack(e.id);
          if (backlog) this.#o.outbox.markReplayed(1);
        },
        (err: unknown) => {
          // The entry stays in the outbox; the next session sends it again.
          if (session === this.#session)
            this.#o.log.debug({ err, id: e.id }, 'publish not acknowledged; will resend');
        },
      )
      .finally(() => {
        if (session === this.#session) this.#inflightIds.delete(e.id);
        this.kick();
      });
    return 'sent';
  }

  #sleep(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = ms === undefined ? undefined : setTimeout(() => this.kick(), ms);
      this.#wake = () => {
        if (t) clearTimeout(t);
        resolve();
      };
    });
  }
}
