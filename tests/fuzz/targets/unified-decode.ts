/**
 * The JSON-mode ("unified namespace") codec, `decodeUnifiedDevice` and `decodeUnifiedNodeStatus`, on random bytes,
 * mutated valid messages and random JSON (wrong types, `__proto__` keys, 10,000-deep arrays, huge numbers). They
 * may return or throw `UnifiedDecodeError`, whose cause may only be the JSON parser's SyntaxError or the strict
 * UTF-8 decoder's TypeError.
 */
import {
  decodeUnifiedDevice,
  decodeUnifiedNodeStatus,
  encodeUnifiedDevice,
  encodeUnifiedNodeStatus,
  UnifiedDecodeError,
} from '../../../protocols/unified/index.js';
import { fromBase64, mutate, shrinkBytes, toBase64 } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';
import { defineTarget, expectThat } from '../harness/target.js';

const T0 = 1_767_225_600_000;
const utf8 = new TextEncoder();

export const UNIFIED_CORPUS: readonly Uint8Array[] = [
  encodeUnifiedDevice({
    ts: T0,
    seq: 7,
    metrics: [
      { name: 'power_kw', value: 4.5, ts: T0, q: 'good' },
      { name: 'state', value: 'running', ts: T0, q: 'uncertain', historical: true },
      { name: 'count', value: 2n ** 60n, ts: T0, q: 'good' },
      { name: 'flag', value: true, ts: T0, q: 'bad' },
      { name: 'none', value: null, ts: T0, q: 'bad' },
    ],
  }),
  encodeUnifiedDevice({ ts: T0, seq: 0, metrics: [], online: false, reason: 'unreachable' }),
  encodeUnifiedDevice({ ts: T0, seq: 255, metrics: [], online: true }),
  encodeUnifiedNodeStatus({ ts: T0, online: true }),
  encodeUnifiedNodeStatus({ ts: T0, online: false }),
];

function randomJson(rng: Rng, depth: number): unknown {
  const leaf = (): unknown =>
    rng.pick<() => unknown>([
      () => null,
      () => rng.chance(0.5),
      () => rng.pick([0, -1, 255, 256, 1e308, -1e-308, 2 ** 53, 2 ** 53 + 2, T0, 1.5]),
      () =>
        rng.pick([
          '',
          'good',
          'bad',
          'uncertain',
          'NaN',
          'Infinity',
          'x'.repeat(rng.size(300)),
          '\u0000',
          '💥',
        ]),
    ])();
  if (depth <= 0 || rng.chance(0.4)) return leaf();
  if (rng.chance(0.5)) return Array.from({ length: rng.size(6) }, () => randomJson(rng, depth - 1));
  const o: Record<string, unknown> = {};
  const keys = [
    'ts',
    'seq',
    'metrics',
    'name',
    'value',
    'q',
    'online',
    'reason',
    'historical',
    '__proto__',
    'constructor',
  ];
  for (let i = rng.size(6); i > 0; i--) o[rng.pick(keys)] = randomJson(rng, depth - 1);
  return o;
}

function deep(rng: Rng): string {
  const n = rng.pick([100, 1000, 10_000, 100_000]);
  const open = rng.chance(0.5) ? '[' : '{"metrics":';
  const inner = `{"ts":${T0},"seq":1,"metrics":${'['.repeat(n)}${']'.repeat(n)}}`;
  return rng.chance(0.5) ? inner : `${open.repeat(n)}1`;
}

export function unifiedBytes(rng: Rng): Uint8Array {
  const base = rng.pick(UNIFIED_CORPUS);
  return rng.weighted<() => Uint8Array>([
    [1, () => rng.bytes(rng.size(256))],
    [4, () => mutate(rng, base, 6, rng.pick(UNIFIED_CORPUS))],
    [
      3,
      () => {
        const o = JSON.parse(new TextDecoder().decode(base)) as Record<string, unknown>;
        const keys = Object.keys(o);
        const metrics = o['metrics'];
        if (Array.isArray(metrics) && metrics.length > 0 && rng.chance(0.6)) {
          const m = metrics[rng.int(metrics.length)] as Record<string, unknown>;
          m[rng.pick(['name', 'value', 'ts', 'q', 'historical', 'extra'])] = randomJson(rng, 3);
        } else o[rng.pick([...keys, 'extra'])] = randomJson(rng, 3);
        return utf8.encode(JSON.stringify(o));
      },
    ],
    [2, () => utf8.encode(JSON.stringify(randomJson(rng, 5)) ?? 'null')],
    [1, () => utf8.encode(deep(rng))],
  ])();
}

/** The decoders may throw their coded error, caused by nothing but bad JSON or bad UTF-8. */
function allowed(err: unknown): boolean {
  if (!(err instanceof UnifiedDecodeError)) return false;
  const c = err.cause;
  if (c === undefined || c instanceof SyntaxError) return true;
  return c instanceof TypeError && (c as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}

export const unifiedDecode = defineTarget<Uint8Array>({
  name: 'unified-decode',
  summary:
    'JSON-mode decodeUnifiedDevice / decodeUnifiedNodeStatus on random, mutated and deeply nested JSON',
  shortCases: 4000,
  caseTimeoutMs: 2000,
  memoryBoundBytes: 32 * 1024 * 1024,
  generate: unifiedBytes,
  run(bytes) {
    for (const decode of [decodeUnifiedDevice, decodeUnifiedNodeStatus]) {
      let out: unknown;
      try {
        out = decode(bytes);
      } catch (err) {
        if (allowed(err)) continue;
        throw err;
      }
      expectThat(typeof out === 'object' && out !== null, 'shape', () => 'decoded to a non-object');
      const ts = (out as { ts: unknown }).ts;
      expectThat(Number.isInteger(ts), 'shape', () => `ts ${String(ts)} is not an integer`);
    }
  },
  save: (b) => ({ base64: toBase64(b), text: new TextDecoder().decode(b.subarray(0, 400)) }),
  load: (s) => fromBase64((s as { base64: string }).base64),
  shrink: shrinkBytes,
  size: (b) => b.length,
});
