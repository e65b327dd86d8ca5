import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../config/logging.js';
import type { IngesterMqtt } from '../../config/schemas/ingest-mqtt.js';
import { Backoff } from '../../protocols/backoff.js';
import { type ComponentHealth, HealthTracker } from '../../protocols/health/component-health.js';
import type { OutMsg } from '../host/host-types.js';

export interface ConsumerHooks {
  /** the will of the next session (Sparkplug STATE offline); asked before every connect */
  will(): OutMsg;
  /** published right after every CONNACK (STATE online) */
  online(): OutMsg;
  /** topic filters to subscribe at QoS 1 */
  subscriptions(): string[];
  /**
   * Handle one message. The PUBACK is sent only when this resolves, so resolve only once the message's data is
   * stored (or dead-lettered). Never reject for bad input: that is a value the handler deals with.
   */
  handle(topic: string, payload: Buffer, signal: AbortSignal): Promise<void>;
}

export interface ConsumerStats {
  connected: boolean;
  connects: number;
  messages: number;
}

/**
 * The ingester's MQTT session: fixed client id, persistent session (clean: false), QoS 1, acknowledgement after
 * the handler resolves (MQTT.js holds the PUBACK and the next message until then: back-pressure, not memory
 * growth), jittered exponential reconnect.
 */
export class MqttConsumer {
  readonly #cfg: IngesterMqtt & { url: string; clientId: string };
  readonly #hooks: ConsumerHooks;
  readonly #log: Logger;
  readonly #backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
  readonly #abort = new AbortController();
  #client: MqttClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** the will of the current session (STATE offline with this session's timestamp), published on a clean stop */
  #currentWill: NonNullable<IClientOptions['will']> | undefined;
  #stats = { connected: false, connects: 0, messages: 0 };
  readonly #health = new HealthTracker('down', Date.now());
  #lastDown = 'connecting';
  #firstConnect: { resolve: () => void; promise: Promise<void> };

  constructor(cfg: IngesterMqtt & { url: string; clientId: string }, hooks: ConsumerHooks, log: Logger) {
    this.#cfg = cfg;
    this.#hooks = hooks;
    this.#log = log;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.#firstConnect = { resolve, promise };
  }

  stats(): ConsumerStats {
    return { ...this.#stats };
  }

  /** ok while connected (messages flow), down otherwise with the last reason; never shows credentials */
  health(now = Date.now()): ComponentHealth {
    const { connected, connects, messages } = this.#stats;
    return this.#health.report(connected ? 'ok' : 'down', now, {
      component: 'mqtt',
      id: this.#cfg.clientId,
      detail: connected ? 'connected: consuming' : `not connected: ${this.#lastDown}`,
      counters: { connects, messages },
    });
  }

  /** resolves at the first successful connect */
  get connected(): Promise<void> {
    return this.#firstConnect.promise;
  }

  start(): void {
    const c = this.#cfg;
    const opts: IClientOptions = {
      clientId: c.clientId,
      username: c.username,
      password: c.password,
      protocolVersion: c.protocolVersion,
      clean: false,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      queueQoSZero: false,
      resubscribe: true,
      rejectUnauthorized: true,
      will: this.#will(),
    };
    if (c.protocolVersion === 5) opts.properties = { sessionExpiryInterval: 7 * 24 * 3600 };
    if (c.ca !== undefined) opts.ca = readFileSync(c.ca);
    const client = mqtt.connect(c.url, opts);
    this.#client = client;
    client.handleMessage = (packet: IPublishPacket, callback: (err?: Error) => void) => {
      this.#stats.messages++;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.#hooks.handle(packet.topic, payload, this.#abort.signal).then(
        () => callback(),
        (err: unknown) => {
          // Only a stop reaches here: leave the message unacknowledged so the broker redelivers it.
          if (!this.#abort.signal.aborted)
            this.#log.error({ err, topic: packet.topic }, 'message handler failed');
        },
      );
    };
    client.on('connect', (connack) => {
      this.#stats.connected = true;
      this.#health.observe('ok', Date.now());
      this.#stats.connects++;
      this.#backoff.reset();
      this.#log.info(
        { url: c.url, clientId: c.clientId, sessionPresent: connack.sessionPresent },
        'ingester connected to MQTT broker',
      );
      const subs = this.#hooks.subscriptions();
      client.subscribe(subs, { qos: 1 }, (err, granted) => {
        if (err) this.#log.error({ err, subs }, 'subscription failed');
        const refused = (granted ?? []).filter((g) => g.qos === 128);
        if (refused.length > 0) this.#log.error({ refused }, 'broker refused subscriptions (check the ACL)');
      });
      this.publish(this.#hooks.online()).catch((err: unknown) =>
        this.#log.warn({ err }, 'could not publish STATE online'),
      );
      this.#firstConnect.resolve();
    });
    client.on('error', (err) => {
      this.#lastDown = err.message;
      this.#log.warn({ err: err.message }, 'MQTT connection error');
    });
    client.on('close', () => {
      if (this.#stats.connected) {
        this.#lastDown = 'connection closed';
        this.#log.warn('ingester disconnected from MQTT broker');
      }
      this.#stats.connected = false;
      this.#health.observe('down', Date.now());
      this.#scheduleReconnect();
    });
  }

  publish(msg: OutMsg): Promise<void> {
    const client = this.#client;
    if (!client?.connected) return Promise.reject(new Error('not connected'));
    if (this.#abort.signal.aborted) return Promise.reject(new Error('ingester stopping'));
    return client
      .publishAsync(msg.topic, Buffer.from(msg.payload), { qos: msg.qos, retain: msg.retain })
      .then(() => undefined);
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error('ingester stopping'));
    if (this.#timer) clearTimeout(this.#timer);
    this.#lastDown = 'stopped';
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('close');
      // A clean DISCONNECT makes the broker discard the will, so say STATE offline ourselves (Sparkplug 3.0 host):
      // edge nodes waiting on this primary host stop publishing until it is back.
      const will = this.#currentWill;
      if (will && client.connected) {
        await client
          .publishAsync(will.topic, will.payload as Buffer, {
            qos: will.qos ?? 1,
            retain: will.retain ?? true,
          })
          .catch((err: unknown) => this.#log.warn({ err }, 'could not publish STATE offline on stop'));
      }
      await client.endAsync(false).catch(() => undefined);
    }
    this.#stats.connected = false;
  }

  #will(): NonNullable<IClientOptions['will']> {
    const w = this.#hooks.will();
    this.#currentWill = { topic: w.topic, payload: Buffer.from(w.payload), qos: w.qos, retain: w.retain };
    return this.#currentWill;
  }

  #scheduleReconnect(): void {
    if (this.#abort.signal.aborted || this.#timer) return;
    const delay = this.#backoff.next();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const client = this.#client;
      if (!client || this.#abort.signal.aborted) return;
      const will = this.#will();
      if (will) client.options.will = will;
      client.reconnect();
    }, delay);
  }
}
