/**
 * Raw bytes over TCP into the embedded broker (`startEmbeddedBroker`, cloud/broker/embedded-broker.ts: aedes with
 * our authentication and ACL) on 127.0.0.1: each case is one connection carrying random bytes, well-formed packets
 * (CONNECT with good or bad credentials, PUBLISH, SUBSCRIBE, acks, PINGREQ…) cut short, mutated or claiming a
 * remaining length they do not have (up to 268,435,455), or a broken remaining-length varint. Then the case closes
 * its side.
 *
 * Rules: the broker closes every such connection once the client has (nothing left half-open); the process does
 * not die; a well-behaved client connected from the start keeps publishing and receiving, and no fuzz connection is
 * still counted as a client afterwards (liveness).
 *
 * One case kind in a few hundred holds a CONNECT that declares 268,435,455 bytes and sends 4 MiB of it, then
 * measures what the broker keeps for that one unauthenticated connection: aedes (mqtt-packet) alone buffers a packet
 * until its declared length arrives; the broker's packet-size limit (cloud/broker/packet-limit.ts) closes the
 * connection once the declared length is over `maxPacketBytes`, and the rule `partial-connect-buffered` holds it to that.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { type RunningBroker, startEmbeddedBroker } from '../../../cloud/broker/embedded-broker.js';
import { hashSecret } from '../../../config/password-hash.js';
import { brokerConfig } from '../../helpers/configs.js';
import { concat, fromBase64, hexPreview, mutate, toBase64 } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';
import { defineTarget, expectThat, Finding, within } from '../harness/target.js';
import * as w from './mqtt-wire.js';

const USER = 'fuzz';
const PASS = 'fuzz-pass-0123';
const FAST = { N: 1024, r: 8, p: 1 };
const TOPICS = [
  'fuzz/a',
  'fuzz/b/c',
  'spBv1.0/g/NDATA/n',
  'fuzz/+/x',
  'fuzz/#',
  '$SYS/x',
  'other/t',
  '#',
  '',
  '/',
  'a'.repeat(300),
];
/** what one unauthenticated connection may hold of a partial packet before it counts as buffered */
const HELD_BOUND = 1024 * 1024;
const HELD_SENT = 4 * 1024 * 1024;

type Input = { kind: 'bytes'; segments: Uint8Array[] } | { kind: 'held-connect' };

function credentials(rng: Rng): { username?: string; password?: string } {
  return rng.weighted<{ username?: string; password?: string }>([
    [6, { username: USER, password: PASS }],
    [1, { username: USER, password: 'wrong' }],
    [1, { username: 'nobody', password: PASS }],
    [1, { username: USER }],
    [1, {}],
  ]);
}

function aPacket(rng: Rng): Uint8Array {
  const id = rng.int(0x10000);
  const topic = rng.chance(0.9) ? rng.pick(TOPICS) : Buffer.from(rng.bytes(rng.size(40))).toString('latin1');
  return rng.weighted<() => Uint8Array>([
    [6, () => w.publish(topic, rng.bytes(rng.size(600)), rng.int(3), id, rng.chance(0.1))],
    [3, () => w.subscribe(id, [[topic, rng.int(4)]])],
    [1, () => w.unsubscribe(id, [topic])],
    [2, () => w.ack(rng.pick([0x40, 0x50, 0x62, 0x70]), id)],
    [2, () => w.PINGREQ],
    [1, () => w.DISCONNECT],
    [1, () => w.packet(rng.int(256), rng.bytes(rng.size(64)))],
    [1, () => w.connect({ clientId: 'again', keepalive: 10, clean: true, username: USER, password: PASS })],
  ])();
}

function aConnect(rng: Rng): Uint8Array {
  return w.connect({
    clientId: rng.chance(0.9)
      ? `fz-${rng.int(1e6)}`
      : Buffer.from(rng.bytes(rng.size(30))).toString('latin1'),
    keepalive: rng.chance(0.8) ? rng.range(0, 120) : rng.int(0x10000),
    clean: rng.chance(0.8),
    ...credentials(rng),
    ...(rng.chance(0.15)
      ? {
          will: {
            topic: rng.pick(TOPICS),
            payload: rng.bytes(rng.size(50)),
            qos: rng.int(4),
            retain: rng.chance(0.3),
          },
        }
      : {}),
    ...(rng.chance(0.05) ? { level: rng.pick([3, 5, 0, 255]) } : {}),
    ...(rng.chance(0.05) ? { flags: rng.int(256) } : {}),
  });
}

