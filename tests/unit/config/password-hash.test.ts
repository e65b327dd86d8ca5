import { describe, expect, it } from 'vitest';
import { checkSecretHash, hashSecret, verifySecret } from '../../../config/password-hash.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verifies the right secret and refuses a wrong one', () => {
    const h = hashSecret('correct horse', FAST);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(verifySecret('correct horse', h)).toBe(true);
    expect(verifySecret('correct horsE', h)).toBe(false);
    expect(verifySecret('', h)).toBe(false);
  });

  it('uses a fresh salt every time', () => {
    expect(hashSecret('x', FAST)).not.toBe(hashSecret('x', FAST));
  });

  it('hashes with the default cost', () => {
    const h = hashSecret('default cost');
    expect(h.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(verifySecret('default cost', h)).toBe(true);
  });

  it('treats a malformed or hostile hash as a mismatch, never an exception', () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaA',
      'scrypt$1073741824$8$1$c2FsdHNhbHQ$x',
      'bcrypt$x',
    ]) {
      expect(verifySecret('x', bad)).toBe(false);
      expect(checkSecretHash(bad)).toEqual(expect.any(String));
    }
    expect(checkSecretHash(hashSecret('ok', FAST))).toBeUndefined();
  });
});
