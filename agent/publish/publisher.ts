import type { Logger } from '../../config/logging.js';
import type { Sample } from '../../protocols/sample.js';
import type { Outbox, OutboxEntry } from '../outbox/outbox.js';
import type { OutMsg } from './uplink.js';

/** What the publisher needs from the Sparkplug edge node (or the JSON encoder). */
export interface DataEncoder {
  /** undefined when the device cannot take data now (not born); the entry then waits */
  data(device: string, samples: Sample[], opts: { historical: boolean }): OutMsg | undefined;
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
  /** QoS 1 messages awaiting PUBACK at once */
  maxInflight?: number;
  /** messages per second for the backlog (entries stored before this session); live data goes first */
  replayRate?: number;
}

/**
 * Drains the outbox to MQTT. An entry leaves the outbox only on PUBACK. Entries stored before the current MQTT
 * session are the backlog: sent as historical, at `replayRate`, after live data, so a long outage never starves the
 * live view. After a disconnect every unacknowledged entry is sent again (at-least-once; storage is idempotent).
 */
export class Publisher {
  readonly #o: Required<Omit<PublisherOptions, 'clock'>> & { clock: () => number };
  #running = false;
  #wake: (() => void) | undefined;
  #inflight = 0;
  #session = 0;
  /** ids ≤ boundary were stored before the session started */
  #boundary = 0;
  #liveCursor = 0;
  #backlogCursor = 0;
  #tokens = 0;
  #lastRefill = 0;
  #loop: Promise<void> | undefined;
  #waiting = 0;

  constructor(opts: PublisherOptions) {
    this.#o = { maxInflight: 32, replayRate: 200, clock: Date.now, ...opts };
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** entries that could not be encoded yet (device not born) at the last pass */
  get waiting(): number {
    return this.#waiting;
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
    this.#boundary = lastStoredId;
    this.#liveCursor = lastStoredId;
    this.#backlogCursor = 0;
    this.#tokens = 0;
    this.#lastRefill = this.#o.clock();
    this.kick();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const sent = this.#pass();
      if (!sent) await this.#sleep(this.#backlogPending() ? 50 : undefined);
    }
  }

  #backlogPending(): boolean {
    return this.#backlogCursor < this.#boundary && this.#o.uplink.connected;
  }

  /** One pass: send what the window allows. Returns whether anything was sent. */
  #pass(): boolean {
    const { uplink, encoder, outbox, maxInflight } = this.#o;
    if (!uplink.connected || !encoder.canPublishData()) return false;
    let sent = 0;
    this.#waiting = 0;
    for (const e of outbox.peekAfter(this.#liveCursor, maxInflight - this.#inflight)) {
      if (!this.#send(e, false)) break;
      this.#liveCursor = e.id;
      sent++;
    }
    if (this.#backlogCursor < this.#boundary) {
      this.#refill();
      const room = Math.min(maxInflight - this.#inflight, Math.floor(this.#tokens));
      for (const e of room > 0 ? outbox.peekAfter(this.#backlogCursor, room) : []) {
        if (e.id > this.#boundary) {
          this.#backlogCursor = this.#boundary;
          break;
        }
        if (!this.#send(e, true)) break;
        this.#backlogCursor = e.id;
        this.#tokens -= 1;
        sent++;
      }
      if (
        this.#backlogCursor < this.#boundary &&
        outbox.peekAfter(this.#backlogCursor, 1)[0]?.id === undefined
      ) {
        this.#backlogCursor = this.#boundary;
      }
    }
    return sent > 0;
  }

  #refill(): void {
    const now = this.#o.clock();
    const rate = this.#o.replayRate;
    this.#tokens = Math.min(rate, this.#tokens + ((now - this.#lastRefill) / 1000) * rate);
    this.#lastRefill = now;
  }

  #send(e: OutboxEntry, backlog: boolean): boolean {
    const historical = backlog;
    const msg = this.#o.encoder.data(e.device, e.samples, { historical });
    if (!msg) {
      this.#waiting++;
      return false;
    }
    const session = this.#session;
    this.#inflight++;
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
        this.#inflight--;
        this.kick();
      });
    return true;
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
