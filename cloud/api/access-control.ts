/**
 * Who may call what, decided on the route the router matched — never on the raw URL, whose spelling an attacker
 * chooses (`/%61pi/…`, `/api//…`, `/api/v1/../v1/…`): whatever the spelling, if the router runs a handler, the
 * handler's route declares the least role it needs, or that it is public.
 *
 * - `config: { role: 'viewer' | 'admin' }` — a bearer token of at least that role (or `api.anonymous`).
 * - `config: { public: true }` — anyone (the dashboard's files, /healthz).
 * - neither — refused (403) for everybody: default deny. Routes under /docs get `api.docsRole`.
 * - no route (404) at a path that normalises to /api… or /docs…: authenticated first, so unknown and known paths
 *   look alike to someone without a token.
 *
 * A wrong token counts against the client address (auth-failures.ts); a blocked address gets 429 without its token
 * being checked, unless the token is one already verified (a valid client behind the same NAT).
 * Refusals, blocks and each token's first use from an address (again after an hour) go to the audit log. So that
 * a flood of requests cannot fill the disk through it, an address gets at most 30 refusal events a minute; the next
 * one recorded says how many were left out (`suppressed`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { FloodLimit } from '../../protocols/flood-limit.js';
import type { AuditSink } from '../audit/audit-event.js';
import type { AuthFailureLimit } from './auth-failures.js';
import { ForbiddenError, TooManyFailuresError, UnauthorizedError } from './errors.js';
import { hasRole, type Principal, REFUSAL_MESSAGES, type Role, type TokenAuth } from './token-auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** least role a route needs; a route with neither `role` nor `public` is refused */
    role?: Role;
    /** anyone may call it */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AccessControlOptions {
  auth: TokenAuth;
  limit: AuthFailureLimit;
  /** least role for /docs */
  docsRole: Role;
  audit: AuditSink;
  log: Logger;
  clock: () => number;
}

/** Paths (after normalising) whose unknown routes still need a token. */
const PROTECTED = ['/api', '/docs'];

/** Adds the onRoute hook that gives /docs its role; call before the docs plugin registers its routes. */
export function docsAccess(app: FastifyInstance, docsRole: Role): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/docs')) return;
    const config = route.config ?? {};
    if (config.role === undefined && config.public === undefined)
      route.config = { ...config, role: docsRole };
  });
}

/** Adds the onRequest hook that authenticates and authorises every request (see the file comment). */
export function accessControl(app: FastifyInstance, opts: AccessControlOptions): void {
  const logins = new LoginLog(opts.clock);
  // at most 30 refusal events per address per minute in the audit log
  const throttle = new FloodLimit({ max: 30, windowMs: 60_000, clock: opts.clock });
  const refuse = (req: FastifyRequest, reason: string, extra: Record<string, string> = {}) => {
    const suppressed = throttle.admit(req.ip);
    if (suppressed === undefined) return;
    opts.audit.record({
      type: 'api.refused',
      fields: {
        address: req.ip,
        method: req.method,
        route: routeOf(req),
        reason,
        ...extra,
        ...(suppressed > 0 ? { suppressed } : {}),
      },
    });
  };

  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    if (req.is404) {
      if (!isProtectedPath(req.url)) return;
    } else if (config.public === true) return;

    const header = req.headers.authorization;
    const blockedFor = opts.limit.blockedFor(req.ip);
    const result = opts.auth.check(header, { cachedOnly: blockedFor > 0 });
    if (!result.ok && blockedFor > 0) {
      reply.header('retry-after', String(blockedFor));
      throw new TooManyFailuresError(blockedFor);
    }
    if (!result.ok) {
      refuse(req, result.reason);
      // only a wrong token is a guess; a missing or malformed header costs nothing and guesses nothing
      if (result.reason === 'unknown' && opts.limit.fail(req.ip)) {
        opts.audit.record({ type: 'api.blocked', fields: { address: req.ip, route: routeOf(req) } });
        opts.log.warn({ address: req.ip }, 'too many failed authentications from this address: blocked');
      }
      throw new UnauthorizedError(REFUSAL_MESSAGES[result.reason]);
    }
    const principal = result.principal;
    if (logins.first(principal.name, req.ip)) {
      opts.audit.record({
        type: 'api.login',
        fields: { tokenName: principal.name, role: principal.role, address: req.ip, route: routeOf(req) },
      });
    }
    req.principal = principal;
    if (req.is404) return;
    if (config.role === undefined) {
      refuse(req, 'route declares no role', { tokenName: principal.name });
      opts.log.error({ route: routeOf(req) }, 'a route declares neither a role nor public: refused');
      throw new ForbiddenError('this route is not open to any role');
    }
    if (!hasRole(principal, config.role)) {
      refuse(req, `needs the ${config.role} role`, { tokenName: principal.name });
      throw new ForbiddenError(
        `this needs the ${config.role} role; token "${principal.name}" has ${principal.role}`,
      );
    }
  });
}

function routeOf(req: FastifyRequest): string {
  return req.is404 ? '(no route)' : (req.routeOptions.url ?? '(no route)');
}

/**
 * The path the way a lenient server or proxy might read it: percent-decoded (repeatedly), backslashes as slashes,
 * `;` parameters dropped, repeated slashes and dot segments resolved, lower case.
 */
export function normalisePath(rawUrl: string): string {
  let p = rawUrl.split('?')[0] ?? '';
  for (let i = 0; i < 3; i++) {
    let d: string;
    try {
      d = decodeURIComponent(p);
    } catch {
      break;
    }
    if (d === p) break;
    p = d;
  }
  const out: string[] = [];
  for (const raw of p.replace(/\\/g, '/').split('/')) {
    const seg = raw.split(';')[0] ?? '';
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg.toLowerCase());
  }
  return `/${out.join('/')}`;
}

export function isProtectedPath(rawUrl: string): boolean {
  const p = normalisePath(rawUrl);
  return PROTECTED.some((x) => p === x || p.startsWith(`${x}/`));
}

/** First use of a token from an address, again after an hour; bounded. */
class LoginLog {
  readonly #seen = new Map<string, number>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  first(name: string, address: string): boolean {
    const key = `${name}\u0000${address}`;
    const now = this.#clock();
    const last = this.#seen.get(key);
    if (last !== undefined && now - last < 3_600_000) return false;
    this.#seen.delete(key);
    if (this.#seen.size >= 10_000) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(key, now);
    return true;
  }
}
