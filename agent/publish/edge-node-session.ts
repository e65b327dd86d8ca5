/**
 * The agent's Sparkplug session: the `EdgeNode` state machine bound to the MQTT uplink. It owns the edge node's
 * policy so the agent only wires components: it gives the uplink its hooks (will with the persisted bdSeq, births on
 * connect, commands and STATE), publishes what the edge node returns, turns device reachability into DDEATH/DBIRTH,
 * answers the publisher's "can this entry go?" (`encodeData`), and logs and counts every edge event in one place.
 *
 * What it tells its owner (`SessionListener`): a new MQTT session started (the publisher resends what is
 * unacknowledged), devices were born again (parked data may go, report by exception starts over), and that
 * something changed that may let data flow.
 */
import type { Logger } from 'pino';
import { FloodLimit } from '../../protocols/flood-limit.js';
import { type ComponentHealth, HealthTracker } from '../../protocols/health/component-health.js';
import type { Sample } from '../../protocols/sample.js';
import { EdgeNode } from './edge-node.js';
import type { DataOutcome, EdgeDeviceSpec, EdgeEvent, EdgeNodeOptions, OutMsg } from './edge-node-types.js';
import type { DataEncoder } from './publisher.js';
import type { UplinkHooks } from './uplink.js';

/** What the session needs from the MQTT uplink. */
export interface SessionLink {
  publish(msg: OutMsg): Promise<void>;
  /** publish `final` (NDEATH), disconnect cleanly and reconnect: a new session with a new bdSeq */
  restart(final: OutMsg | undefined, reason: string): Promise<void>;
}

export interface SessionListener {
  /** a new MQTT session began: births are out (or awaited from the primary host) */
  sessionStarted(): void;
  /** `device` (every device when undefined) was born again after the session began */
  born(device?: string): void;
  /** a message was handled: data may be able to flow now */
  wake(): void;
}

export interface EdgeNodeSessionOptions extends Omit<EdgeNodeOptions, 'onEvent'> {
  log: Logger;
  listener: SessionListener;
  /** persist the bdSeq of the next session (so bdSeq keeps increasing across restarts) */
  saveBdSeq?: (next: number) => void;
  /** samples dropped, by code (SAMPLE_UNPUBLISHABLE: can never be published) */
  onDrop: (code: string, samples: number) => void;
  /**
   * NDATA of the node's own metrics (`nodeMetrics`) this long after the births and after each other, while born;
   * unset: only in births
   */
  nodeMetricsIntervalMs?: number;
}

const STATE_LOG_INTERVAL_MS = 60_000;

