/**
 * A Sparkplug B observer for the end-to-end session tests: a raw MQTT.js client subscribed to `spBv1.0/#` that
 * decodes every message with our codec AND Eclipse Tahu's `sparkplug-payload`, and checks the edge-node rules of
 * Sparkplug 3.0 on every message of one edge node (topic, seq, bdSeq, aliases, birth contents). Rule violations are
 * collected (not thrown inside MQTT callbacks) and asserted by the test.
 */
import { createRequire } from 'node:module';
import mqtt, { type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import {
  DataType,
  dataTypeName,
  decodePayload,
  parseTopic,
  retypeValue,
  SparkplugTopicError,
  type SpbPayload,
} from '../../protocols/sparkplug/index.js';
import type { CliProcess } from '../helpers/cli-process.js';

const tahuCodec = sparkplugPayload.get('spBv1.0');
if (!tahuCodec) throw new Error('no Tahu codec for spBv1.0');
export const tahu = tahuCodec;

interface RawMetric {
  name?: string;
  alias?: unknown;
  datatype?: number;
  isNull?: boolean;
  hasOwnProperty(k: string): boolean;
}
const TahuProto = (
  createRequire(import.meta.url)('sparkplug-payload/lib/sparkplugPayloadProto.js') as {
    org: {
      eclipse: {
        tahu: {
          protobuf: { Payload: { decode(b: Uint8Array): { seq?: unknown; metrics: RawMetric[] } } };
        };
      };
    };
  }
).org.eclipse.tahu.protobuf.Payload;

export interface Seen {
  /** order of arrival */
  n: number;
  topic: string;
  bytes: Buffer;
  type: string;
  device: string | undefined;
  /** decoded with our codec (undefined for STATE) */
  payload: SpbPayload | undefined;
  /** STATE JSON */
  state: { online: boolean; timestamp: number } | undefined;
  /** DDATA values, resolved through the birth's aliases and typed by its datatypes */
  data: { metric: string; value: unknown; timestamp: number }[];
}

interface DeviceBirth {
  byAlias: Map<string, { name: string; datatype: number }>;
}

export class SparkplugObserver {
  readonly seen: Seen[] = [];
  readonly violations: string[] = [];
  readonly #group: string;
  readonly #node: string;
  #client: MqttClient | undefined;
  #waiters: { match: (s: Seen) => boolean; resolve: (s: Seen) => void; reject: (e: Error) => void }[] = [];
  // edge-node session as the observer understands it
  #closing = false;
  #born = false;
  #seq: number | undefined;
  #bdSeq: bigint | undefined;
  readonly #devices = new Map<string, DeviceBirth>();
  /** name → alias, fixed for the node's lifetime (births must never re-alias a metric) */
  readonly #aliasOf = new Map<string, string>();
  /** the node metrics of the last NBIRTH, by name: what an NDATA may carry */
  readonly #nodeMetrics = new Map<string, number>();

  constructor(group: string, node: string) {
    this.#group = group;
    this.#node = node;
  }

  /** the bdSeq of the current (or last) NBIRTH */
  get bdSeq(): bigint | undefined {
    return this.#bdSeq;
  }

  async connect(url: string, opts: { username: string; password: string; protocolVersion: 4 | 5 }) {
    const client = await mqtt.connectAsync(url, {
      ...opts,
      clientId: `observer-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      reconnectPeriod: 0,
    });
    this.#client = client;
    client.on('message', (topic, payload) => this.#receive(topic, payload));
    await client.subscribeAsync(['spBv1.0/#'], { qos: 1 });
  }

  async publish(topic: string, payload: Uint8Array, qos: 0 | 1 = 0): Promise<void> {
    if (!this.#client) throw new Error('observer not connected');
    await this.#client.publishAsync(topic, Buffer.from(payload), { qos, retain: false });
  }

  async close(): Promise<void> {
    await this.#client?.endAsync(true).catch(() => undefined);
  }

  /** the first message (past, or the next ones) after `after` matching, within timeoutMs */
  waitFor(match: (s: Seen) => boolean, after = -1, timeoutMs = 120_000, what = 'a message'): Promise<Seen> {
    const m = (s: Seen) => s.n > after && match(s);
    const found = this.seen.find(m);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `timed out waiting for ${what}; last seen: ${this.seen
              .slice(-8)
              .map((s) => `${s.type}${s.device ? `:${s.device}` : ''}`)
              .join(' ')}\nviolations: ${this.violations.join('\n')}`,
          ),
        );
      }, timeoutMs);
      const done = (s: Seen) => {
        clearTimeout(t);
        resolve(s);
      };
      this.#waiters.push({
        match: m,
        resolve: done,
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
  }

  /** fail every pending wait at once when a process the test depends on exits (instead of at the deadline) */
  failOnExit(proc: CliProcess, name: string): void {
    void proc.exited.then((code) => {
      if (this.#closing) return;
      const tail = proc.lines
        .slice(-10)
        .map((l) => JSON.stringify(l))
        .join('\n');
      const err = new Error(`${name} exited (${code}) while waiting\n${tail}\n${proc.stderr().slice(-1500)}`);
      for (const w of this.#waiters.splice(0)) w.reject(err);
    });
  }

  /** the test is about to stop or kill processes on purpose */
  expectExits(): void {
    this.#closing = true;
  }

  /** the number of the last message seen so far (-1 when none) */
  get last(): number {
    return this.seen.length - 1;
  }

  #violate(s: Pick<Seen, 'n' | 'topic'>, why: string): void {
    this.violations.push(`#${s.n} ${s.topic}: ${why}`);
  }

  #receive(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    const seen: Seen = {
      n: this.seen.length,
      topic,
      bytes: payload,
      type: t instanceof SparkplugTopicError ? 'BAD_TOPIC' : t.type,
      device: t instanceof SparkplugTopicError || !('device' in t) ? undefined : t.device,
      payload: undefined,
      state: undefined,
      data: [],
    };
    this.seen.push(seen);
    try {
      if (t instanceof SparkplugTopicError) this.#violate(seen, t.message);
      else if (t.type === 'STATE') seen.state = JSON.parse(payload.toString('utf8')) as Seen['state'];
      else if (t.group === this.#group && t.node === this.#node) this.#check(seen, payload);
    } catch (err) {
      this.#violate(seen, `not checkable: ${(err as Error).message}`);
    }
    for (const w of this.#waiters.filter((x) => x.match(seen))) {
      this.#waiters = this.#waiters.filter((x) => x !== w);
      w.resolve(seen);
    }
  }

  #check(s: Seen, bytes: Buffer): void {
    const p = decodePayload(bytes);
    s.payload = p;
    const tp = tahu.decodePayload(bytes);
    const raw = TahuProto.decode(bytes);
    if (p.metrics.length !== (tp.metrics ?? []).length)
      this.#violate(s, 'Tahu sees a different metric count');
    // protobufjs puts defaults on the prototype: a seq is present only when it is an own property
    const tahuSeq = Object.hasOwn(raw, 'seq') ? Number(String(raw.seq)) : undefined;
    if (tahuSeq !== p.seq) this.#violate(s, `Tahu reads seq ${tahuSeq}, we read ${p.seq}`);
    if (s.type === 'NCMD' || s.type === 'DCMD') return; // commands come from hosts: no seq
    if (s.type === 'NDEATH') {
      if (p.seq !== undefined) this.#violate(s, 'NDEATH carries a seq');
      const bd = p.metrics.length === 1 ? p.metrics[0] : undefined;
      if (bd?.name !== 'bdSeq' || bd.datatype !== DataType.Int64)
        this.#violate(s, 'NDEATH must hold exactly the Int64 metric bdSeq');
      if (this.#bdSeq !== undefined && bd?.value !== this.#bdSeq)
        this.#violate(s, `NDEATH bdSeq ${String(bd?.value)} is not the NBIRTH's ${this.#bdSeq}`);
      this.#born = false;
      this.#devices.clear();
      return;
    }
    if (p.seq === undefined || p.seq < 0 || p.seq > 255) {
      this.#violate(s, `seq ${p.seq} missing or out of 0..255`);
      return;
    }
    if (s.type === 'NBIRTH') {
      if (p.seq !== 0) this.#violate(s, `NBIRTH seq ${p.seq} is not 0`);
      const bd = p.metrics.find((m) => m.name === 'bdSeq');
      if (bd?.datatype !== DataType.Int64 || typeof bd.value !== 'bigint')
        this.#violate(s, 'NBIRTH without an Int64 bdSeq');
      else this.#bdSeq = bd.value;
      const rebirth = p.metrics.find((m) => m.name === 'Node Control/Rebirth');
      if (rebirth?.datatype !== DataType.Boolean || rebirth.value !== false)
        this.#violate(s, 'NBIRTH without Node Control/Rebirth = false');
      const tbd = (tp.metrics ?? []).find((m) => m.name === 'bdSeq');
      if (tbd?.type !== 'Int64' || String(tbd.value) !== String(this.#bdSeq))
        this.#violate(s, 'Tahu reads a different bdSeq');
      this.#born = true;
      this.#devices.clear();
      this.#nodeMetrics.clear();
      for (const m of p.metrics) if (m.name !== undefined) this.#nodeMetrics.set(m.name, m.datatype ?? 0);
      this.#seq = 0;
      return;
    }
    if (!this.#born) this.#violate(s, `${s.type} while the node is not born`);
    if (this.#seq !== undefined && p.seq !== ((this.#seq + 1) & 0xff))
      this.#violate(s, `seq ${p.seq} after ${this.#seq}`);
    this.#seq = p.seq;
    const device = s.device ?? '';
    if (s.type === 'DBIRTH') {
      const byAlias = new Map<string, { name: string; datatype: number }>();
      const tahuByName = new Map((tp.metrics ?? []).map((m) => [m.name, m]));
      for (const m of p.metrics) {
        if (
          m.name === undefined ||
          m.alias === undefined ||
          m.datatype === undefined ||
          m.timestamp === undefined
        )
          this.#violate(s, `birth metric without name, alias, datatype or timestamp: ${String(m.name)}`);
        if (m.value === null && m.isNull !== true) this.#violate(s, `birth metric ${m.name} without a value`);
        const name = m.name ?? '';
        const alias = String(m.alias);
        if (byAlias.has(alias)) this.#violate(s, `alias ${alias} used twice in one birth`);
        const prevAlias = this.#aliasOf.get(`${device}/${name}`);
        if (prevAlias !== undefined && prevAlias !== alias)
          this.#violate(s, `${name} re-aliased from ${prevAlias} to ${alias}`);
        for (const [k, a] of this.#aliasOf)
          if (a === alias && k !== `${device}/${name}`)
            this.#violate(s, `alias ${alias} of ${k} reused by ${name}`);
        this.#aliasOf.set(`${device}/${name}`, alias);
        byAlias.set(alias, { name, datatype: m.datatype ?? 0 });
        const tm = tahuByName.get(name);
        if (!tm || tm.type !== dataTypeName(m.datatype ?? 0) || String(tm.alias) !== alias)
          this.#violate(s, `Tahu reads ${name} differently (${tm?.type} alias ${String(tm?.alias)})`);
      }
      this.#devices.set(device, { byAlias });
      return;
    }
    if (s.type === 'DDEATH') {
      if (!this.#devices.delete(device)) this.#violate(s, `DDEATH of ${device}, which is not born`);
      return;
    }
    if (s.type === 'DDATA') {
      const birth = this.#devices.get(device);
      if (!birth) {
        this.#violate(s, `DDATA of ${device} without a DBIRTH since its death`);
        return;
      }
      p.metrics.forEach((m, i) => {
        const r = raw.metrics[i];
        if (m.name !== undefined || (r !== undefined && Object.hasOwn(r, 'name')))
          this.#violate(s, `DDATA metric with a name (${m.name})`);
        if (m.datatype !== undefined || (r !== undefined && Object.hasOwn(r, 'datatype')))
          this.#violate(s, 'DDATA metric with a datatype');
        const def = m.alias === undefined ? undefined : birth.byAlias.get(String(m.alias));
        if (!def || String(r?.alias) !== String(m.alias)) {
          this.#violate(s, `DDATA alias ${String(m.alias)} unknown or read differently by Tahu`);
          return;
        }
        const v = m.isNull ? { ok: true as const, value: null } : retypeValue(m.value, def.datatype);
        if (!v.ok) this.#violate(s, `DDATA ${def.name}: ${v.reason}`);
        else s.data.push({ metric: def.name, value: v.value, timestamp: m.timestamp ?? p.timestamp ?? 0 });
      });
      return;
    }
    if (s.type === 'NDATA') {
      // node metrics (the agent's outbox state): each one the NBIRTH declared, by name (it declared no alias)
      for (const m of p.metrics) {
        const datatype = m.name === undefined ? undefined : this.#nodeMetrics.get(m.name);
        if (datatype === undefined) {
          this.#violate(s, `NDATA metric ${String(m.name ?? m.alias)} not declared in the NBIRTH`);
          continue;
        }
        const v = m.isNull ? { ok: true as const } : retypeValue(m.value, datatype);
        if (!v.ok) this.#violate(s, `NDATA ${m.name}: ${v.reason}`);
      }
      return;
    }
    this.#violate(s, `unexpected ${s.type} from the edge node`);
  }
}