/** A fixed header whose remaining length is far more than follows, or a varint that never ends. */
function hugeHeader(rng: Rng): Uint8Array {
  if (rng.chance(0.2))
    return concat(Uint8Array.of(rng.pick([0x10, 0x30, 0x82])), new Uint8Array(rng.range(4, 8)).fill(0xff));
  const claimed = rng.chance(0.5) ? w.MAX_REMAINING : rng.range(1000, w.MAX_REMAINING);
  return w.packet(
    rng.pick([0x10, 0x30, 0x32, 0x82, 0xc0, 0xe0, 0x00, 0xf0]),
    rng.bytes(rng.size(200)),
    claimed,
  );
}

function generate(rng: Rng): Input {
  if (rng.chance(1 / 400)) return { kind: 'held-connect' };
  const segments: Uint8Array[] = [];
  const plan = rng.weighted<() => void>([
    [2, () => segments.push(rng.bytes(rng.size(300)))],
    [
      6,
      () => {
        segments.push(aConnect(rng));
        for (let i = rng.int(6); i > 0; i--) segments.push(aPacket(rng));
      },
    ],
    [2, () => segments.push(aConnect(rng), hugeHeader(rng))],
    [2, () => segments.push(hugeHeader(rng))],
  ]);
  plan();
  // damage: mutate one segment, cut the last, or glue all into one write
  if (rng.chance(0.4) && segments.length > 0) {
    const i = rng.int(segments.length);
    segments[i] = mutate(rng, segments[i] as Uint8Array, 4);
  }
  if (rng.chance(0.25) && segments.length > 0) {
    const last = segments.pop() as Uint8Array;
    segments.push(last.subarray(0, rng.int(last.length + 1)));
  }
  return { kind: 'bytes', segments: rng.chance(0.3) ? [concat(...segments)] : segments };
}

function settledExternal(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().arrayBuffers;
}

let broker: RunningBroker | undefined;
let watcher: mqtt.MqttClient | undefined;
let port = 0;
const reached: Record<string, number> = { connections: 0, closedByBroker: 0, heldProbes: 0 };
const bump = (k: string) => {
  reached[k] = (reached[k] ?? 0) + 1;
};

