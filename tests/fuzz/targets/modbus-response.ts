/**
 * The agent's Modbus source (planner, line queue, modbus-serial client, decoding) against a hostile peer on
 * 127.0.0.1 (modbus-peer.ts), over Modbus TCP and RTU over TCP. Each case is one poll of four requests (holding,
 * input, coils, a discrete input), each answered as the case says. Reconnects follow the poll runner's rule
 * (`reconnectAfterFailures` polls in a row with a link fault).
 *
 * Rules: a good value equals the value in a well-formed answer the peer sent to that very request (never one
 * from a short, long, garbled or other request's answer); a bad value has a failure naming it, with one of the
 * source's codes; the line keeps serving: every few hundred cases the peer turns honest and a poll must come back
 * all good within a few attempts.
 */
import { pino } from 'pino';
import { createModbusSource, type ModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import type { ReadResult } from '../../../agent/sources/source.js';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import { decodeBit, decodePoint } from '../../../protocols/modbus/register-codec.js';
import type { ReadRequest } from '../../../protocols/modbus/request-planner.js';
import type { Sample } from '../../../protocols/sample.js';
import { deviceConfig } from '../../integration/modbus/helpers.js';
import type { Rng } from '../harness/prng.js';
import { type AnyTarget, defineTarget, expectThat, Finding } from '../harness/target.js';
import {
  ACTIONS,
  type Action,
  type ActionKind,
  type Answered,
  type HostilePeer,
  startHostilePeer,
  type Transport,
} from './modbus-peer.js';

const UNIT = 7;
const TIMEOUT = '15ms';
const RECONNECT_AFTER = 3;

const POINTS: ModbusPointSpec[] = [
  { name: 'h0', table: 'holding', address: 0, type: 'uint16' },
  { name: 'h1', table: 'holding', address: 1, type: 'int16' },
  { name: 'h23', table: 'holding', address: 2, type: 'uint32', order: 'CDAB' },
  { name: 'f', table: 'input', address: 20, type: 'float32' },
  ...Array.from(
    { length: 10 },
    (_, i): ModbusPointSpec => ({ name: `c${i}`, table: 'coil', address: 5 + i }),
  ),
  { name: 'd0', table: 'discrete', address: 0 },
];

/** Codes a Modbus read failure may carry (agent/sources/modbus/modbus-failures.ts). */
export const CODES = new Set([
  'MODBUS_TIMEOUT',
  'MODBUS_EXCEPTION',
  'MODBUS_CRC',
  'MODBUS_BAD_RESPONSE',
  'MODBUS_SHORT_RESPONSE',
  'MODBUS_LONG_RESPONSE',
  'MODBUS_NOT_CONNECTED',
  'MODBUS_IO',
  'MODBUS_NOT_FINITE',
]);

/** Weights: timeouts cost real time, so the actions that cause them are rarer. */
const WEIGHTS: Partial<Record<ActionKind, number>> = {
  honest: 8,
  'short-count': 4,
  'long-count': 4,
  'cut-frame': 3,
  'padded-frame': 3,
  mutated: 4,
  pieces: 3,
  duplicate: 3,
  exception: 3,
  'garbage-then-honest': 2,
  'honest-then-garbage': 2,
  'wrong-fc': 2,
  'wrong-unit': 2,
  'wrong-tid': 1,
  'wrong-protocol': 1,
  'lying-length': 1,
  garbage: 1,
  late: 1,
  silence: 0.5,
  close: 0.5,
};

export function action(rng: Rng): Action {
  const kind = rng.weighted(ACTIONS.map((k) => [WEIGHTS[k] ?? 1, k] as const));
  return { kind, data: Array.from(rng.bytes(rng.range(4, 40))), n: rng.int(1000) };
}

export function wordsOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) out.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  return out;
}

export function bitsOf(bytes: Uint8Array): boolean[] {
  const out: boolean[] = [];
  for (const b of bytes) for (let k = 0; k < 8; k++) out.push(((b >> k) & 1) === 1);
  return out;
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : JSON.stringify(v);
}

