/**
 * Bearer-token authentication with two roles. The config holds only scrypt hashes of the tokens (`tokenHash`,
 * made by `plantpulse hash-password`); a successful verification is cached by the token's SHA-256 for a few
 * minutes so scrypt runs once per token, not once per request. Failed tokens are cached too (briefly), so a client
 * retrying a wrong token cannot make the server run scrypt in a loop.
 */
import { createHash } from 'node:crypto';
import { verifySecret } from '../../config/password-hash.js';
import { ForbiddenError, UnauthorizedError } from './errors.js';

export type Role = 'viewer' | 'admin';
const RANK: Record<Role, number> = { viewer: 1, admin: 2 };

export interface TokenEntry {
  name: string;
  role: Role;
  tokenHash: string;
}

export interface Principal {
  name: string;
  role: Role;
}

export interface TokenAuthOptions {
  tokens: readonly TokenEntry[];
  /** without a token, act as this role (`viewer` for a trusted control-room LAN); default: refuse */
  anonymous?: Role | undefined;
  clock?: () => number;
  cacheTtlMs?: number;
  maxCache?: number;
}

export class TokenAuth {
  readonly #tokens: readonly TokenEntry[];
  readonly #anonymous: Role | undefined;
  readonly #clock: () => number;
  readonly #ttl: number;
  readonly #max: number;
  readonly #cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(opts: TokenAuthOptions) {
    this.#tokens = opts.tokens;
    this.#anonymous = opts.anonymous;
    this.#clock = opts.clock ?? Date.now;
    this.#ttl = opts.cacheTtlMs ?? 300_000;
    this.#max = opts.maxCache ?? 1000;
  }

  get anonymousRole(): Role | undefined {
    return this.#anonymous;
  }

  /** The principal of an `Authorization` header value, or throws 401. */
  authenticate(header: string | undefined): Principal {
    if (header === undefined || header === '') {
      if (this.#anonymous) return { name: 'anonymous', role: this.#anonymous };
      throw new UnauthorizedError();
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = m?.[1];
    if (token === undefined) throw new UnauthorizedError('the Authorization header must be `Bearer <token>`');
    const principal = this.#verify(token);
    if (!principal) throw new UnauthorizedError('unknown or revoked token');
    return principal;
  }

  /** Throws 403 unless `p` has at least `role`. */
  require(p: Principal, role: Role): void {
    if (RANK[p.role] < RANK[role]) {
      throw new ForbiddenError(`this needs the ${role} role; token "${p.name}" has ${p.role}`);
    }
  }

  #verify(token: string): Principal | undefined {
    const now = this.#clock();
    const id = createHash('sha256').update(token).digest('base64url');
    const hit = this.#cache.get(id);
    if (hit && hit.until > now) return hit.principal;
    let principal: Principal | undefined;
    for (const t of this.#tokens) {
      if (verifySecret(token, t.tokenHash)) {
        principal = { name: t.name, role: t.role };
        break;
      }
    }
    if (this.#cache.size >= this.#max) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(id, { principal, until: now + (principal ? this.#ttl : Math.min(this.#ttl, 10_000)) });
    return principal;
  }
}