function dial(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

async function sendAndClose(segments: readonly Uint8Array[]): Promise<void> {
  const s = await dial();
  bump('connections');
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
  s.on('error', () => {}); // the broker may reset a connection it refuses: that is its right
  let brokerEnded = false;
  s.once('end', () => {
    brokerEnded = true;
  });
  s.resume(); // read (and drop) CONNACK, SUBACK…: a full receive window must not stall the broker
  for (const seg of segments) {
    if (s.destroyed) break;
    s.write(seg);
    if (segments.length > 1) await new Promise<void>((r) => setImmediate(r));
  }
  if (!s.destroyed) s.end();
  await within(closed, 5000, 'the broker closing a connection the client has closed');
  if (brokerEnded) bump('closedByBroker');
}

/** A CONNECT declaring the largest length, 4 MiB of it sent: how much does the broker hold while it waits? */
async function heldConnect(): Promise<void> {
  bump('heldProbes');
  const before = settledExternal();
  const s = await dial();
  s.on('error', () => {});
  let closed = false;
  s.once('close', () => {
    closed = true;
  });
  const chunk = Buffer.alloc(64 * 1024, 0x41); // one buffer written again and again: our side holds 64 KiB
  s.write(w.packet(0x10, new Uint8Array(0), w.MAX_REMAINING));
  for (let sent = 0; sent < HELD_SENT && !closed; sent += chunk.length) s.write(chunk);
  // the broker runs in this process: give it the time to read what the kernel holds, or to refuse it
  let held = 0;
  for (let i = 0; i < 100 && !closed; i++) {
    if (process.memoryUsage().arrayBuffers - before > HELD_SENT * 0.9) break;
    await sleep(10);
  }
  if (!closed) held = settledExternal() - before;
  s.destroy();
  expectThat(
    held <= HELD_BOUND,
    'partial-connect-buffered',
    () =>
      `a CONNECT declaring ${w.MAX_REMAINING} bytes: ${(held / 1024 / 1024).toFixed(1)} MiB of the ${
        HELD_SENT / 1024 / 1024
      } MiB sent held by the broker for one unauthenticated connection (bound ${HELD_BOUND / 1024 / 1024} MiB)`,
  );
}

export const mqttBroker = defineTarget<Input>({
  name: 'mqtt-broker',
  summary: 'embedded broker (aedes + our auth/ACL) fed raw, cut, mutated and over-long MQTT packets over TCP',
  shortCases: 400,
  caseTimeoutMs: 8000,
  memoryBoundBytes: 48 * 1024 * 1024,
  checkEvery: 500,
  async start() {
    const log = pino({ level: 'silent' });
    const users = [
      {
        username: USER,
        passwordHash: hashSecret(PASS, FAST),
        publish: ['fuzz/#', 'spBv1.0/#'],
        subscribe: ['fuzz/#', 'spBv1.0/#'],
      },
    ];
    broker = await startEmbeddedBroker(brokerConfig({ host: '127.0.0.1', port: 0, users }), log);
    port = broker.port;
    watcher = await mqtt.connectAsync(broker.url, {
      username: USER,
      password: PASS,
      clientId: 'fuzz-watcher',
      reconnectPeriod: 0,
    });
    await watcher.subscribeAsync('fuzz/liveness/#', { qos: 1 });
  },
  generate,
  async run(input) {
    if (input.kind === 'held-connect') return heldConnect();
    await sendAndClose(input.segments);
  },
  async liveness() {
    const c = watcher;
    if (!broker || !c) throw new Error('not started');
    expectThat(c.connected, 'watcher-dropped', () => 'the well-behaved client was disconnected');
    const token = `alive-${Date.now()}-${Math.random()}`;
    const got = new Promise<void>((resolve) => {
      const on = (_t: string, payload: Buffer) => {
        if (payload.toString() !== token) return;
        c.off('message', on);
        resolve();
      };
      c.on('message', on);
    });
    await c.publishAsync('fuzz/liveness/ping', token, { qos: 1 });
    await within(got, 10_000, 'the well-behaved client receiving its own message');
    // aedes counts a client until its close has run: let closes in progress finish
    const b = broker;
    for (let i = 0; i < 50 && b.stats().clients > 1; i++) await sleep(20);
    const left = b.stats().clients;
    if (left > 1)
      throw new Finding('clients-left', `${left - 1} fuzz connection(s) still counted as clients`);
  },
  async stop() {
    await watcher?.endAsync(true);
    await broker?.close();
  },
  save: (x) =>
    x.kind === 'held-connect'
      ? x
      : { kind: 'bytes', segments: x.segments.map((s) => ({ base64: toBase64(s), hex: hexPreview(s, 64) })) },
  load: (s) => {
    const x = s as { kind: 'held-connect' } | { kind: 'bytes'; segments: { base64: string }[] };
    return x.kind === 'held-connect'
      ? x
      : { kind: 'bytes', segments: x.segments.map((g) => fromBase64(g.base64)) };
  },
  *shrink(x) {
    if (x.kind !== 'bytes') return;
    for (let i = 0; i < x.segments.length; i++) {
      yield { kind: 'bytes', segments: x.segments.filter((_, j) => j !== i) };
    }
    for (let i = 0; i < x.segments.length; i++) {
      const s = x.segments[i] as Uint8Array;
      if (s.length > 1) {
        yield {
          kind: 'bytes',
          segments: x.segments.map((t, j) => (j === i ? s.subarray(0, s.length >> 1) : t)),
        };
      }
    }
  },
  size: (x) => (x.kind === 'held-connect' ? HELD_SENT : x.segments.reduce((n, s) => n + s.length, 0)),
  coverage: () => ({ ...reached }),
});
