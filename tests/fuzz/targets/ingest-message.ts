/**
 * The ingester's whole message path as `plantpulse cloud` composes it (cloud/cloud.ts): `createMessageHandler`
 * with the Sparkplug host application (births kept in SQLite), the point mapper, the durable spool writer (SQLite,
 * field-type registry, dead letters) and the live feed (device registry, live bus) — given random topics and
 * Sparkplug/JSON payloads, alone or as short sessions (NBIRTH → DBIRTH → DDATA) so aliased data gets decoded.
 *
 * Rules: `handle` resolves (a rejection leaves the message unacknowledged and stalls the consumer); the host never
 * reports HOST_INTERNAL (an exception inside it); every spooled line is one line of line protocol for one of our
 * measurements (no newline smuggled in by a topic or a metric name).
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { DeviceRegistry } from '../../../cloud/api/device-registry.js';
import { IngestFeed } from '../../../cloud/api/ingest-feed.js';
import { LiveBus } from '../../../cloud/api/live-bus.js';
import { SqliteBirthStore } from '../../../cloud/host/birth-store.js';
import { HostApplication, type HostResult } from '../../../cloud/host/host-application.js';
import { DeadLetterFile } from '../../../cloud/ingest/dead-letter.js';
import { FieldTypeRegistry } from '../../../cloud/ingest/field-types.js';
import { createMessageHandler } from '../../../cloud/ingest/message-handler.js';
import { HostPointMapper } from '../../../cloud/ingest/points-from-host.js';
import { Spool } from '../../../cloud/ingest/spool.js';
import { SpoolWriter } from '../../../cloud/ingest/spool-writer.js';
import { resolveConfig } from '../../../config/load.js';
import { IngestSettings } from '../../../config/schemas/ingest.js';
import { fromBase64, shrinkBytes, toBase64 } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';
import { defineTarget, expectThat, Finding } from '../harness/target.js';
import { CORPUS, sparkplugBytes, T0 } from './sparkplug-corpus.js';
import { UNIFIED_CORPUS, unifiedBytes } from './unified-decode.js';

interface Message {
  topic: string;
  payload: Uint8Array;
}

const HOST_ID = 'fuzz-host';
const MEASUREMENTS = /^(telemetry|quality|device_status)[ ,]/;
const IDS = ['g1', 'plant-1', 'n1', 'gw', 'press-07', 'd_1', 'x'];
const ODD_IDS = ['', '+', '#', 'a/b', '\u0000', 'é😀', 'a b', 'a,b=c', 'a\nb', 'x'.repeat(300), '$SYS', '..'];
const SPB_TYPES = [
  'NBIRTH',
  'NDATA',
  'NDEATH',
  'NCMD',
  'DBIRTH',
  'DDATA',
  'DDEATH',
  'DCMD',
  'STATE',
  'XDATA',
];

function id(rng: Rng): string {
  return rng.chance(0.85) ? rng.pick(IDS) : rng.pick(ODD_IDS);
}

function topicOf(rng: Rng): string {
  return rng.weighted<() => string>([
    [
      6,
      () => {
        const type = rng.pick(SPB_TYPES);
        const device = type.startsWith('D') || rng.chance(0.1) ? `/${id(rng)}` : '';
        return `spBv1.0/${id(rng)}/${type}/${id(rng)}${device}`;
      },
    ],
    [1, () => `spBv1.0/STATE/${rng.chance(0.7) ? HOST_ID : id(rng)}`],
    [2, () => `plantpulse/v1/${id(rng)}/${id(rng)}${rng.chance(0.8) ? `/${id(rng)}` : ''}`],
    [1, () => new TextDecoder().decode(rng.bytes(rng.size(40)))],
    [1, () => `${rng.pick(['spBv1.0', 'plantpulse/v1', ''])}/${'a/'.repeat(rng.size(20))}`],
  ])();
}

function payloadFor(rng: Rng, topic: string): Uint8Array {
  if (topic.startsWith('plantpulse/')) return unifiedBytes(rng);
  if (topic.includes('/STATE/')) {
    return new TextEncoder().encode(
      rng.pick([
        '{"online":false,"timestamp":1}',
        '{"online":true}',
        'null',
        '[]',
        '{',
        '"x"',
        '{"online":0}',
      ]),
    );
  }
  return rng.chance(0.15) ? rng.pick(UNIFIED_CORPUS) : sparkplugBytes(rng);
}

/** A birth-then-data session on one node, payloads taken (and sometimes mutated) from the valid corpus. */
function session(rng: Rng): Message[] {
  const g = id(rng);
  const n = id(rng);
  const d = id(rng);
  const maybe = (b: Uint8Array) => (rng.chance(0.3) ? sparkplugBytes(rng) : b);
  const msgs: Message[] = [
    { topic: `spBv1.0/${g}/NBIRTH/${n}`, payload: maybe(CORPUS[0] as Uint8Array) },
    { topic: `spBv1.0/${g}/DBIRTH/${n}/${d}`, payload: maybe(CORPUS[1] as Uint8Array) },
    { topic: `spBv1.0/${g}/DDATA/${n}/${d}`, payload: maybe(CORPUS[2] as Uint8Array) },
    { topic: `spBv1.0/${g}/DDATA/${n}/${d}`, payload: maybe(CORPUS[3] as Uint8Array) },
    { topic: `spBv1.0/${g}/NDEATH/${n}`, payload: maybe(CORPUS[4] as Uint8Array) },
  ];
  return msgs.slice(0, rng.range(2, msgs.length));
}

