/**
 * One Modbus read per case, by the agent's client (`ModbusClient`: modbus-serial's framers and parsers, our length
 * checks), against the hostile peer (modbus-peer.ts) over Modbus TCP or RTU over TCP, which answers as the case
 * says and then ends the connection: a client still waiting for bytes fails at once instead of timing out, so this
 * target runs the frame decoding at volume; `modbus-tcp`/`modbus-rtu` run the whole source with polls, timeouts
 * and reconnects, at a few cases a second.
 *
 * Rules: a read that resolves carries exactly the values of a well-formed answer the peer sent to that request
 * (never one from a short, long or garbled frame); one that fails is classified with one of the source's codes,
 * never as I/O hiding a program error.
 */
import { ModbusClient, type ReadFc } from '../../../agent/sources/modbus/modbus-client.js';
import { classifyModbusError } from '../../../agent/sources/modbus/modbus-failures.js';
import type { Rng } from '../harness/prng.js';
import { defineTarget, expectThat, within } from '../harness/target.js';
import { type Action, type HostilePeer, startHostilePeer, type Transport } from './modbus-peer.js';
import { action, bitsOf, CODES, wordsOf } from './modbus-response.js';

interface Case {
  transport: Transport;
  unit: number;
  fc: ReadFc;
  address: number;
  count: number;
  act: Action;
}

const peers: Partial<Record<Transport, HostilePeer>> = {};
const reached: Record<string, number> = { resolved: 0, failed: 0 };
const bump = (k: string) => {
  reached[k] = (reached[k] ?? 0) + 1;
};

function generate(rng: Rng): Case {
  const fc = rng.pick([1, 2, 3, 4] as const);
  return {
    transport: rng.chance(0.5) ? 'tcp' : 'rtu+tcp',
    unit: rng.range(1, 247),
    fc,
    address: rng.int(0x10000 - 130),
    count: fc <= 2 ? rng.range(1, rng.chance(0.2) ? 2000 : 40) : rng.range(1, rng.chance(0.2) ? 125 : 10),
    act: action(rng),
  };
}

async function run(c: Case): Promise<void> {
  const peer = peers[c.transport];
  if (!peer) throw new Error('not started');
  peer.script = () => c.act;
  peer.drain();
  const port = Number(peer.url.split(':').pop());
  const client = new ModbusClient({ kind: c.transport, host: '127.0.0.1', port }, { onDown: () => {} });
  const story = () =>
    `fc ${c.fc} unit ${c.unit} @${c.address}+${c.count} over ${c.transport}: ${c.act.kind} n=${c.act.n}`;
  try {
    await client.open(2000, new AbortController().signal);
    let data: Awaited<ReturnType<ModbusClient['read']>> | undefined;
    let error: unknown;
    try {
      data = await within(client.read(c.unit, c.fc, c.address, c.count, 1000), 3000, 'a read');
    } catch (err) {
      error = err;
    }
    const valid = peer.drain().flatMap((a) => a.valid);
    if (data === undefined) {
      bump('failed');
      const f = classifyModbusError(error, story());
      expectThat(CODES.has(f.code), 'unknown-code', () => `failure code ${f.code}: ${f.message}`);
      expectThat(
        f.code !== 'MODBUS_IO' || !/TypeError|RangeError|out of range|Cannot read|undefined/.test(f.message),
        'unclassified-error',
        () => `a program error counted as I/O: ${f.message}`,
      );
      return;
    }
    bump('resolved');
    const got = data.kind === 'bits' ? data.bits : data.words;
    const candidates = valid.map((b) => (data.kind === 'bits' ? bitsOf(b).slice(0, c.count) : wordsOf(b)));
    expectThat(
      got.length === c.count &&
        candidates.some((v) => v.length === got.length && v.every((x, i) => x === got[i])),
      'value-not-answered',
      () =>
        `read resolved with ${got.length} values ${JSON.stringify(got.slice(0, 8))}… not a well-formed answer (${story()})`,
    );
  } finally {
    client.destroy();
  }
}

export const modbusFrame = defineTarget<Case>({
  name: 'modbus-frame',
  summary: 'the agent Modbus client, one read per connection, against a hostile peer (TCP and RTU over TCP)',
  shortCases: 1000,
  caseTimeoutMs: 5000,
  memoryBoundBytes: 48 * 1024 * 1024,
  checkEvery: 1000,
  async start() {
    for (const t of ['tcp', 'rtu+tcp'] as const) {
      const p = await startHostilePeer(t);
      p.endAfterAnswer = true;
      peers[t] = p;
    }
  },
  generate,
  run,
  async stop() {
    for (const p of Object.values(peers)) await p?.close();
  },
  save: (c) => c,
  load: (s) => s as Case,
  *shrink(c) {
    if (c.act.data.length > 4) yield { ...c, act: { ...c.act, data: c.act.data.slice(0, 4) } };
    if (c.act.n > 0) yield { ...c, act: { ...c.act, n: 0 } };
    if (c.count > 1) yield { ...c, count: 1 };
  },
  size: (c) => c.count,
  coverage: () => ({ ...reached }),
});
