/**
 * Protobuf wire format for structure-aware mutation: a lenient parser into fields (nested messages parsed when
 * they parse), a writer that recomputes lengths, and mutations that a byte mutator rarely hits — a length field
 * that lies, a varint of 10 or 11 bytes, a wrong wire type, a field number nobody declared, nesting 10,000 deep.
 */
import { concat } from '../harness/bytes.js';
import type { Rng } from '../harness/prng.js';

export type WireField =
  | { no: number; wt: 0; value: bigint }
  | { no: number; wt: 1 | 5; raw: Uint8Array }
  | { no: number; wt: 2; bytes: Uint8Array; sub?: WireField[]; lengthOverride?: bigint };

export function varint(v: bigint): Uint8Array {
  if (v >= 0n && v < 0x10000000n) {
    // the common case without BigInt arithmetic (lengths, tags, small values)
    let x = Number(v);
    const out: number[] = [];
    while (x >= 0x80) {
      out.push((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    out.push(x);
    return Uint8Array.from(out);
  }
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return Uint8Array.from(out);
}

export function tag(no: number, wt: number): Uint8Array {
  return varint((BigInt(no) << 3n) | BigInt(wt));
}

/** A length-delimited field. */
export function ld(no: number, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(...parts);
  return concat(tag(no, 2), varint(BigInt(body.length)), body);
}

export function vi(no: number, v: bigint | number): Uint8Array {
  return concat(tag(no, 0), varint(BigInt(v)));
}

export function str(no: number, s: string): Uint8Array {
  return ld(no, new TextEncoder().encode(s));
}

/** One level of a nesting chain: `head` bytes, then field `no` (length-delimited) holding the next level. */
export interface Wrap {
  head: Uint8Array;
  no: number;
}

/**
 * `levels` wrapped around `leaf`, outermost first, in one pass: sizes from the inside out, then one buffer filled
 * from the outside in (nesting 10,000 levels by repeated concatenation would copy gigabytes).
 */
export function nest(levels: readonly Wrap[], leaf: Uint8Array): Uint8Array {
  const sizes = new Array<number>(levels.length + 1);
  sizes[levels.length] = leaf.length;
  for (let i = levels.length - 1; i >= 0; i--) {
    const w = levels[i] as Wrap;
    const inner = sizes[i + 1] as number;
    sizes[i] = w.head.length + tag(w.no, 2).length + varint(BigInt(inner)).length + inner;
  }
  const out = new Uint8Array(sizes[0] as number);
  let at = 0;
  for (let i = 0; i < levels.length; i++) {
    const w = levels[i] as Wrap;
    for (const part of [w.head, tag(w.no, 2), varint(BigInt(sizes[i + 1] as number))]) {
      out.set(part, at);
      at += part.length;
    }
  }
  out.set(leaf, at);
  return out;
}

function readVarint(b: Uint8Array, at: number): [bigint, number] | undefined {
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    const byte = b[at + i];
    if (byte === undefined) return undefined;
    v |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return [v, at + i + 1];
  }
  return undefined;
}

/** Parses a message; undefined unless every byte belongs to a well-formed field. */
export function parseWire(b: Uint8Array, depth = 0): WireField[] | undefined {
  const out: WireField[] = [];
  let at = 0;
  while (at < b.length) {
    const t = readVarint(b, at);
    if (!t) return undefined;
    const [key, next] = t;
    const no = Number(key >> 3n);
    const wt = Number(key & 7n);
    if (no === 0) return undefined;
    at = next;
    if (wt === 0) {
      const v = readVarint(b, at);
      if (!v) return undefined;
      out.push({ no, wt, value: v[0] });
      at = v[1];
    } else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      if (at + n > b.length) return undefined;
      out.push({ no, wt, raw: b.subarray(at, at + n) });
      at += n;
    } else if (wt === 2) {
      const l = readVarint(b, at);
      if (!l || l[1] + Number(l[0]) > b.length) return undefined;
      const bytes = b.subarray(l[1], l[1] + Number(l[0]));
      const sub = depth < 40 && bytes.length > 0 ? parseWire(bytes, depth + 1) : undefined;
      out.push(sub ? { no, wt, bytes, sub } : { no, wt, bytes });
      at = l[1] + bytes.length;
    } else return undefined;
  }
  return out;
}

export function writeWire(fields: readonly WireField[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(tag(f.no, f.wt));
    if (f.wt === 0) parts.push(varint(f.value));
    else if (f.wt === 1 || f.wt === 5) parts.push(f.raw);
    else if (f.wt === 2) {
      const body = f.sub ? writeWire(f.sub) : f.bytes;
      parts.push(varint(f.lengthOverride ?? BigInt(body.length)), body);
    }
  }
  return concat(...parts);
}

/** Every field of the tree with the list holding it (for in-place edits). */
function allFields(fields: WireField[], out: [WireField[], number][] = []): [WireField[], number][] {
  fields.forEach((f, i) => {
    out.push([fields, i]);
    if (f.wt === 2 && f.sub) allFields(f.sub, out);
  });
  return out;
}

const HUGE: bigint[] = [
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  2n ** 53n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** One structure-aware mutation of a parsed message (in place); `deep` makes a nested field to insert. */
export function mutateWire(rng: Rng, fields: WireField[], deep: () => WireField): void {
  const all = allFields(fields);
  const pick = all.length > 0 ? rng.pick(all) : undefined;
  const op = rng.int(9);
  if (pick === undefined || op === 8) {
    const into = pick === undefined || rng.chance(0.5) ? fields : pick[0];
    into.splice(rng.int(into.length + 1), 0, deep());
    return;
  }
  const [list, i] = pick;
  const f = list[i] as WireField;
  switch (op) {
    case 0: // a length that lies (shorter, longer, huge)
      if (f.wt === 2) {
        const n = BigInt(f.sub ? writeWire(f.sub).length : f.bytes.length);
        f.lengthOverride = rng.pick([0n, n - 1n, n + 1n, n + 2n, n * 2n + 7n, ...HUGE]);
      } else list[i] = { no: f.no, wt: 2, bytes: rng.bytes(rng.int(8)), lengthOverride: rng.pick(HUGE) };
      return;
    case 1: // a varint at the edge of 64 bits
      list[i] = { no: f.no, wt: 0, value: rng.pick(HUGE) };
      return;
    case 2: // the wrong wire type for the field
      list[i] =
        f.wt === 0
          ? { no: f.no, wt: 2, bytes: varint(f.value) }
          : rng.chance(0.5)
            ? { no: f.no, wt: 0, value: BigInt(rng.u32()) }
            : { no: f.no, wt: rng.pick([1, 5] as const), raw: rng.bytes(8).subarray(0, 4) };
      return;
    case 3: // an undeclared field number, or the same field again
      list.splice(i + 1, 0, rng.chance(0.5) ? { ...f, no: rng.pick([19, 20, 99, 536870911, f.no + 1]) } : f);
      return;
    case 4:
      list.splice(i, 1);
      return;
    case 5: {
      // the field repeated many times (packed counts, repeated rows), up to about 64 KiB of copies
      const size = writeWire([f]).length;
      const n = Math.min(rng.pick([2, 10, 100, 1000]), Math.max(1, Math.floor(65_536 / size)));
      list.splice(i, 0, ...Array.from({ length: n }, () => f));
      return;
    }
    case 6:
      if (f.wt === 0) f.value = BigInt.asUintN(64, f.value ^ (1n << BigInt(rng.int(64))));
      else if (f.wt === 2 && !f.sub) f.bytes = rng.bytes(f.bytes.length);
      return;
    default: {
      // swap with a sibling (never with a descendant: that would make a cycle)
      const j = rng.int(list.length);
      list[i] = list[j] as WireField;
      list[j] = f;
    }
  }
}
