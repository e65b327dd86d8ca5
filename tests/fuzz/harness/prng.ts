/**
 * Seeded randomness for the fuzzer. Every case draws from its own generator, derived from (seed, case index) only,
 * so case 81,234 of seed 7 is the same input whether it runs after 81,233 other cases or alone in a replay.
 */

/** sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG): 128 bits of state, passes PractRand; uint32 out. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** splitmix32 finaliser: spreads (seed, index) over the generator's state. */
function mix(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  readonly #next: () => number;

  constructor(seed: number, stream = 0) {
    const s0 = mix(seed ^ 0x5bd1e995);
    const s1 = mix(stream ^ s0);
    const s2 = mix(s1 ^ 0x27d4eb2f);
    const s3 = mix(s2 ^ seed);
    this.#next = sfc32(s0, s1, s2, s3);
    for (let i = 0; i < 12; i++) this.#next(); // warm up: sfc32 mixes its first outputs poorly
  }

  /** A uint32. */
  u32(): number {
    return this.#next();
  }

  /** A float in [0, 1). */
  float(): number {
    return this.#next() / 4_294_967_296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('pick from an empty list');
    return xs[this.int(xs.length)] as T;
  }

  /** One of `entries`, each drawn in proportion to its weight. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of entries) total += w;
    let x = this.float() * total;
    for (const [w, v] of entries) {
      x -= w;
      if (x < 0) return v;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new RangeError('weighted pick from an empty list');
    return last[1];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#next() & 0xff;
    return out;
  }

  /** A length biased towards small values, sometimes up to `max`: most bugs need few bytes, some need many. */
  size(max: number): number {
    const r = this.float();
    if (r < 0.6) return this.int(Math.min(max, 16) + 1);
    if (r < 0.9) return this.int(Math.min(max, 256) + 1);
    return this.int(max + 1);
  }
}

/** The generator of one case: depends only on the run's seed and the case's index. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng(seed, index);
}
