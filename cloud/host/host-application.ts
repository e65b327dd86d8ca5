/**
 * The cloud's Sparkplug B 3.0 Host Application (and JSON-mode consumer), as a pure state machine. The ingester
 * (cloud/ingester*.ts) owns the MQTT client: it connects with `willMessage()` as the will, publishes
 * `onlineMessage()`, subscribes (QoS 1) to `subscriptions()`, feeds every message to `handle()`, publishes
 * `commands`, writes `samples` and `status`, and logs/counts `problems`. `handle` never throws.
 *
 * Data policy (also in docs/sparkplug.md):
 * - Births (NBIRTH/DBIRTH) define the alias maps, per node and per device; a new NBIRTH clears the node's device
 *   maps. Birth values that are not `is_null` are emitted as samples (storage is idempotent, so a repeated value
 *   overwrites itself).
 * - Seq gap (or a missing seq): the message is still processed, because its aliases still resolve against the
 *   birth and a lost message is lost data, not wrong data; a SEQ_GAP problem is reported, the expected seq resyncs
 *   to the message, and a Rebirth NCMD is requested.
 * - Unknown alias, DATA before the node's NBIRTH or the device's DBIRTH, undecodable payload: those metrics cannot
 *   be named or typed, so they are dropped, reported with their count (`dropped`), and a Rebirth NCMD is requested.
 *   The rebirth brings current values, not the dropped ones.
 * - Rebirth requests are rate-limited: at most one per node per `rebirthIntervalMs` (default 10 s); suppressed
 *   ones are still reported as problems.
 * - NDEATH only takes the node (and its devices) offline when its bdSeq matches the NBIRTH's (else STALE_NDEATH).
 *   DDEATH takes the device offline. Node-level metrics become samples of a device named after the node.
 * - Values that do not fit their birth datatype, or datatypes a Sample cannot hold (arrays, DataSet, Template,
 *   Bytes), are dropped and reported (BAD_VALUE / UNSUPPORTED_METRIC); samples that fail `checkSample`
 *   (e.g. a foreign metric name outside [A-Za-z0-9_]) are dropped as BAD_SAMPLE.
 * - Bounds (`maxDevicesPerNode`, `maxMetricsPerDevice`): a DBIRTH of one device more than the bound is refused
 *   (DEVICE_LIMIT, its metrics counted as dropped, no rebirth asked: it would bring the same), and so is that
 *   device's DATA; the metrics of a birth past the bound are refused (METRIC_LIMIT), the first ones kept. The devices
 *   and metrics already known keep working. A new NBIRTH starts the node's count afresh.
 * - STATE: our own STATE seen offline (a late will) makes us republish online; other hosts' STATE is ignored.
 * - Restart: with a `births` recorder the last NBIRTH/DBIRTH of each node/device is kept on disk; `restore()` at
 *   start rebuilds the alias maps so queued aliased data decodes at once, and the node is still asked to rebirth.
 */
import {
  DataType,
  encodePayload,
  parseTopic,
  SparkplugTopicError,
  topicFor,
} from '../../protocols/sparkplug/index.js';
import { parseUnifiedTopic, UNIFIED_ROOT, UnifiedTopicError } from '../../protocols/unified/index.js';
import type { StoredBirth } from './birth-store.js';
import { JsonHostSide } from './host-json.js';
import { hostLimits } from './host-limits.js';
import { SparkplugHostSide } from './host-sparkplug.js';
import { emptyResult, type HostApplicationOptions, type HostResult, type OutMsg } from './host-types.js';

export type {
  BirthInfo,
  DeviceStatus,
  HostApplicationOptions,
  HostProblem,
  HostResult,
  HostSample,
  OutMsg,
} from './host-types.js';

const REBIRTH = 'Node Control/Rebirth';

export class HostApplication {
  readonly #hostId: string;
  readonly #clock: () => number;
  readonly #format: 'sparkplug' | 'json';
  readonly #rebirthIntervalMs: number;
  readonly #stateTopic: string;
  readonly #spb: SparkplugHostSide;
  readonly #json: JsonHostSide;
  #sessionTimestamp: number | undefined;

