import { describe, expect, it } from 'vitest';
import { FloodLimit } from '../../../protocols/flood-limit.js';

describe('FloodLimit', () => {
  it('lets max events per key through per window; the next one through carries how many were left out', () => {
    let now = 0;
    const f = new FloodLimit({ max: 2, windowMs: 1000, clock: () => now });
    expect([f.admit('a'), f.admit('a'), f.admit('a'), f.admit('a')]).toEqual([0, 0, undefined, undefined]);
    expect(f.admit('b')).toBe(0); // keys are apart
    now = 999;
    expect(f.admit('a')).toBeUndefined();
    now = 1000; // a's window began at 0
    expect(f.admit('a')).toBe(3);
    expect(f.admit('a')).toBe(0);
  });

  it('forgets the oldest key beyond maxKeys', () => {
    const f = new FloodLimit({ max: 1, windowMs: 60_000, clock: () => 0, maxKeys: 2 });
    expect(f.admit('a')).toBe(0);
    expect(f.admit('a')).toBeUndefined();
    f.admit('b');
    f.admit('c'); // a is forgotten: it starts again
    expect(f.admit('a')).toBe(0);
  });
});
