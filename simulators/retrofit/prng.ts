/** Deterministic randomness for simulators: the same seed gives the same machine, run after run. */

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A stateless hash of (seed, k) to [0, 1): noise that depends only on time, not on who asks when. */
export function hash01(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k | 0, 0x9e3779b1) ^ Math.imul(Math.floor(k / 4_294_967_296), 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

/** Uniform in [lo, hi). */
export function between(rand: () => number, [lo, hi]: readonly [number, number]): number {
  return lo + rand() * (hi - lo);
}
