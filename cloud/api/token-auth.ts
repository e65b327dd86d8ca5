/**
 * Bearer-token authentication with two roles. The config holds only scrypt hashes of the tokens (`tokenHash`,
 * made by `plantpulse hash-password`). What a request costs is bounded whatever the attacker sends:
 *
 * - A token written `<id>.<secret>` whose entry declares `id` is looked up by its id: an unknown token costs at
 *   most ONE scrypt (zero when its id matches no entry), never one per configured token. Entries without `id`
 *   (older configs) are tried one by one — each of them costs one scrypt per unknown token; the server warns.
 * - Verified tokens are cached under an HMAC of the token with a key made at start (not the token, not a plain
 *   hash of it). That cache holds only tokens that verified, at most one per entry, so a flood of wrong tokens
 *   cannot evict a valid one. Refused tokens go to a separate bounded cache, so repeating a wrong token costs no
 *   scrypt either.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { verifySecret } from '../../config/password-hash.js';
import { ForbiddenError, UnauthorizedError } from './errors.js';

export type Role = 'viewer' | 'admin';
const RANK: Record<Role, number> = { viewer: 1, admin: 2 };

export interface TokenEntry {
  name: string;
  role: Role;
  /** public id: the token is `<id>.<secret>` */
  id?: string | undefined;
  tokenHash: string;
}

export interface Principal {
  name: string;
  role: Role;
}

/** Why a request was not authenticated (for the audit log and the 401 message). */
export type AuthRefusal = 'missing' | 'malformed' | 'unknown';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthRefusal };

export interface TokenAuthStats {
  /** scrypt verifications run (the expensive part) */
  kdfCalls: number;
  /** requests answered from the verified-token cache */
  cacheHits: number;
  /** tokens refused */
  refused: number;
}

export interface TokenAuthOptions {
  tokens: readonly TokenEntry[];
  /** without a token, act as this role (`viewer` for a trusted control-room LAN); default: refuse */
  anonymous?: Role | undefined;
  clock?: () => number;
  cacheTtlMs?: number;
  /** bound of the refused-token cache */
  maxRefused?: number;
}

/** What a client is told for each refusal (the 401 message). */
export const REFUSAL_MESSAGES: Readonly<Record<AuthRefusal, string>> = {
  missing: 'a bearer token is required: send `Authorization: Bearer <token>`',
  malformed: 'the Authorization header must be `Bearer <token>`',
  unknown: 'unknown or revoked token',
};

export class TokenAuth {
  readonly #byId = new Map<string, TokenEntry>();
  readonly #withoutId: readonly TokenEntry[];
  readonly #anonymous: Role | undefined;
  readonly #clock: () => number;
  readonly #ttl: number;
  readonly #maxRefused: number;
  readonly #key = randomBytes(32);
  readonly #valid = new Map<string, { principal: Principal; until: number }>();
  readonly #refused = new Map<string, number>();
  readonly #stats: TokenAuthStats = { kdfCalls: 0, cacheHits: 0, refused: 0 };

  constructor(opts: TokenAuthOptions) {
    for (const t of opts.tokens) if (t.id !== undefined) this.#byId.set(t.id, t);
    this.#withoutId = opts.tokens.filter((t) => t.id === undefined);
    this.#anonymous = opts.anonymous;
    this.#clock = opts.clock ?? Date.now;
    this.#ttl = opts.cacheTtlMs ?? 300_000;
    this.#maxRefused = opts.maxRefused ?? 1000;
  }

  get anonymousRole(): Role | undefined {
    return this.#anonymous;
  }

  /** names of the entries without an `id` (each costs one scrypt per unknown token) */
  get entriesWithoutId(): string[] {
    return this.#withoutId.map((t) => t.name);
  }

  stats(): TokenAuthStats {
    return { ...this.#stats };
  }

  /**
   * Who an `Authorization` header value belongs to, or why nobody. With `cachedOnly`, only a token verified
   * before is accepted and no scrypt runs (for a client address that is being rate limited).
   */
  check(header: string | undefined, opts: { cachedOnly?: boolean } = {}): AuthResult {
    if (header === undefined || header === '') {
      if (this.#anonymous) return { ok: true, principal: { name: 'anonymous', role: this.#anonymous } };
      return { ok: false, reason: 'missing' };
    }
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    const token = m?.[1];
    if (token === undefined) return { ok: false, reason: 'malformed' };
    const principal = this.#verify(token, opts.cachedOnly === true);
    if (!principal) {
      this.#stats.refused++;
      return { ok: false, reason: 'unknown' };
    }
    return { ok: true, principal };
  }

  /** The principal of an `Authorization` header value, or throws 401. */
  authenticate(header: string | undefined): Principal {
    const r = this.check(header);
    if (!r.ok) throw new UnauthorizedError(REFUSAL_MESSAGES[r.reason]);
    return r.principal;
  }

  /** Throws 403 unless `p` has at least `role`. */
  require(p: Principal, role: Role): void {
    if (!hasRole(p, role)) {
      throw new ForbiddenError(`this needs the ${role} role; token "${p.name}" has ${p.role}`);
    }
  }

  #verify(token: string, cachedOnly: boolean): Principal | undefined {
    const now = this.#clock();
    const key = createHmac('sha256', this.#key).update(token).digest('base64url');
    const hit = this.#valid.get(key);
    if (hit && hit.until > now) {
      this.#stats.cacheHits++;
      return hit.principal;
    }
    if (cachedOnly) return undefined;
    const refusedUntil = this.#refused.get(key);
    if (refusedUntil !== undefined && refusedUntil > now) return undefined;
    const dot = token.indexOf('.');
    const byId = dot > 0 ? this.#byId.get(token.slice(0, dot)) : undefined;
    for (const t of byId ? [byId] : this.#withoutId) {
      this.#stats.kdfCalls++;
      if (verifySecret(token, t.tokenHash)) {
        const principal = { name: t.name, role: t.role };
        // at most one token per entry verifies: the map cannot outgrow the config; drop stale ones anyway
        for (const [k, v] of this.#valid) if (v.until <= now) this.#valid.delete(k);
        this.#valid.set(key, { principal, until: now + this.#ttl });
        return principal;
      }
    }
    this.#refused.delete(key);
    if (this.#refused.size >= this.#maxRefused) {
      const oldest = this.#refused.keys().next().value;
      if (oldest !== undefined) this.#refused.delete(oldest);
    }
    this.#refused.set(key, now + Math.min(this.#ttl, 10_000));
    return undefined;
  }
}

export function hasRole(p: Principal, role: Role): boolean {
  return RANK[p.role] >= RANK[role];
}