export class EdgeNodeSession implements DataEncoder {
  readonly #edge: EdgeNode;
  readonly #log: Logger;
  readonly #o: EdgeNodeSessionOptions;
  #link: SessionLink | undefined;
  /** set by the edge node's `primary-host-offline` event during the message being handled */
  #hostWentOffline = false;
  /** the next NDATA of the node's metrics, armed by births (so it never follows them closely) and by itself */
  #nodeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #health = new HealthTracker('down', Date.now());
  /** refused STATEs: a retained forgery comes back at every reconnect, so at most one line a minute */
  /** a forged retained STATE comes back at every reconnect: one warning a minute, with how many were left out */
  readonly #stateLog = new FloodLimit({ max: 1, windowMs: STATE_LOG_INTERVAL_MS });
  readonly #counters = {
    births: 0,
    rebirths: 0,
    commandsRefused: 0,
    messagesIgnored: 0,
    statesRefused: 0,
    samplesUnpublishable: 0,
    nodeData: 0,
  };

  constructor(opts: EdgeNodeSessionOptions) {
    const {
      log: _log,
      listener: _listener,
      saveBdSeq: _save,
      onDrop: _drop,
      nodeMetricsIntervalMs: _interval,
      ...edgeOpts
    } = opts;
    this.#o = opts;
    this.#log = opts.log;
    this.#edge = new EdgeNode({ ...edgeOpts, onEvent: (e) => this.#onEvent(e) });
  }

  /** The uplink to publish through; give it before the uplink starts. */
  attach(link: SessionLink): void {
    this.#link = link;
  }

  /** The uplink's hooks: hand them to `new Uplink(…)`. */
  readonly hooks: UplinkHooks = {
    will: () => {
      const w = this.#edge.will();
      this.#o.saveBdSeq?.(this.#edge.nextBdSeq);
      return w;
    },
    subscriptions: () => this.#edge.subscriptions(),
    onConnected: () => {
      this.#send(this.#edge.onConnected());
      this.#o.listener.sessionStarted();
    },
    onDisconnected: () => this.#edge.onDisconnected(),
    onMessage: (topic, payload) => this.#onMessage(topic, payload),
  };

  canPublishData(): boolean {
    return this.#edge.canPublishData();
  }

  encodeData(device: string, samples: readonly Sample[], opts: { historical?: boolean }): DataOutcome {
    return this.#edge.encodeData(device, samples, opts);
  }

  /** A source's device became reachable or not: DBIRTH or DDEATH when due. Repeated reports change nothing. */
  reachability(device: string, reachable: boolean, reason: string): void {
    if (this.#edge.reachability(device) === reachable) return;
    this.#log.info({ device, reachable, reason }, reachable ? 'device reachable' : 'device unreachable');
    const msg = reachable ? this.#edge.deviceUp(device) : this.#edge.deviceDown(device, reason);
    if (msg) this.#send([msg]);
    if (reachable) this.#o.listener.born(device);
  }

  /**
   * A configuration reload (`EdgeNode.reconfigure`): added and changed devices, the node's new properties; DDEATHs
   * of the changed devices and the births again when they are out.
   */
  reconfigure(put: readonly EdgeDeviceSpec[], properties: Readonly<Record<string, string>>): void {
    this.#send(this.#edge.reconfigure(put, properties));
  }

  /** A device removed by a reload leaves the node (DDEATH when born). */
  removeDevice(device: string): void {
    const msg = this.#edge.removeDevice(device);
    if (msg) this.#send([msg]);
  }

  /**
   * ok while births are out and data flows; degraded while connected but not born (waiting for the primary host's
   * STATE online); down without an MQTT session.
   */
  health(now = Date.now()): ComponentHealth {
    const phase = this.#edge.phase();
    const primary = this.#o.primaryHost;
    return this.#health.report(phase === 'born' ? 'ok' : phase === 'waiting' ? 'degraded' : 'down', now, {
      component: 'sparkplug',
      id: `${this.#o.site}/${this.#o.node}`,
      detail:
        phase === 'born'
          ? 'born: publishing'
          : phase === 'waiting'
            ? `connected, no births: ${primary === undefined ? 'not born' : `waiting for primary host ${primary} STATE online`}`
            : 'no MQTT session',
      counters: { ...this.#counters },
    });
  }

  /**
   * Publishes the node's own metrics (the outbox state) now, live: straight to the uplink, never through the outbox,
   * since a depth that waited in the backlog would say nothing. Nothing while births are not out (the next NBIRTH
   * carries the values). Called every `nodeMetricsIntervalMs` after births; true when it sent.
   */
  publishNodeMetrics(): boolean {
    const msg = this.#edge.nodeData();
    if (!msg) return false;
    this.#counters.nodeData++;
    this.#send([msg]);
    return true;
  }

  /** Stops the node metrics' timer (agent stop). */
  close(): void {
    clearTimeout(this.#nodeTimer);
    this.#nodeTimer = undefined;
  }

  /** The next NDATA a full interval from now; the timer stops while not born (the next births re-arm it). */
  #armNodeMetrics(): void {
    clearTimeout(this.#nodeTimer);
    const every = this.#o.nodeMetricsIntervalMs;
    if (every === undefined || every <= 0) return;
    this.#nodeTimer = setTimeout(() => {
      this.#nodeTimer = undefined;
      if (this.publishNodeMetrics()) this.#armNodeMetrics();
    }, every);
    this.#nodeTimer.unref?.();
  }

  /** The current session's NDEATH, to publish before a clean disconnect. */
  death(): OutMsg {
    return this.#edge.death();
  }

  #onMessage(topic: string, payload: Uint8Array): void {
    this.#hostWentOffline = false;
    const { out } = this.#edge.onMessage(topic, payload);
    // Primary host STATE offline while born: `out` is our NDEATH. Sparkplug 3.0: publish it, disconnect and
    // reconnect (a new session, a new bdSeq), then wait for the host's STATE online before the next births.
    if (this.#hostWentOffline && out.length > 0) {
      this.#linkOrThrow()
        .restart(out[0], 'primary host offline')
        .catch((err: unknown) => this.#log.warn({ err }, 'MQTT session restart failed'));
      return;
    }
    this.#send(out);
    this.#o.listener.wake();
  }

  #send(msgs: readonly OutMsg[]): void {
    const link = this.#linkOrThrow();
    for (const m of msgs) {
      link
        .publish(m)
        .catch((err: unknown) => this.#log.warn({ err, topic: m.topic }, 'control message not sent'));
    }
  }

  #linkOrThrow(): SessionLink {
    if (this.#link === undefined) throw new Error('EdgeNodeSession: attach(uplink) before the uplink starts');
    return this.#link;
  }

  /** The one place edge events are logged, counted and acted on. */
  #warnStateRefused(e: Extract<EdgeEvent, { type: 'state-refused' }>): void {
    const suppressedSinceLast = this.#stateLog.admit();
    if (suppressedSinceLast === undefined) return;
    this.#log.warn(
      {
        topic: e.topic,
        hostId: e.hostId,
        timestamp: e.timestamp,
        online: e.online,
        reason: e.reason,
        suppressedSinceLast,
      },
      'primary host STATE refused: beyond the clock-skew window (forged, or the host clock is wrong)',
    );
  }

  #onEvent(e: EdgeEvent): void {
    switch (e.type) {
      case 'data-refused':
        // the publisher acts on the outcome of encodeData; the entry stays in the outbox
        break;
      case 'sample-dropped':
        this.#counters.samplesUnpublishable++;
        this.#o.onDrop('SAMPLE_UNPUBLISHABLE', 1);
        this.#log.warn(
          { device: e.device, metric: e.metric, reason: e.reason },
          'sample cannot be published; dropped',
        );
        break;
      case 'command-refused':
        this.#counters.commandsRefused++;
        this.#log.warn({ topic: e.topic, device: e.device, reason: e.reason }, 'command refused');
        break;
      case 'message-ignored':
        this.#counters.messagesIgnored++;
        this.#log.debug({ topic: e.topic, reason: e.reason }, 'message ignored');
        break;
      case 'state-refused':
        this.#counters.statesRefused++;
        this.#warnStateRefused(e);
        break;
      case 'primary-host-offline':
        this.#hostWentOffline = true;
        this.#log.info(e, e.type);
        break;
      case 'births-published':
        this.#counters.births++;
        if (e.reason === 'rebirth-requested') this.#counters.rebirths++;
        this.#log.info(e, e.type);
        this.#armNodeMetrics();
        // births of a running session (rebirth, primary host online): parked data may go, report by exception
        // starts over. Births at connect are a new session, which the publisher starts over from anyway.
        if (e.reason !== 'connected') this.#o.listener.born();
        break;
      default:
        this.#log.info(e, e.type);
    }
  }
}
