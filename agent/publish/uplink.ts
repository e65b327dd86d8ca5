import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../config/logging.js';
import { Backoff } from '../../protocols/backoff.js';
import { PlantpulseError } from '../../protocols/errors.js';
import { type ComponentHealth, HealthTracker } from '../../protocols/health/component-health.js';
import type { AgentMqtt } from '../config/mqtt-spec.js';

export interface OutMsg {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  retain: boolean;
}

export class UplinkError extends PlantpulseError {}

export interface UplinkHooks {
  /** the will of the next session (Sparkplug NDEATH with the next bdSeq); asked before every connect */
  will(): OutMsg | undefined;
  /** topics to subscribe after each connect */
  subscriptions(): string[];
  onConnected(): void;
  onDisconnected(reason: string): void;
  onMessage(topic: string, payload: Buffer): void;
}

export interface UplinkStats {
  connected: boolean;
  connects: number;
  inflight: number;
  published: number;
  publishFailures: number;
}

/**
 * The agent's MQTT connection. It owns reconnecting (jittered exponential backoff instead of MQTT.js's fixed 1 s,
 * a new client per session so the will always carries the current bdSeq), and nothing else: it never queues
 * (`queueQoSZero: false`, publish refused while offline) because buffering belongs to the durable outbox.
 */
export class Uplink {
  readonly #cfg: AgentMqtt;
  readonly #clientId: string;
  readonly #log: Logger;
  readonly #hooks: UplinkHooks;
  readonly #backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });
  #client: MqttClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #connected = false;
  /** ends the current session (graceful: DISCONNECT so the broker drops the will) and schedules a reconnect */
  #endSession: ((reason: string, graceful: boolean) => void) | undefined;
  readonly #stats = { connects: 0, inflight: 0, published: 0, publishFailures: 0 };
  readonly #health = new HealthTracker('down', Date.now());
  #lastDown = 'connecting';

  constructor(cfg: AgentMqtt, clientId: string, hooks: UplinkHooks, log: Logger) {
    this.#cfg = cfg;
    this.#clientId = clientId;
    this.#hooks = hooks;
    this.#log = log;
  }

  get connected(): boolean {
    return this.#connected;
  }

  stats(): UplinkStats {
    return { connected: this.#connected, ...this.#stats };
  }

  /** ok while connected to the broker, down otherwise (with the last reason); never shows credentials */
  health(now = Date.now()): ComponentHealth {
    return this.#health.report(this.#connected ? 'ok' : 'down', now, {
      component: 'uplink',
      id: this.#clientId,
      detail: this.#connected
        ? `connected to ${brokerHost(this.#cfg.url)}`
        : `not connected: ${this.#lastDown}`,
      counters: { ...this.#stats },
    });
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  /** Publish; resolves on PUBACK for QoS 1. Rejects with a retryable UplinkError while offline or on failure. */
  publish(msg: OutMsg): Promise<void> {
    const client = this.#client;
    if (!client || !this.#connected) {
      return Promise.reject(
        new UplinkError('MQTT_OFFLINE', 'not connected to the broker', { retryable: true }),
      );
    }
    this.#stats.inflight++;
    return new Promise<void>((resolve, reject) => {
      client.publish(msg.topic, Buffer.from(msg.payload), { qos: msg.qos, retain: msg.retain }, (err) => {
        this.#stats.inflight--;
        if (err) {
          this.#stats.publishFailures++;
          reject(new UplinkError('MQTT_PUBLISH_FAILED', err.message, { cause: err, retryable: true }));
        } else {
          this.#stats.published++;
          resolve();
        }
      });
    });
  }

  /** Publish the death certificate explicitly (clean shutdown) and disconnect. */
  async stop(final?: OutMsg): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    if (!client) return;
    // The death goes out (and is acknowledged) before the clean disconnect, which makes the broker discard the will.
    if (final && this.#connected) {
      await this.publish(final).catch((err: unknown) =>
        this.#log.warn({ err }, 'could not publish death on shutdown'),
      );
    }
    this.#client = undefined;
    this.#connected = false;
    this.#lastDown = 'stopped';
    await client.endAsync(false).catch(() => undefined);
  }

