/**
 * The edge node's Sparkplug B 3.0 (or JSON mode) session, as a pure state machine. It does no I/O: the uplink
 * (agent/publish/uplink.ts) owns the MQTT client and drives it:
 *
 * 1. before each CONNECT: `will()` → set as the MQTT will (NDEATH carrying the bdSeq of this new session);
 * 2. on CONNACK, before subscribing: `onConnected()` → publish the births it returns (NBIRTH + every DBIRTH), or
 *    nothing while a configured primary host has not said STATE online; then subscribe (QoS 1) to `subscriptions()`;
 * 3. every received message: `onMessage(topic, payload)` → publish `out` in order, log/count `events`;
 * 4. samples from the outbox: `data(device, samples, { historical })` → publish the DDATA, ack the outbox on PUBACK;
 * 5. device health: `deviceDown(device, reason)` / `deviceUp(device)`;
 * 6. before an intentional disconnect: `death()`; on connection loss: `onDisconnected()`.
 * (agent/publish/edge-node-session.ts is that driver for the agent.)
 *
 * Events (what happened, to log and count) go through one path: the `onEvent` option, or the `takeEvents()` queue
 * without it.
 *
 * Seq (0-255, wrapping) is assigned when a message is built, so outbox replays carry the current session's seq; NBIRTH
 * is always seq 0. Aliases are assigned once, at construction, 1..n over the devices' metrics in config order (unique
 * across the node, as the spec requires). A device's tags are String metrics `Properties/<key>` of its DBIRTH only
 * (aliases after all metrics'; a configured metric of the same name wins); the host turns them into InfluxDB tags.
 *
 * Data for a device that is not born (deviceDown, or births not yet published) is refused: `encodeData()` says why
 * (`data()` returns undefined) with a `data-refused` event, the samples stay in the outbox, and the publisher
 * retries after `deviceUp` / the births. We do not auto-birth on data, because a DBIRTH must not contradict a DDEATH
 * the agent decided on. Births announce every device; a device last reported down gets its DDEATH right after them,
 * in the same output.
 *
 * `NCMD` `Node Control/Rebirth` = true republishes all births (same bdSeq, seq restarting at 0). `DCMD`, and any other
 * NCMD metric, is refused with a `command-refused` event: the agent is a read-only gateway. A valid primary host STATE
 * `online: false` makes the node stop data, returns its NDEATH and a `primary-host-offline` event asking the uplink to
 * disconnect; STATE messages older than the last one seen are ignored, and a STATE dated beyond the clock-skew
 * window (`stateClockSkewMs`) is refused (`state-refused`), so a forged far-future retained STATE cannot halt the
 * node nor outrank the real host's later STATEs.
 */
import type { Sample } from '../../protocols/sample.js';
import { decodePayload, parseTopic, SparkplugTopicError, topicFor } from '../../protocols/sparkplug/index.js';
import type { NodeMetricValue } from '../../protocols/sparkplug/outbox-metrics.js';
import { AliasCounter, addProperties, deviceState, parseState } from './edge-node-devices.js';
import { JsonEdgeWire } from './edge-node-json-wire.js';
import { PROPERTIES_PREFIX, REBIRTH_METRIC, SparkplugEdgeWire } from './edge-node-sparkplug-wire.js';
import type {
  DataOutcome,
  DataRefusal,
  DeviceState,
  EdgeDeviceSpec,
  EdgeEvent,
  EdgeNodeOptions,
  EdgeWire,
  OutMsg,
} from './edge-node-types.js';

export type { DataOutcome, EdgeEvent, EdgeNodeOptions, OutMsg } from './edge-node-types.js';

/** How far ahead of the gateway's clock a primary host STATE may be (mqtt.stateClockSkew's default). */
export const DEFAULT_STATE_CLOCK_SKEW_MS = 5 * 60_000;

export class EdgeNode {
  readonly #wire: EdgeWire;
  readonly #site: string;
  readonly #node: string;
  readonly #clock: () => number;
  readonly #primaryHost: string | undefined;
  readonly #stateTopic: string | undefined;
  readonly #devices = new Map<string, DeviceState>();
  readonly #events: EdgeEvent[] = [];
  readonly #emit: (event: EdgeEvent) => void;
  #nextBdSeq: number;
  #bdSeq: number;
  #seq = 0;
  #connected = false;
  #born = false;
  #hostOnline = false;
  #lastStateTimestamp = Number.NEGATIVE_INFINITY;
  readonly #stateSkewMs: number;
  readonly #aliases = new AliasCounter();
  #properties: { name: string; value: string }[];
  readonly #nodeMetrics: () => readonly NodeMetricValue[];