function modbusTarget(transport: Transport): AnyTarget {
  let peer: HostilePeer | undefined;
  let source: ModbusSource | undefined;
  let plan: readonly ReadRequest[] = [];
  let session = new AbortController();
  let linkFaults = 0;
  let connected = false;
  const reached: Record<string, number> = { polls: 0, good: 0, bad: 0, reconnects: 0 };

  const connect = async () => {
    session.abort();
    await source?.close();
    session = new AbortController();
    try {
      await source?.connect(session.signal);
      connected = true;
    } catch {
      connected = false; // the next poll fails NOT_CONNECTED, as the runner would see it
    }
  };

  /** One poll as the runner does it, with its reconnect rule. */
  const poll = async (): Promise<ReadResult> => {
    if (!source) throw new Error('not started');
    if (!connected) await connect();
    const r = await source.read(0, session.signal);
    reached['polls'] = (reached['polls'] ?? 0) + 1;
    if (r.failures.some((f) => f.linkFault)) linkFaults++;
    else linkFaults = 0;
    if (linkFaults >= RECONNECT_AFTER) {
      linkFaults = 0;
      reached['reconnects'] = (reached['reconnects'] ?? 0) + 1;
      await connect();
    }
    return r;
  };

  const check = (r: ReadResult, answered: Answered[], script: Action[]) => {
    const seen = new Set<string>();
    const story = () =>
      answered.map((a) => `fc ${a.req.fc}@${a.req.address}+${a.req.count}: ${a.action}`).join('; ') ||
      `nothing answered (script ${script.map((a) => a.kind).join(', ')})`;
    for (const s of r.samples as Sample[]) {
      expectThat(!seen.has(s.metric), 'duplicate-sample', () => `${s.metric} reported twice in one poll`);
      seen.add(s.metric);
      const req = plan.find((q) => q.points.some((p) => p.point.name === s.metric));
      const at = req?.points.find((p) => p.point.name === s.metric);
      if (!req || !at) throw new Finding('unknown-metric', `sample for unplanned metric ${s.metric}`);
      if (s.quality !== 'good') {
        reached['bad'] = (reached['bad'] ?? 0) + 1;
        const f = r.failures.find((x) => x.metrics?.includes(s.metric));
        expectThat(
          f !== undefined,
          'bad-without-failure',
          () => `${s.metric} is bad with no failure naming it`,
        );
        continue;
      }
      reached['good'] = (reached['good'] ?? 0) + 1;
      const mine = answered.filter((a) => a.req.fc === req.functionCode && a.req.address === req.address);
      const candidates = mine.flatMap((a) =>
        a.valid.map((bytes) =>
          req.functionCode <= 2
            ? decodeBit(bitsOf(bytes), at.offset)
            : decodePoint(at.point, wordsOf(bytes), at.offset),
        ),
      );
      expectThat(
        candidates.some((v) => Object.is(v, s.value)),
        'good-value-not-answered',
        () =>
          `${s.metric} = ${show(s.value)} reported good, but the well-formed answers to ${req.table} ${req.address}+${req.count} carried ${
            candidates.map(show).join(', ') || 'nothing'
          } (${story()})`,
      );
    }
    for (const f of r.failures) {
      expectThat(
        CODES.has(f.code),
        'unknown-code',
        () => `failure code ${f.code}: ${f.message} (${story()})`,
      );
      expectThat(
        f.code !== 'MODBUS_IO' || !/TypeError|RangeError|out of range|Cannot read|undefined/.test(f.message),
        'unclassified-error',
        () => `a program error counted as I/O: ${f.message} (${story()})`,
      );
    }
    const planned = plan.flatMap((q) => q.points.map((p) => p.point.name));
    expectThat(
      seen.size === planned.length,
      'missing-sample',
      () => `${seen.size} samples for ${planned.length} points`,
    );
  };

  return defineTarget<Action[]>({
    name: transport === 'tcp' ? 'modbus-tcp' : 'modbus-rtu',
    summary: `agent Modbus source (${transport}) against a hostile peer answering with broken frames`,
    shortCases: 150,
    fullCases: 10_000,
    caseTimeoutMs: 5000,
    memoryBoundBytes: 48 * 1024 * 1024,
    checkEvery: 250,
    async start() {
      peer = await startHostilePeer(transport);
      const device = deviceConfig('fuzz-dev', peer.url, POINTS, {
        unitId: UNIT,
        timeout: TIMEOUT,
        maxGap: 0,
        reconnectAfterFailures: RECONNECT_AFTER,
      });
      source = createModbusSource(device, { log: pino({ level: 'silent' }) });
      plan = source.plan[0] ?? [];
      if (plan.length !== 4) throw new Error(`expected 4 planned requests, got ${plan.length}`);
      await connect();
    },
    generate: (rng) => plan4(rng),
    async run(script) {
      if (!peer) throw new Error('not started');
      peer.script = (req) =>
        script[plan.findIndex((q) => q.functionCode === req.fc && q.address === req.address)];
      peer.drain();
      const r = await poll();
      const answered = peer.drain();
      check(r, answered, script);
    },
    async liveness() {
      if (!peer) throw new Error('not started');
      peer.script = undefined;
      const tries: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await poll();
        const answered = peer.drain();
        check(r, answered, []);
        if (r.failures.length === 0) return;
        tries.push(r.failures.map((f) => f.code).join('+'));
      }
      throw new Finding('stalled-line', `an honest peer got no clean poll in 12 tries: ${tries.join(', ')}`);
    },
    async stop() {
      session.abort();
      await source?.close();
      await peer?.close();
    },
    save: (x) => x,
    load: (s) => s as Action[],
    *shrink(script) {
      for (let i = 0; i < script.length; i++) {
        const a = script[i] as Action;
        if (a.kind !== 'honest')
          yield script.map((x, j) => (j === i ? { ...x, kind: 'honest' as const } : x));
      }
      for (let i = 0; i < script.length; i++) {
        const a = script[i] as Action;
        if (a.data.length > 4) yield script.map((x, j) => (j === i ? { ...a, data: a.data.slice(0, 4) } : x));
        if (a.n > 0) yield script.map((x, j) => (j === i ? { ...a, n: 0 } : x));
      }
    },
    size: (script) => script.filter((a) => a.kind !== 'honest').length,
    coverage: () => ({ ...reached }),
  });
}

/** One action per planned request. */
function plan4(rng: Rng): Action[] {
  return Array.from({ length: 4 }, () => action(rng));
}

export const modbusTcp = modbusTarget('tcp');
export const modbusRtu = modbusTarget('rtu+tcp');