  /**
   * End this session on purpose and start a new one: publish `final` (the NDEATH) and wait for its PUBACK, disconnect
   * cleanly (the broker then discards the will, which would only repeat the NDEATH), then reconnect with backoff,
   * asking `will()` again (a new bdSeq). Sparkplug 3.0 asks for this when the primary host goes offline.
   */
  async restart(final?: OutMsg, reason = 'restart requested'): Promise<void> {
    const client = this.#client;
    if (!client || this.#stopped) return;
    if (final && this.#connected) {
      await this.publish(final).catch((err: unknown) =>
        this.#log.warn({ err, topic: final.topic }, 'could not publish death before restarting the session'),
      );
    }
    if (this.#client !== client || this.#stopped) return; // the session already ended meanwhile
    this.#log.info({ reason }, 'restarting the MQTT session');
    this.#endSession?.(reason, true);
  }

  #options(): IClientOptions {
    const c = this.#cfg;
    const will = this.#hooks.will();
    const opts: IClientOptions = {
      clientId: this.#clientId,
      protocolVersion: c.protocolVersion,
      clean: true,
      keepalive: Math.round(c.keepalive / 1000),
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      queueQoSZero: false,
      resubscribe: false,
      rejectUnauthorized: true,
    };
    if (c.username !== undefined) opts.username = c.username;
    if (c.password !== undefined) opts.password = c.password;
    if (c.ca !== undefined) opts.ca = readFileSync(c.ca);
    if (c.cert !== undefined) opts.cert = readFileSync(c.cert);
    if (c.key !== undefined) opts.key = readFileSync(c.key);
    if (will)
      opts.will = {
        topic: will.topic,
        payload: Buffer.from(will.payload),
        qos: will.qos,
        retain: will.retain,
      };
    return opts;
  }

  #connect(): void {
    if (this.#stopped) return;
    let client: MqttClient;
    try {
      client = mqtt.connect(this.#cfg.url, this.#options());
    } catch (err) {
      this.#log.error({ err }, 'MQTT client could not be created');
      this.#scheduleReconnect('client creation failed');
      return;
    }
    this.#client = client;
    let ended = false;
    const endSession = (reason: string, graceful = false) => {
      if (ended) return;
      ended = true;
      const wasConnected = this.#connected;
      this.#connected = false;
      this.#lastDown = reason;
      this.#health.observe('down', Date.now());
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(!graceful);
      if (this.#client === client) {
        this.#client = undefined;
        this.#endSession = undefined;
      }
      if (wasConnected) this.#hooks.onDisconnected(reason);
      this.#scheduleReconnect(reason);
    };
    this.#endSession = endSession;
    client.on('connect', () => {
      this.#connected = true;
      this.#health.observe('ok', Date.now());
      this.#stats.connects++;
      this.#backoff.reset();
      this.#log.info({ url: this.#cfg.url, clientId: this.#clientId }, 'connected to MQTT broker');
      const subs = this.#hooks.subscriptions();
      if (subs.length > 0) {
        client.subscribe(subs, { qos: 1 }, (err) => {
          if (err) this.#log.error({ err, subs }, 'subscription failed');
        });
      }
      this.#hooks.onConnected();
    });
    client.on('message', (topic, payload) => {
      try {
        this.#hooks.onMessage(topic, payload);
      } catch (err) {
        this.#log.error({ err, topic }, 'incoming MQTT message could not be handled');
      }
    });
    client.on('error', (err) => {
      this.#log.warn({ err: err.message, url: this.#cfg.url }, 'MQTT connection error');
      endSession(err.message);
    });
    client.on('close', () => endSession('connection closed'));
    client.on('offline', () => endSession('offline'));
  }

  #scheduleReconnect(reason: string): void {
    if (this.#stopped) return;
    const delay = this.#backoff.next();
    this.#log.info({ delayMs: delay, attempt: this.#backoff.attempt, reason }, 'reconnecting to MQTT broker');
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}

/** scheme://host:port of a broker URL, without credentials or path */
function brokerHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the broker';
  }
}
