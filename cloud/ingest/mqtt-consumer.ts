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

/** Handed to MQTT.js's handleMessage callback to release its packet pump without a PUBACK (sent later by us). */
const DEFERRED_ACK = Object.freeze(new Error('PUBACK deferred until the message is committed'));

/** MQTT.js's own packet sender (not in its typings): keeps its offline handling, topic aliases and write queue. */
function sendPuback(client: MqttClient, messageId: number | undefined): void {
  if (messageId === undefined) return;
  (client as unknown as { _sendPacket(packet: object): void })._sendPacket({
    cmd: 'puback',
    messageId,
    reasonCode: 0,
  });
}

/** The `mqtt:` section with the url and client id worked out; `servername`: the name to verify the broker's certificate for */
export type ConsumerConfig = IngesterMqtt & { url: string; clientId: string; servername?: string };

export interface ConsumerStats {
  connected: boolean;
  connects: number;
  messages: number;
}

/**
 * The ingester's MQTT session: fixed client id, persistent session (clean: false), QoS 1, acknowledgement after
 * the handler resolves, with up to `mqtt.maxInflight` messages handled at once (their spool commits grouped; at the
 * bound the socket is held: back-pressure, not memory growth), jittered exponential reconnect.
 */
export class MqttConsumer {
  readonly #cfg: ConsumerConfig;
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
  /** counts CONNACKs: a PUBACK is sent only on the connection its message came on */
  #connection = 0;
  /** messages handled and not yet acknowledged */
  #inFlight = 0;
  /** PUBACKs go out in the order the messages came (MQTT 3.1.1 §4.6), each after its own commit */
  #ackOrder: Promise<void> = Promise.resolve();

  constructor(cfg: ConsumerConfig, hooks: ConsumerHooks, log: Logger) {
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
    if (c.protocolVersion === 5)
      opts.properties = { sessionExpiryInterval: 7 * 24 * 3600, receiveMaximum: this.#cfg.maxInflight };
    if (c.ca !== undefined) opts.ca = readFileSync(c.ca);
    // mutual TLS: the broker may require a client certificate (Mosquitto require_certificate, broker.tls.requireClientCert)
    if (c.cert !== undefined) opts.cert = readFileSync(c.cert);
    if (c.key !== undefined) opts.key = readFileSync(c.key);
    // the embedded broker is dialled at its listen address and verified by its certificate's name
    if (c.servername !== undefined) opts.servername = c.servername;
    const client = mqtt.connect(c.url, opts);
    this.#client = client;
    client.handleMessage = (packet, callback) => this.#onMessage(client, packet, callback);
    client.on('connect', (connack) => {
      this.#connection++;
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

  /**
   * Several messages in flight (docs/delivery.md#group-commit-several-messages-per-fsync). MQTT.js hands over one message at a time and reads
   * the next packet only once the handleMessage callback ran, and that callback sends the PUBACK. So below the
   * bound the callback is released at once with an error value — which MQTT.js takes as "send no PUBACK" and
   * carries on reading (handlers/publish.js: `if (err) return done(err)`; its packet pump ignores the value) — and
   * the PUBACK is sent here once the handler resolved, i.e. the message is committed; the messages that arrive
   * meanwhile are committed with it. At the bound, the message keeps the callback until it is committed, which
   * holds the socket (back-pressure) and lets MQTT.js send that PUBACK itself. A PUBACK is sent only on the
   * connection the message came on: after a reconnect the broker redelivers it (a duplicate, overwritten in
   * InfluxDB) — never an acknowledgement of something not stored.
   */
  #onMessage(client: MqttClient, packet: IPublishPacket, callback: (err?: Error) => void): void {
    this.#stats.messages++;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const connection = this.#connection;
    const handled = this.#hooks.handle(packet.topic, payload, this.#abort.signal);
    const hold = this.#inFlight + 1 >= this.#cfg.maxInflight;
    this.#inFlight++;
    if (!hold) callback(DEFERRED_ACK);
    const ack = this.#ackOrder.then(() => handled);
    this.#ackOrder = ack.then(
      () => undefined,
      () => undefined,
    );
    ack.then(
      () => {
        this.#inFlight--;
        if (hold) callback();
        else if (packet.qos > 0 && connection === this.#connection && client.connected)
          sendPuback(client, packet.messageId);
      },
      (err: unknown) => {
        this.#inFlight--;
        // Only a stop reaches here: leave the message unacknowledged so the broker redelivers it.
        if (!this.#abort.signal.aborted)
          this.#log.error({ err, topic: packet.topic }, 'message handler failed');
      },
    );
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
