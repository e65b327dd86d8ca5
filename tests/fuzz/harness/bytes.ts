/**
 * Byte-level mutations (AFL/libFuzzer style: bit flips, interesting values, inserts, deletes, truncation, block
 * duplication, splicing) and the shrinking steps the minimiser tries on byte inputs.
 */
import type { Rng } from './prng.js';

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x2f, 0x23, 0x2b, 0x24];
const INTERESTING_16 = [0x0000, 0x0001, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xffff, 0x00fe];

/** One random mutation of `input` (never modifies it). */
export function mutateOnce(rng: Rng, input: Uint8Array, splice?: Uint8Array): Uint8Array {
  const b = Uint8Array.from(input);
  const at = (n = b.length) => rng.int(Math.max(1, n));
  switch (rng.int(11)) {
    case 0: {
      if (b.length === 0) return rng.bytes(rng.range(1, 4));
      const i = at();
      b[i] = (b[i] ?? 0) ^ (1 << rng.int(8));
      return b;
    }
    case 1: {
      if (b.length === 0) return b;
      b[at()] = rng.pick(INTERESTING_8);
      return b;
    }
    case 2: {
      if (b.length < 2) return b;
      const i = rng.int(b.length - 1);
      const v = rng.pick(INTERESTING_16);
      const big = rng.chance(0.5);
      b[i] = big ? v >> 8 : v & 0xff;
      b[i + 1] = big ? v & 0xff : v >> 8;
      return b;
    }
    case 3: {
      if (b.length === 0) return b;
      b[at()] = rng.u32() & 0xff;
      return b;
    }
    case 4: // truncate
      return b.subarray(0, rng.int(b.length + 1));
    case 5: {
      // delete a block
      if (b.length === 0) return b;
      const i = at();
      const n = rng.range(1, Math.max(1, Math.min(16, b.length - i)));
      return concat(b.subarray(0, i), b.subarray(i + n));
    }
    case 6: {
      // insert random bytes
      const i = rng.int(b.length + 1);
      return concat(b.subarray(0, i), rng.bytes(rng.range(1, 8)), b.subarray(i));
    }
    case 7: {
      // duplicate a block in place
      if (b.length === 0) return b;
      const i = at();
      const n = rng.range(1, Math.max(1, Math.min(32, b.length - i)));
      const block = b.subarray(i, i + n);
      const times = rng.range(1, 4);
      const parts: Uint8Array[] = [b.subarray(0, i)];
      for (let k = 0; k <= times; k++) parts.push(block);
      parts.push(b.subarray(i + n));
      return concat(...parts);
    }
    case 8: {
      // arithmetic on one byte
      if (b.length === 0) return b;
      const i = at();
      b[i] = ((b[i] ?? 0) + rng.range(-16, 16)) & 0xff;
      return b;
    }
    case 9: {
      // splice in part of another input
      if (!splice || splice.length === 0) return b;
      const from = rng.int(splice.length);
      const part = splice.subarray(from, from + rng.range(1, splice.length - from));
      const i = rng.int(b.length + 1);
      return concat(b.subarray(0, i), part, b.subarray(i + rng.int(Math.max(1, b.length - i))));
    }
    default: {
      // overwrite a block with one repeated byte
      if (b.length === 0) return b;
      const i = at();
      b.fill(rng.pick(INTERESTING_8), i, i + rng.range(1, 16));
      return b;
    }
  }
}

/** 1–`max` stacked mutations. */
export function mutate(rng: Rng, input: Uint8Array, max = 4, splice?: Uint8Array): Uint8Array {
  let out = input;
  const n = rng.range(1, max);
  for (let i = 0; i < n; i++) out = mutateOnce(rng, out, splice);
  return out;
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Smaller variants of `b`, largest cuts first (delta debugging): halves, then quarters … single bytes removed,
 * then bytes zeroed. The minimiser keeps the first that still fails the same way and asks again.
 */
export function* shrinkBytes(b: Uint8Array): Generator<Uint8Array> {
  for (let chunk = Math.max(1, b.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = 0; i + chunk <= b.length; i += chunk) {
      yield concat(b.subarray(0, i), b.subarray(i + chunk));
    }
  }
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) continue;
    const z = Uint8Array.from(b);
    z[i] = 0;
    yield z;
  }
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function fromBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Hex of the first `max` bytes, for humans reading a crash report. */
export function hexPreview(b: Uint8Array, max = 256): string {
  const hex = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, max)).toString('hex');
  return b.byteLength > max ? `${hex}… (${b.byteLength} bytes)` : hex;
}