  constructor(opts: HostApplicationOptions) {
    this.#hostId = opts.hostId;
    this.#clock = opts.clock ?? Date.now;
    this.#format = opts.format ?? 'sparkplug';
    this.#rebirthIntervalMs = opts.rebirthIntervalMs ?? 10_000;
    this.#stateTopic = topicFor({ type: 'STATE', hostId: opts.hostId });
    const maxNodes = opts.maxNodes ?? 10_000;
    const limits = hostLimits(opts);
    this.#spb = new SparkplugHostSide(
      this.#clock,
      (g, n, why, r) => this.#requestRebirth(g, n, why, r),
      maxNodes,
      opts.births,
      opts.checkSeq ?? true,
      limits,
    );
    this.#json = new JsonHostSide(this.#clock, maxNodes, limits);
  }

  stateTopic(): string {
    return this.#stateTopic;
  }

  /**
   * The will for the next connection: STATE `{online: false, timestamp}`, QoS 1, retained. Call before each
   * CONNECT; `onlineMessage()` then carries the same timestamp, as Sparkplug 3.0 requires.
   */
  willMessage(): OutMsg {
    this.#sessionTimestamp = this.#clock();
    return this.#state(false, this.#sessionTimestamp);
  }

  /** STATE `{online: true, timestamp}`, QoS 1, retained: publish right after CONNACK. */
  onlineMessage(): OutMsg {
    this.#sessionTimestamp ??= this.#clock();
    return this.#state(true, this.#sessionTimestamp);
  }

  /** Edge nodes currently tracked (Sparkplug sessions); bounded by `maxNodes`. */
  get trackedNodes(): number {
    return this.#spb.nodeCount;
  }

  /**
   * Restore alias maps from births kept across a restart (`SqliteBirthStore.load()`), before the first message.
   * Returns what they announce (`births`, for the metric catalogue) and `problems` for stored births that no
   * longer decode; no samples, status or commands. Each restored node is asked for a rebirth at its next message.
   */
  restore(births: readonly StoredBirth[]): HostResult {
    const out = emptyResult();
    for (const b of births) {
      const t = parseTopic(b.topic);
      if (t instanceof SparkplugTopicError || t.type === 'STATE') {
        out.problems.push({ code: 'SPB_TOPIC', message: `stored birth with a bad topic: ${b.topic}` });
        continue;
      }
      const r = this.#spb.restore(b, t);
      out.births.push(...r.births);
      out.problems.push(...r.problems);
    }
    return out;
  }

  subscriptions(): string[] {
    return this.#format === 'json' ? [`${UNIFIED_ROOT}/#`] : ['spBv1.0/#'];
  }

  handle(topic: string, payload: Uint8Array): HostResult {
    const r = emptyResult();
    try {
      this.#dispatch(topic, payload, r);
    } catch (err) {
      r.problems.push({
        code: 'HOST_INTERNAL',
        message: `${String(topic)}: ${(err as Error)?.message ?? String(err)}`,
      });
    }
    return r;
  }

  #dispatch(topic: string, payload: Uint8Array, r: HostResult): void {
    if (typeof topic === 'string' && topic.startsWith(`${UNIFIED_ROOT}/`)) {
      const t = parseUnifiedTopic(topic);
      if (t instanceof UnifiedTopicError) r.problems.push({ code: t.code, message: t.message });
      else this.#json.handle(t, topic, payload, r);
      return;
    }
    const t = parseTopic(topic);
    if (t instanceof SparkplugTopicError) {
      r.problems.push({
        code: t.code,
        message: `${t.message}: ${JSON.stringify(String(topic).slice(0, 200))}`,
      });
      return;
    }
    if (t.type === 'STATE') {
      if (t.hostId === this.#hostId) this.#ownState(payload, r);
      return;
    }
    this.#spb.handle(t, topic, payload, r);
  }

  #ownState(payload: Uint8Array, r: HostResult): void {
    let online: unknown;
    try {
      online = (JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as { online?: unknown })
        ?.online;
    } catch {
      r.problems.push({ code: 'BAD_STATE', message: `${this.#stateTopic}: payload is not STATE JSON` });
      return;
    }
    if (online === false) r.commands.push(this.onlineMessage());
  }

  #state(online: boolean, timestamp: number): OutMsg {
    const payload = new TextEncoder().encode(JSON.stringify({ online, timestamp }));
    return { topic: this.#stateTopic, payload, qos: 1, retain: true };
  }

  #requestRebirth(group: string, node: string, why: string, r: HostResult): void {
    const s = this.#spb.session(group, node);
    const now = this.#clock();
    if (now - s.lastRebirthAt < this.#rebirthIntervalMs) return;
    s.lastRebirthAt = now;
    const payload = encodePayload({
      timestamp: now,
      metrics: [{ name: REBIRTH, timestamp: now, datatype: DataType.Boolean, value: true }],
    });
    r.commands.push({ topic: topicFor({ type: 'NCMD', group, node }), payload, qos: 0, retain: false });
    r.problems.push({
      code: 'REBIRTH_REQUESTED',
      message: `rebirth requested from ${group}/${node}: ${why}`,
    });
  }
}
