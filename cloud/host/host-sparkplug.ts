/**
 * The Sparkplug B side of the host application: per-node sessions (bdSeq, seq), alias maps per node and per device
 * from births, and the translation of DATA metrics into samples. See host-application.ts for the data policy.
 */

import {
  checkSample,
  DEVICE_ID_PATTERN,
  type Quality,
  type SampleValue,
  sampleDataProblem,
} from '../../protocols/sample.js';
import {
  decodePayload,
  qualityOf,
  type SpbPayload,
  type SpbTopic,
  sampleValueFromMetric,
} from '../../protocols/sparkplug/index.js';
import {
  BIG_ALIAS,
  HISTORICAL,
  MetricColumns,
  NULL,
  NUMBER_VALUE,
} from '../../protocols/sparkplug/metric-columns.js';
import { decodePayloadWithProtobufjs } from '../../protocols/sparkplug/payload-codec.js';
import { readColumns } from '../../protocols/sparkplug/payload-reader.js';
import { numberFor } from '../../protocols/sparkplug/values.js';
import { bdSeqOf, emptyScope, type MetricDef, type Scope, scopeOf } from './birth-scope.js';
import type { BirthRecorder, StoredBirth } from './birth-store.js';
import { isTagProperty, nodePropertiesFromBirth, tagsFromBirth } from './device-properties.js';
import { deviceLimit, type HostLimits, metricLimit, NO_LIMITS } from './host-limits.js';
import { emptyResult, type HostResult } from './host-types.js';

/**
 * A DATA metric's name and datatype as its birth defined them (the metric itself may carry only an alias): the
 * birth's own definition, not a copy per value.
 */
type SampleDef = Pick<MetricDef, 'name' | 'datatype' | 'nameOk'>;

interface NodeSession {
  group: string;
  node: string;
  bdSeq: bigint | undefined;
  /** next expected seq; undefined until an NBIRTH of this session is seen */
  expectedSeq: number | undefined;
  self: Scope;
  devices: Map<string, Scope>;
  online: boolean;
  /** alias maps restored from the birth store at start: the next message resyncs seq and asks for a rebirth */
  restored: boolean;
  lastRebirthAt: number;
}

export type RebirthRequest = (group: string, node: string, why: string, result: HostResult) => void;

export class SparkplugHostSide {
  readonly #nodes = new Map<string, NodeSession>();
  readonly #clock: () => number;
  readonly #requestRebirth: RebirthRequest;

  readonly #maxNodes: number;
  readonly #checkSeqGaps: boolean;
  readonly #recorder: BirthRecorder | undefined;
  readonly #limits: HostLimits;
  #restoring = false;
  /** the message being handled, as columns (reused: `handle` is synchronous) */
  readonly #cols = new MetricColumns();
  /** each column row's definition for the message being handled; undefined: not a sample */
  readonly #defs: (SampleDef | undefined)[] = [];

  constructor(
    clock: () => number,
    requestRebirth: RebirthRequest,
    maxNodes: number,
    recorder?: BirthRecorder,
    checkSeq = true,
    limits: HostLimits = NO_LIMITS,
  ) {
    this.#limits = limits;
    this.#checkSeqGaps = checkSeq;
    this.#clock = clock;
    this.#requestRebirth = requestRebirth;
    this.#maxNodes = maxNodes;
    this.#recorder = recorder;
  }

  /**
   * Rebuild alias maps from births kept on disk (NBIRTHs before DBIRTHs). Only the maps and the metric catalogue
   * (`births`) come back: no samples, no status, no commands. The next message of a restored node is accepted
   * whatever its seq (the seq lost meanwhile is unknown), resyncs, and asks for a rebirth to get current values.
   */
  restore(birth: StoredBirth, parsed: Exclude<SpbTopic, { type: 'STATE' }>): HostResult {
    const r = emptyResult();
    if (parsed.type !== 'NBIRTH' && parsed.type !== 'DBIRTH') return r;
    let p: SpbPayload;
    try {
      p = decodePayload(birth.payload);
    } catch (err) {
      r.problems.push({ code: 'SPB_DECODE', message: `stored ${birth.topic}: ${(err as Error).message}` });
      return r;
    }
    const s = this.session(parsed.group, parsed.node);
    this.#restoring = true;
    try {
      if (parsed.type === 'NBIRTH') {
        this.#nbirth(s, p, birth.topic, birth.payload, r);
        s.expectedSeq = undefined;
        s.restored = true;
      } else if (s.online && 'device' in parsed) {
        this.#dbirth(s, parsed.device, p, birth.topic, birth.payload, r);
      }
    } finally {
      this.#restoring = false;
    }
    return { ...emptyResult(), births: r.births, problems: r.problems };
  }