function generate(rng: Rng): Message[] {
  if (rng.chance(0.3)) return session(rng);
  return Array.from({ length: rng.range(1, 3) }, () => {
    const topic = topicOf(rng);
    return { topic, payload: payloadFor(rng, topic) };
  });
}

class WatchedHost extends HostApplication {
  last: HostResult | undefined;
  override handle(topic: string, payload: Uint8Array): HostResult {
    const r = super.handle(topic, payload);
    this.last = r;
    return r;
  }
}

let handler: ReturnType<typeof createMessageHandler> | undefined;
let host: WatchedHost | undefined;
let spool: Spool | undefined;
let births: SqliteBirthStore | undefined;
const stop = new AbortController();

export const ingestMessage = defineTarget<Message[]>({
  name: 'ingest-message',
  summary: 'cloud message handler (Sparkplug host, mapper, spool, live feed) on random topics and payloads',
  shortCases: 2500,
  caseTimeoutMs: 5000,
  memoryBoundBytes: 64 * 1024 * 1024,
  generate,
  async start(env) {
    const log = pino({ level: 'silent' });
    births = SqliteBirthStore.open(join(env.workDir, 'sparkplug-births.sqlite'), log);
    // the production defaults of `ingest:`, composed as cloud/cloud.ts does (window, bounds, dead-letter cap)
    const ingest = resolveConfig(IngestSettings, {}, 'ingest');
    host = new WatchedHost({
      hostId: HOST_ID,
      births,
      maxNodes: 2000,
      maxDevicesPerNode: ingest.maxDevicesPerNode,
      maxMetricsPerDevice: ingest.maxMetricsPerDevice,
    });
    spool = Spool.open({
      file: join(env.workDir, 'spool.db'),
      maxBytes: 256 * 1024 * 1024,
      log,
      sync: 'normal',
    });
    const dead = new DeadLetterFile(join(env.workDir, 'dead-letter.jsonl'), log, ingest.deadLetter);
    const feed = new IngestFeed(new DeviceRegistry(), new LiveBus());
    const writer = new SpoolWriter({
      spool,
      types: new FieldTypeRegistry(spool),
      dead,
      direct: {
        write: () =>
          Promise.reject(new Finding('spool', 'the spool refused a write (fell back to InfluxDB)')),
      },
      log,
    });
    handler = createMessageHandler({
      host,
      mapper: new HostPointMapper({ maxDevicesPerNode: ingest.maxDevicesPerNode }),
      acceptWindow: ingest.acceptWindow,
      warnings: { max: ingest.warnings.max, windowMs: ingest.warnings.window },
      clock: () => T0,
      writer,
      dead,
      log,
      command: async () => {},
      after: (r) => feed.onHostResult(r),
    });
  },
  async run(messages) {
    if (!handler || !host || !spool) throw new Error('not started');
    for (const m of messages) {
      await handler.handle(m.topic, Buffer.from(m.payload), stop.signal);
      const internal = host.last?.problems.find((p) => p.code === 'HOST_INTERNAL');
      if (internal) throw new Finding('host-internal', internal.message);
    }
    for (let batch = spool.peek(5000); batch !== undefined; batch = spool.peek(5000)) {
      // a row is one message's lines, `\n`-joined: every one of them one line of our measurements
      for (const block of batch.blocks) {
        const lines = block.text.split('\n');
        expectThat(
          lines.length === block.lines,
          'line-protocol',
          () => `a row of ${block.lines} lines holds ${lines.length}`,
        );
        for (const line of lines)
          expectThat(MEASUREMENTS.test(line), 'line-protocol', () => `unexpected measurement: ${line}`);
      }
      expectThat(batch.damaged.length === 0, 'spool', () => `damaged rows: ${batch.damaged[0]}`);
      spool.remove(batch.upToId);
    }
  },
  async stop() {
    stop.abort();
    await spool?.close();
    births?.close();
  },
  save: (ms) => ms.map((m) => ({ topic: m.topic, base64: toBase64(m.payload) })),
  load: (s) =>
    (s as { topic: string; base64: string }[]).map((m) => ({
      topic: m.topic,
      payload: fromBase64(m.base64),
    })),
  *shrink(ms) {
    for (let i = 0; i < ms.length; i++) yield [...ms.slice(0, i), ...ms.slice(i + 1)];
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i] as Message;
      for (const p of shrinkBytes(m.payload)) yield ms.map((x, j) => (j === i ? { ...m, payload: p } : x));
    }
  },
  size: (ms) => ms.reduce((n, m) => n + m.topic.length + m.payload.length, 0),
  coverage() {
    const s = handler?.stats();
    return {
      messages: s?.messages ?? 0,
      samples: s?.samples ?? 0,
      points: s?.points ?? 0,
      rebirths: s?.problems['REBIRTH_REQUESTED'] ?? 0,
      decodeErrors: (s?.problems['SPB_DECODE'] ?? 0) + (s?.problems['UNS_DECODE'] ?? 0),
      unknownAlias: s?.problems['UNKNOWN_ALIAS'] ?? 0,
    };
  },
});
