/**
 * `decodePayload` (protocols/sparkplug) on random and mutated bytes. It may return a payload or throw
 * `SparkplugDecodeError`; anything else — another class thrown, or a decode error whose cause is a TypeError, a
 * stack overflow or any RangeError but protobufjs' "index out of range" for truncated input — is a crash.
 */
import { decodePayload, SparkplugDecodeError, type SpbPayload } from '../../../protocols/sparkplug/index.js';
import { fromBase64, hexPreview, shrinkBytes, toBase64 } from '../harness/bytes.js';
import { defineTarget, expectThat } from '../harness/target.js';
import { sparkplugBytes } from './sparkplug-corpus.js';

/** A cause inside a decode error that means our code (or protobufjs) broke, not that the bytes were bad. */
export function bugCause(err: unknown): unknown {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof TypeError || cause instanceof ReferenceError || cause instanceof SyntaxError)
    return cause;
  if (cause instanceof RangeError && !cause.message.startsWith('index out of range')) return cause;
  if (cause instanceof Error && /call stack/i.test(cause.message)) return cause;
  return undefined;
}

/** A decoded payload is plain data of the documented shape. */
export function checkPayloadShape(p: SpbPayload): void {
  expectThat(Array.isArray(p.metrics), 'shape', () => 'metrics is not an array');
  for (const t of [p.timestamp, p.seq]) {
    expectThat(
      t === undefined || Number.isSafeInteger(t),
      'shape',
      () => `timestamp/seq ${String(t)} not safe`,
    );
  }
  for (const m of p.metrics) {
    expectThat(typeof m === 'object' && m !== null, 'shape', () => 'a metric is not an object');
    expectThat(
      m.timestamp === undefined || Number.isSafeInteger(m.timestamp),
      'shape',
      () => 'metric timestamp',
    );
    expectThat(m.name === undefined || typeof m.name === 'string', 'shape', () => 'metric name');
    expectThat(m.alias === undefined || typeof m.alias === 'bigint', 'shape', () => 'metric alias');
  }
}

export const sparkplugDecode = defineTarget<Uint8Array>({
  name: 'sparkplug-decode',
  summary: 'Sparkplug B decodePayload on random, mutated, length-tampered and deeply nested payloads',
  shortCases: 4000,
  caseTimeoutMs: 2000,
  memoryBoundBytes: 32 * 1024 * 1024,
  generate: sparkplugBytes,
  run(bytes) {
    let p: SpbPayload;
    try {
      p = decodePayload(bytes);
    } catch (err) {
      if (!(err instanceof SparkplugDecodeError)) throw err;
      const bug = bugCause(err);
      if (bug !== undefined) throw bug;
      return;
    }
    checkPayloadShape(p);
  },
  save: (b) => ({ base64: toBase64(b), hex: hexPreview(b) }),
  load: (s) => fromBase64((s as { base64: string }).base64),
  shrink: shrinkBytes,
  size: (b) => b.length,
});