  get nodeCount(): number {
    return this.#nodes.size;
  }

  /**
   * The session of a node, created on first sight. Memory is bounded by `maxNodes`: beyond it the oldest offline
   * session is forgotten (or the oldest one if all are online; that node's next message triggers a rebirth).
   */
  session(group: string, node: string): NodeSession {
    const key = `${group}/${node}`;
    let s = this.#nodes.get(key);
    if (!s) {
      if (this.#nodes.size >= this.#maxNodes) {
        let victim: string | undefined;
        for (const [k, v] of this.#nodes) {
          victim ??= k;
          if (!v.online) {
            victim = k;
            break;
          }
        }
        if (victim !== undefined) this.#nodes.delete(victim);
      }
      s = {
        group,
        node,
        bdSeq: undefined,
        expectedSeq: undefined,
        self: emptyScope(false),
        devices: new Map(),
        online: false,
        restored: false,
        lastRebirthAt: Number.NEGATIVE_INFINITY,
      };
      this.#nodes.set(key, s);
    }
    return s;
  }

  handle(t: Exclude<SpbTopic, { type: 'STATE' }>, topic: string, bytes: Uint8Array, r: HostResult): void {
    if (t.type === 'NCMD' || t.type === 'DCMD') return; // commands to edge nodes: not data
    if (t.type === 'NDATA' || t.type === 'DDATA') {
      this.#dataMessage(t, topic, bytes, r);
      return;
    }
    let p: SpbPayload;
    try {
      p = decodePayload(bytes);
    } catch (err) {
      r.problems.push({ code: 'SPB_DECODE', message: `${topic}: ${(err as Error).message}` });
      if (t.type !== 'NDEATH') this.#requestRebirth(t.group, t.node, `undecodable ${t.type}`, r);
      return;
    }
    const s = this.session(t.group, t.node);
    switch (t.type) {
      case 'NBIRTH':
        this.#nbirth(s, p, topic, bytes, r);
        return;
      case 'NDEATH':
        this.#ndeath(s, p, r);
        return;
      case 'DBIRTH':
        if (!this.#checkSeq(s, p.seq, p.metrics.length, topic, r)) return;
        this.#dbirth(s, t.device, p, topic, bytes, r);
        return;
      case 'DDEATH': {
        if (!this.#checkSeq(s, p.seq, p.metrics.length, topic, r)) return;
        const dev = s.devices.get(t.device);
        if (!dev && this.#overDeviceLimit(s, t.device, p.metrics.length, topic, r)) return;
        if (dev) dev.online = false;
        this.#recorder?.deviceDeath(s.group, s.node, t.device);
        r.status.push({
          site: s.group,
          node: s.node,
          device: t.device,
          online: false,
          reason: 'DDEATH',
          timestamp: p.timestamp ?? this.#clock(),
        });
        return;
      }
    }
  }

  /**
   * NDATA and DDATA, the ingester's hot path: read into the host's columns by the fast reader (protobufjs and its
   * `SpbPayload` only for what the fast reader leaves to it: metrics with properties, odd or malformed bytes).
   */
  #dataMessage(
    t: Exclude<SpbTopic, { type: 'STATE' }>,
    topic: string,
    bytes: Uint8Array,
    r: HostResult,
  ): void {
    const cols = this.#cols;
    if (!readColumns(bytes, cols)) {
      try {
        cols.fromPayload(decodePayloadWithProtobufjs(bytes), qualityOf);
      } catch (err) {
        r.problems.push({ code: 'SPB_DECODE', message: `${topic}: ${(err as Error).message}`, dropped: 1 });
        this.#requestRebirth(t.group, t.node, `undecodable ${t.type}`, r);
        return;
      }
    }
    const s = this.session(t.group, t.node);
    if (!this.#checkSeq(s, cols.seq, cols.count, topic, r)) return;
    if (!('device' in t)) {
      this.#data(s, undefined, s.self, cols, topic, r);
      return;
    }
    const dev = s.devices.get(t.device);
    if (!dev && this.#overDeviceLimit(s, t.device, cols.count, topic, r)) return;
    if (!dev?.online) {
      r.problems.push({
        code: 'NOT_BORN',
        message: `${topic}: no DBIRTH for ${t.device} in this session; ${cols.count} metrics dropped`,
        dropped: cols.count,
      });
      this.#requestRebirth(t.group, t.node, `DDATA before DBIRTH of ${t.device}`, r);
      return;
    }
    this.#data(s, t.device, dev, cols, topic, r);
  }

  /** True when the message may be processed (births known); false when it was dropped as NOT_BORN. */
  #checkSeq(s: NodeSession, seq: number | undefined, metrics: number, topic: string, r: HostResult): boolean {
    if (s.restored && s.online) {
      s.restored = false;
      if (seq !== undefined && seq >= 0 && seq <= 255) s.expectedSeq = (seq + 1) & 0xff;
      this.#requestRebirth(s.group, s.node, 'host restarted: alias maps restored from disk', r);
      return true;
    }
    if (s.expectedSeq === undefined || !s.online) {
      r.problems.push({
        code: 'NOT_BORN',
        message: `${topic}: no NBIRTH from ${s.group}/${s.node} in this session; ${metrics} metrics dropped`,
        dropped: metrics,
      });
      this.#requestRebirth(s.group, s.node, 'message before NBIRTH', r);
      return false;
    }
    if (this.#checkSeqGaps && (seq === undefined || seq !== s.expectedSeq)) {
      r.problems.push({
        code: 'SEQ_GAP',
        message: `${topic}: seq ${seq ?? 'missing'} where ${s.expectedSeq} was expected; message kept, rebirth requested`,
      });
      this.#requestRebirth(s.group, s.node, 'seq gap', r);
    }
    if (seq !== undefined && seq >= 0 && seq <= 255) s.expectedSeq = (seq + 1) & 0xff;
    return true;
  }

  #nbirth(s: NodeSession, p: SpbPayload, topic: string, bytes: Uint8Array, r: HostResult): void {
    s.bdSeq = bdSeqOf(p);
    if (p.seq !== 0) {
      r.problems.push({
        code: 'SEQ_GAP',
        message: `NBIRTH of ${s.group}/${s.node} has seq ${p.seq ?? 'missing'}, not 0`,
      });
    }
    s.expectedSeq = ((p.seq ?? 0) + 1) & 0xff;
    s.online = true;
    s.restored = false;
    if (!this.#restoring) this.#recorder?.nodeBirth(s.group, s.node, { topic, payload: bytes });
    s.devices.clear(); // a new NBIRTH invalidates every device birth: each device rebirths after it
    const { scope, infos, skipped, refused } = scopeOf(p.metrics, this.#limits.maxMetricsPerDevice);
    s.self = scope;
    this.#metricLimit(`${s.group}/${s.node}`, refused, r);
    const ts = p.timestamp ?? this.#clock();
    r.status.push({ site: s.group, node: s.node, online: true, reason: 'NBIRTH', timestamp: ts });
    r.births.push({
      site: s.group,
      node: s.node,
      metrics: infos,
      properties: nodePropertiesFromBirth(p.metrics),
    });
    for (const why of skipped)
      r.problems.push({ code: 'UNSUPPORTED_METRIC', message: `${s.group}/${s.node}: ${why}` });
    this.#birthSamples(s, undefined, scope, p, r);
  }

  #dbirth(
    s: NodeSession,
    device: string,
    p: SpbPayload,
    topic: string,
    bytes: Uint8Array,
    r: HostResult,
  ): void {
    if (!s.devices.has(device) && this.#overDeviceLimit(s, device, p.metrics.length, topic, r)) return;
    const { scope, infos, skipped, refused } = scopeOf(p.metrics, this.#limits.maxMetricsPerDevice);
    this.#metricLimit(`${s.group}/${s.node}/${device}`, refused, r);
    const { tags, rejected } = tagsFromBirth(p.metrics);
    s.devices.set(device, scope);
    if (!this.#restoring) this.#recorder?.deviceBirth(s.group, s.node, device, { topic, payload: bytes });
    const ts = p.timestamp ?? this.#clock();
    r.status.push({ site: s.group, node: s.node, device, online: true, reason: 'DBIRTH', timestamp: ts });
    r.births.push({ site: s.group, node: s.node, device, metrics: infos, tags });
    for (const why of skipped) {
      r.problems.push({ code: 'UNSUPPORTED_METRIC', message: `${s.group}/${s.node}/${device}: ${why}` });
    }
    for (const why of rejected) {
      r.problems.push({
        code: 'BAD_PROPERTY',
        message: `${s.group}/${s.node}/${device}: ${why}; tag not applied`,
      });
    }
    this.#birthSamples(s, device, scope, p, r);
  }

  /**
   * A device the node has not announced, with the node at `maxDevicesPerNode`: refused (DEVICE_LIMIT), its metrics
   * counted as dropped, no rebirth asked (it would bring the same devices). The known devices keep working.
   */
  #overDeviceLimit(s: NodeSession, device: string, metrics: number, topic: string, r: HostResult): boolean {
    if (s.devices.size < this.#limits.maxDevicesPerNode) return false;
    r.problems.push(deviceLimit(topic, `${s.group}/${s.node}`, s.devices.size, device, metrics));
    return true;
  }

  #metricLimit(where: string, refused: number, r: HostResult): void {
    if (refused > 0)
      r.problems.push(
        metricLimit(where, refused, `the birth has more than ${this.#limits.maxMetricsPerDevice}`),
      );
  }

  /** Birth values are current values: known ones become samples; `is_null` ones (nothing read yet) do not. */
  #birthSamples(
    s: NodeSession,
    device: string | undefined,
    scope: Scope,
    p: SpbPayload,
    r: HostResult,
  ): void {
    const cols = this.#cols.fromPayload(p, qualityOf);
    const defs = this.#defs;
    defs.length = 0;
    for (const m of p.metrics) {
      const name = m.name;
      const own = name === undefined ? undefined : scope.byName.get(name);
      defs.push(
        own === undefined || m.datatype === undefined || isTagProperty(m) || m.value === null || m.isNull
          ? undefined
          : // the metric's own datatype, its name as the birth's scope checked it
            { name: own.name, datatype: m.datatype, nameOk: own.nameOk },
      );
    }
    this.#toSamples(
      s,
      device,
      cols,
      p.timestamp,
      `${s.group}/${s.node}${device ? `/${device}` : ''} birth`,
      r,
    );
  }

  #ndeath(s: NodeSession, p: SpbPayload, r: HostResult): void {
    const bdSeq = bdSeqOf(p);
    if (s.bdSeq !== undefined && bdSeq !== s.bdSeq) {
      r.problems.push({
        code: 'STALE_NDEATH',
        message: `NDEATH of ${s.group}/${s.node} with bdSeq ${bdSeq ?? 'missing'} does not match the birth's ${s.bdSeq}: ignored`,
      });
      return;
    }
    const now = this.#clock();
    for (const [device, dev] of s.devices) {
      if (!dev.online) continue;
      dev.online = false;
      r.status.push({
        site: s.group,
        node: s.node,
        device,
        online: false,
        reason: 'NDEATH (edge node offline)',
        timestamp: now,
      });
    }
    s.online = false;
    s.restored = false;
    s.expectedSeq = undefined;
    this.#recorder?.nodeDeath(s.group, s.node);
    r.status.push({ site: s.group, node: s.node, online: false, reason: 'NDEATH', timestamp: now });
  }

  #data(
    s: NodeSession,
    device: string | undefined,
    scope: Scope,
    cols: MetricColumns,
    topic: string,
    r: HostResult,
  ): void {
    // each row's definition from the birth (the metric itself may carry only an alias): no copy per value
    const defs = this.#defs;
    defs.length = cols.count;
    let unknown = 0;
    let overLimit = 0;
    let properties = 0;
    for (let i = 0; i < cols.count; i++) {
      const alias = cols.alias[i] as number;
      const name = cols.name[i];
      const def =
        alias >= 0
          ? scope.byAlias.get(alias)
          : alias === BIG_ALIAS
            ? scope.byBigAlias.get(cols.bigAlias.get(i) as bigint)
            : name !== undefined
              ? scope.byName.get(name)
              : undefined;
      defs[i] = undefined;
      if (!def) {
        if (scope.overLimit) overLimit++;
        else unknown++;
        continue;
      }
      if (def.property) {
        properties++;
        continue;
      }
      defs[i] = def;
    }
    if (unknown > 0) {
      r.problems.push({
        code: 'UNKNOWN_ALIAS',
        message: `${topic}: ${unknown} metrics with an alias/name not in the birth dropped; rebirth requested`,
        dropped: unknown,
      });
      this.#requestRebirth(s.group, s.node, 'unknown alias', r);
    }
    if (overLimit > 0)
      r.problems.push(metricLimit(topic, overLimit, 'not in the birth, which had more than the bound'));
    if (properties > 0) {
      r.problems.push({
        code: 'UNSUPPORTED_METRIC',
        message: `${topic}: ${properties} device properties (tags) in a DATA message dropped: tags change with a birth`,
        dropped: properties,
      });
    }
    this.#toSamples(s, device, cols, cols.timestamp, topic, r);
  }

  /** The rows of `cols` that `#defs` defines, as samples into `r.samples`: no object per value on the way. */
  #toSamples(
    s: NodeSession,
    device: string | undefined,
    cols: MetricColumns,
    payloadTs: number | undefined,
    where: string,
    r: HostResult,
  ): void {
    const defs = this.#defs;
    const fallbackTs = payloadTs ?? this.#clock();
    const sampleDevice = device ?? s.node;
    // the names are checked once: the device here, each metric's at its birth (checkSample on a failure, for the why)
    const deviceOk = DEVICE_ID_PATTERN.test(sampleDevice);
    const site = s.group;
    const node = s.node;
    const out = r.samples;
    for (let i = 0; i < cols.count; i++) {
      const def = defs[i];
      if (def === undefined) continue;
      const flags = cols.flags[i] as number;
      // most values are a number of a floating-point or small integer metric: no result object for those
      let value: SampleValue | undefined =
        (flags & NULL) !== 0
          ? null
          : cols.kind[i] === NUMBER_VALUE
            ? numberFor(cols.num[i] as number, def.datatype)
            : undefined;
      if (value === undefined) {
        const v = sampleValueFromMetric(cols.value(i), def.datatype);
        if (!v.ok) {
          r.problems.push({
            code: 'BAD_VALUE',
            message: `${where}: metric ${def.name}: ${v.reason}`,
            dropped: 1,
          });
          continue;
        }
        value = v.value;
      }
      const quality: Quality = value === null ? 'bad' : cols.qualityOf(i);
      const t = cols.time[i] as number;
      const timestamp = Number.isNaN(t) ? fallbackTs : t;
      const historical = (flags & HISTORICAL) !== 0;
      const bad =
        deviceOk && def.nameOk
          ? sampleDataProblem(value, timestamp, quality)
          : checkSample({ device: sampleDevice, metric: def.name, value, timestamp, quality });
      if (bad) {
        r.problems.push({ code: 'BAD_SAMPLE', message: `${where}: ${bad.code}: ${bad.message}`, dropped: 1 });
        continue;
      }
      out.add(site, node, sampleDevice, def.name, value, timestamp, quality, historical);
    }
  }
}
