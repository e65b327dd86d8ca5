import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Password and API-token hashes: `scrypt$N$r$p$salt$hash` (salt and hash base64url without padding).
 * Used for broker users (`passwordHash`) and API tokens (`tokenHash`); `plantpulse hash-password` prints one.
 *
 * Both functions are synchronous: scrypt with the default cost takes a few tens of milliseconds and 16 MiB, so
 * callers on a hot path (per request) should cache a successful verification for a short while.
 */

const DEFAULT = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** caps on what a hash string may ask for, so a hostile config cannot make verification eat the machine */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

/** Hashes a password or token with a fresh random salt. */
export function hashSecret(plain: string, params: ScryptParams = DEFAULT): string {
  const salt = randomBytes(SALT_BYTES);
  const hash = derive(plain, salt, params, KEY_BYTES);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** True when `plain` matches `hash` (constant-time compare). A malformed hash is false, never an exception. */
export function verifySecret(plain: string, hash: string): boolean {
  const parsed = parseHash(hash);
  if (typeof parsed === 'string') return false;
  const got = derive(plain, parsed.salt, parsed, parsed.hash.length);
  return got.length === parsed.hash.length && timingSafeEqual(got, parsed.hash);
}

/**
 * `verifySecret` off the event loop (libuv's thread pool runs scrypt), for servers that check a password per
 * connection. Exactly one scrypt run per call, also for a malformed hash, which is checked against `fallback`.
 */
export async function verifySecretAsync(plain: string, hash: string, fallback: string): Promise<boolean> {
  let parsed = parseHash(hash);
  const valid = typeof parsed !== 'string';
  if (typeof parsed === 'string') parsed = parseHash(fallback);
  if (typeof parsed === 'string') throw new Error(`bad fallback hash: ${parsed}`);
  const { salt, hash: want, N, r, p } = parsed;
  const got = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      plain.normalize('NFC'),
      salt,
      want.length,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
  return valid && got.length === want.length && timingSafeEqual(got, want);
}

/** Why a string is not a usable `scrypt$…` hash, or undefined when it is (for config checks). */
export function checkSecretHash(hash: string): string | undefined {
  const parsed = parseHash(hash);
  return typeof parsed === 'string' ? parsed : undefined;
}

function derive(plain: string, salt: Buffer, { N, r, p }: ScryptParams, keyLen: number): Buffer {
  return scryptSync(plain.normalize('NFC'), salt, keyLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
}

function parseHash(s: string): ParsedHash | string {
  const parts = s.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    return 'must be a scrypt hash `scrypt$N$r$p$salt$hash` (make one with `plantpulse hash-password`)';
  }
  const [, n, r, p, salt, hash] = parts;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (!isPow2(N) || N < 2 || N > MAX_N) return `scrypt N must be a power of two from 2 to ${MAX_N}`;
  if (!Number.isInteger(R) || R < 1 || R > MAX_R) return `scrypt r must be an integer from 1 to ${MAX_R}`;
  if (!Number.isInteger(P) || P < 1 || P > MAX_P) return `scrypt p must be an integer from 1 to ${MAX_P}`;
  const b64 = /^[A-Za-z0-9_-]+$/;
  if (salt === undefined || !b64.test(salt) || hash === undefined || !b64.test(hash)) {
    return 'scrypt salt and hash must be base64url';
  }
  const saltBuf = Buffer.from(salt, 'base64url');
  const hashBuf = Buffer.from(hash, 'base64url');
  if (saltBuf.length < 8) return 'scrypt salt must be at least 8 bytes';
  if (hashBuf.length < 16 || hashBuf.length > 64) return 'scrypt hash must be 16 to 64 bytes';
  return { N, r: R, p: P, salt: saltBuf, hash: hashBuf };
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
