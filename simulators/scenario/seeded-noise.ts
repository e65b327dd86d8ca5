/** Deterministic per-device seeds and time-bucketed noise: values depend only on (seed, device, time). */
import { hash01 } from '../retrofit/prng.js';

export function seedFor(seed: number, id: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function noise(seed: number, t: number, bucketMs = 1000): number {
  return hash01(seed, Math.floor(t / bucketMs)) - 0.5;
}