  constructor(opts: EdgeNodeOptions) {
    const qos = opts.qos ?? 1;
    this.#site = opts.site;
    this.#node = opts.node;
    this.#wire =
      (opts.format ?? 'sparkplug') === 'json'
        ? new JsonEdgeWire(opts.site, opts.node, qos)
        : new SparkplugEdgeWire(opts.site, opts.node, qos);
    this.#clock = opts.clock ?? Date.now;
    this.#stateSkewMs = opts.stateClockSkewMs ?? DEFAULT_STATE_CLOCK_SKEW_MS;
    this.#emit = opts.onEvent ?? ((e) => this.#events.push(e));
    this.#primaryHost = opts.primaryHost;
    this.#stateTopic =
      opts.primaryHost === undefined ? undefined : topicFor({ type: 'STATE', hostId: opts.primaryHost });
    this.#nextBdSeq = (opts.initialBdSeq ?? 0) & 0xff;
    this.#bdSeq = this.#nextBdSeq;
    const states = opts.devices.map((d) => deviceState(d, this.#aliases));
    for (const dev of states) this.#devices.set(dev.id, dev);
    // Property aliases come after every metric's, so adding a tag never renumbers a metric.
    opts.devices.forEach((d, i) => {
      const dev = states[i];
      if (dev) addProperties(dev, d, this.#aliases);
    });
    this.#properties = nodeProperties(opts.properties);
    this.#nodeMetrics = opts.nodeMetrics ?? (() => []);
  }

  /** The bdSeq the next `will()` will use; persist it to keep bdSeq increasing across restarts. */
  get nextBdSeq(): number {
    return this.#nextBdSeq;
  }

  /** The will (NDEATH) for the next connection; starts a new bdSeq. Call before each CONNECT. */
  will(): OutMsg {
    this.#bdSeq = this.#nextBdSeq;
    this.#nextBdSeq = (this.#nextBdSeq + 1) & 0xff;
    return this.#wire.will(this.#bdSeq, this.#clock());
  }

  /**
   * NDATA of the node's own metrics (`nodeMetrics`, their values now) while births are out; undefined otherwise
   * (nothing to say while offline or waiting for the primary host: the next NBIRTH carries the values), and in JSON.
   */
  nodeData(): OutMsg | undefined {
    if (!this.canPublishData()) return undefined;
    const metrics = this.#nodeMetrics();
    if (metrics.length === 0) return undefined;
    const msg = this.#wire.nodeData(metrics, this.#seq, this.#clock());
    if (msg) this.#advanceSeq();
    return msg;
  }

  /** The current session's NDEATH, to publish before an intentional disconnect. */
  death(): OutMsg {
    this.#born = false;
    for (const d of this.#devices.values()) d.born = false;
    return this.#wire.will(this.#bdSeq, this.#clock());
  }

  /** Topics to subscribe (QoS 1): NCMD, DCMD/+ and, with a primary host, its STATE. */
  subscriptions(): string[] {
    const topics = this.#wire.commandTopics();
    if (this.#stateTopic) topics.push(this.#stateTopic);
    return topics;
  }

  onConnected(): OutMsg[] {
    this.#connected = true;
    this.#born = false;
    this.#hostOnline = false; // the broker re-sends the retained STATE after we subscribe
    for (const d of this.#devices.values()) d.born = false;
    if (this.#primaryHost !== undefined) {
      this.#emit({ type: 'waiting-for-primary-host', hostId: this.#primaryHost });
      return [];
    }
    return this.#births('connected');
  }

  onDisconnected(): void {
    this.#connected = false;
    this.#born = false;
    for (const d of this.#devices.values()) d.born = false;
  }

  /** where the session is: no MQTT session, connected but not born (waiting for the primary host), or born */
  phase(): 'offline' | 'waiting' | 'born' {
    if (!this.#connected) return 'offline';
    return this.#born ? 'born' : 'waiting';
  }

  canPublishData(): boolean {
    return this.#connected && this.#born && (this.#primaryHost === undefined || this.#hostOnline);
  }

  /**
   * Events not yet taken (from `data`, `deviceDown`, `deviceUp`, `onConnected`); `onMessage` also returns them.
   * Always empty with an `onEvent` option: events went there.
   */
  takeEvents(): EdgeEvent[] {
    return this.#events.splice(0);
  }

  onMessage(topic: string, payload: Uint8Array): { out: OutMsg[]; events: EdgeEvent[] } {
    const out = this.#handle(topic, payload);
    return { out, events: this.takeEvents() };
  }

  /** The DDATA for an outbox entry, or undefined (see `encodeData` for why). */
  data(device: string, samples: readonly Sample[], opts: { historical?: boolean } = {}): OutMsg | undefined {
    const r = this.encodeData(device, samples, opts);
    return 'msg' in r ? r.msg : undefined;
  }

  /** The DDATA for an outbox entry, or why it cannot be published now or ever. */
  encodeData(device: string, samples: readonly Sample[], opts: { historical?: boolean } = {}): DataOutcome {
    const dev = this.#devices.get(device);
    const refusal: DataRefusal | undefined = !dev
      ? 'unknown-device'
      : !this.#connected
        ? 'not-connected'
        : this.#primaryHost !== undefined && !this.#hostOnline
          ? 'waiting-for-primary-host'
          : !this.#born || !dev.born
            ? 'device-not-born'
            : undefined;
    if (refusal || !dev) {
      const reason = refusal ?? 'unknown-device';
      this.#emit({ type: 'data-refused', device, samples: samples.length, reason });
      return { refused: reason };
    }
    const dropped = new Set<Sample>();
    const drop = (s: Sample, reason: string): void => {
      dropped.add(s);
      this.#emit({ type: 'sample-dropped', device, metric: s.metric, reason });
    };
    const mine = samples.filter((s) => {
      if (s.device === device) return true;
      drop(s, `sample of device ${s.device} given as ${device}`);
      return false;
    });
    const msg = this.#wire.deviceData(dev, mine, opts.historical ?? false, this.#seq, this.#clock(), drop);
    if (!msg) return { refused: 'nothing-publishable' };
    this.#advanceSeq();
    for (const s of mine) {
      if (dropped.has(s)) continue;
      const prev = dev.last.get(s.metric);
      if (!prev || prev.timestamp <= s.timestamp) dev.last.set(s.metric, s);
    }
    return { msg };
  }

  /** What `deviceDown` / `deviceUp` said last about a device; undefined before the first report or if unknown. */
  reachability(device: string): boolean | undefined {
    return this.#devices.get(device)?.reachable;
  }

  /**
   * The device stopped answering. DDEATH for a device that is born; undefined (nothing to publish) when it is not —
   * the next births then announce it and kill it again at once.
   */
  deviceDown(device: string, reason: string): OutMsg | undefined {
    const dev = this.#devices.get(device);
    if (dev) dev.reachable = false;
    if (!dev?.born || !this.#born) {
      if (dev) dev.born = false;
      return undefined;
    }
    dev.born = false;
    return this.#wire.deviceDeath(dev, reason, this.#nextSeq(), this.#clock());
  }

  /** DBIRTH (last known values) for a device that is down; undefined when births are not due (not connected, waiting). */
  deviceUp(device: string): OutMsg | undefined {
    const dev = this.#devices.get(device);
    if (dev) dev.reachable = true;
    if (!dev || dev.born || !this.#born) return undefined;
    dev.born = true;
    return this.#wire.deviceBirth(dev, this.#nextSeq(), this.#clock());
  }

  /**
   * A configuration reload: `put` devices are added, or replace the device of the same id (a changed device: new
   * aliases, DDEATH first when it is born); `properties` replace the node's. When births are out, returns the DDEATHs
   * and then the births again (NBIRTH with the new properties, every DBIRTH), as `Node Control/Rebirth` does: a
   * device's metric set is fixed by its DBIRTH and the config hash by the NBIRTH. Unchanged devices keep their
   * aliases, last values and reachability. Removing a device is `removeDevice`.
   */
  reconfigure(put: readonly EdgeDeviceSpec[], properties: Readonly<Record<string, string>>): OutMsg[] {
    const out: OutMsg[] = [];
    for (const d of put) {
      const old = this.#devices.get(d.id);
      if (old?.born && this.#born)
        out.push(this.#wire.deviceDeath(old, 'reconfigured', this.#nextSeq(), this.#clock()));
      const dev = deviceState(d, this.#aliases, old);
      addProperties(dev, d, this.#aliases, old);
      for (const [metric, last] of old?.last ?? []) if (dev.metrics.has(metric)) dev.last.set(metric, last);
      this.#devices.set(d.id, dev);
    }
    this.#properties = nodeProperties(properties);
    if (!this.#born) return out;
    return [...out, ...this.#births('reconfigured')];
  }

  /** The device leaves the node: its DDEATH when it is born (undefined otherwise); its data is unknown after. */
  removeDevice(device: string): OutMsg | undefined {
    const dev = this.#devices.get(device);
    if (!dev) return undefined;
    this.#devices.delete(device);
    if (!dev.born || !this.#born) return undefined;
    return this.#wire.deviceDeath(dev, 'removed', this.#nextSeq(), this.#clock());
  }

  #nextSeq(): number {
    const s = this.#seq;
    this.#advanceSeq();
    return s;
  }

  #advanceSeq(): void {
    this.#seq = (this.#seq + 1) & 0xff;
  }

  #births(reason: Extract<EdgeEvent, { type: 'births-published' }>['reason']): OutMsg[] {
    const now = this.#clock();
    this.#seq = 0;
    const out = [
      this.#wire.nodeBirth(this.#bdSeq, this.#nextSeq(), now, this.#properties, this.#nodeMetrics()),
    ];
    this.#born = true;
    let devices = 0;
    for (const d of this.#devices.values()) {
      d.born = true;
      out.push(this.#wire.deviceBirth(d, this.#nextSeq(), now));
      devices++;
    }
    // Births announce every device; one known to be unreachable gets its DDEATH right after.
    for (const d of this.#devices.values()) {
      if (d.reachable !== false) continue;
      d.born = false;
      out.push(this.#wire.deviceDeath(d, 'unreachable', this.#nextSeq(), now));
    }
    this.#emit({ type: 'births-published', reason, devices });
    return out;
  }

  #handle(topic: string, payload: Uint8Array): OutMsg[] {
    if (topic === this.#stateTopic) return this.#onState(topic, payload);
    const t = parseTopic(topic);
    if (t instanceof SparkplugTopicError) {
      this.#emit({ type: 'message-ignored', topic, reason: t.message });
      return [];
    }
    if (t.type !== 'STATE' && (t.group !== this.#site || t.node !== this.#node)) {
      this.#emit({ type: 'message-ignored', topic, reason: 'not addressed to this edge node' });
      return [];
    }
    if (t.type === 'DCMD') {
      this.#emit({
        type: 'command-refused',
        topic,
        device: t.device,
        reason: 'device writes are not supported: the agent is a read-only gateway',
      });
      return [];
    }
    if (t.type !== 'NCMD') {
      this.#emit({ type: 'message-ignored', topic, reason: `${t.type} is not for an edge node` });
      return [];
    }
    let cmd: ReturnType<typeof decodePayload>;
    try {
      cmd = decodePayload(payload);
    } catch (err) {
      this.#emit({ type: 'message-ignored', topic, reason: (err as Error).message });
      return [];
    }
    let rebirth = false;
    for (const m of cmd.metrics) {
      if (m.name === REBIRTH_METRIC && m.value === true) rebirth = true;
      else {
        const what = m.name ?? `alias ${String(m.alias)}`;
        this.#emit({
          type: 'command-refused',
          topic,
          reason: `node command ${what} is not supported`,
        });
      }
    }
    if (!rebirth) return [];
    if (!this.#connected || (this.#primaryHost !== undefined && !this.#hostOnline)) {
      this.#emit({
        type: 'message-ignored',
        topic,
        reason: 'rebirth requested before births are due',
      });
      return [];
    }
    return this.#births('rebirth-requested');
  }

  #onState(topic: string, payload: Uint8Array): OutMsg[] {
    const hostId = this.#primaryHost ?? '';
    const state = parseState(payload);
    if (typeof state === 'string') {
      this.#emit({ type: 'message-ignored', topic, reason: `bad STATE payload: ${state}` });
      return [];
    }
    const now = this.#clock();
    if (state.timestamp > now + this.#stateSkewMs) {
      this.#emit({
        type: 'state-refused',
        topic,
        hostId,
        timestamp: state.timestamp,
        online: state.online,
        reason: `timestamp ${state.timestamp} is ${state.timestamp - now} ms ahead of this gateway's clock (more than the ${this.#stateSkewMs} ms allowed)`,
      });
      return [];
    }
    if (state.timestamp < this.#lastStateTimestamp) {
      this.#emit({ type: 'message-ignored', topic, reason: 'STATE older than the last one seen' });
      return [];
    }
    this.#lastStateTimestamp = state.timestamp;
    if (state.online) {
      const was = this.#hostOnline;
      this.#hostOnline = true;
      if (!was) this.#emit({ type: 'primary-host-online', hostId, timestamp: state.timestamp });
      return this.#connected && !this.#born ? this.#births('primary-host-online') : [];
    }
    this.#hostOnline = false;
    this.#emit({ type: 'primary-host-offline', hostId, timestamp: state.timestamp, disconnect: true });
    if (!this.#born) return [];
    return [this.death()];
  }
}

function nodeProperties(p: Readonly<Record<string, string>> | undefined): { name: string; value: string }[] {
  return Object.entries(p ?? {}).map(([key, value]) => ({ name: `${PROPERTIES_PREFIX}${key}`, value }));
}
