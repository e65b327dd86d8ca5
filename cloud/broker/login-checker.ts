import { randomBytes } from 'node:crypto';
import { hashSecret, type ScryptParams, verifySecretAsync } from '../../config/password-hash.js';
import type { BrokerUser } from '../../config/schemas/broker.js';

export type LoginVerdict = 'ok' | 'bad' | 'busy';

/**
 * Password checks for the broker, off the event loop: every check is exactly one scrypt run on libuv's thread pool
 * (`crypto.scrypt`), at most `concurrency` at once, at most `maxPending` waiting (more are answered `busy` with no
 * KDF run). An unknown user, a missing password and a plain `password:` user cost the same as a hashed user: plain
 * passwords are hashed at start, and an unknown user is checked against a dummy hash with the same parameters, so
 * neither the time nor the work tells whether a username exists.
 */
export class LoginChecker {
  readonly #hashes = new Map<string, string>();
  readonly #dummy: string;
  readonly #concurrency: number;
  readonly #maxPending: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** scrypt runs so far (one per check that was not `busy`) */
  kdfRuns = 0;

  constructor(users: readonly BrokerUser[], opts: { concurrency: number; maxPending: number }) {
    this.#concurrency = opts.concurrency;
    this.#maxPending = opts.maxPending;
    const params = paramsOf(users.find((u) => u.passwordHash !== undefined)?.passwordHash);
    this.#dummy = hashSecret(randomBytes(24).toString('base64url'), params);
    for (const u of users) {
      if (u.passwordHash !== undefined) this.#hashes.set(u.username, u.passwordHash);
      else if (u.password !== undefined) this.#hashes.set(u.username, hashSecret(u.password, params));
    }
  }

  /** Logins waiting for or in a check. */
  get pending(): number {
    return this.#running + this.#waiting.length;
  }

  async check(username: string | undefined, password: Buffer | undefined): Promise<LoginVerdict> {
    if (this.pending >= this.#maxPending) return 'busy';
    await this.#slot();
    try {
      this.kdfRuns++;
      const hash = username === undefined ? undefined : this.#hashes.get(username);
      const ok = await verifySecretAsync(password?.toString('utf8') ?? '', hash ?? this.#dummy, this.#dummy);
      return ok && hash !== undefined && password !== undefined ? 'ok' : 'bad';
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  #slot(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) =>
      this.#waiting.push(() => {
        this.#running++;
        resolve();
      }),
    );
  }
}

/** The scrypt parameters of a configured hash (so the dummy costs the same), or the defaults. */
function paramsOf(hash: string | undefined): ScryptParams | undefined {
  const [, n, r, p] = hash?.split('$') ?? [];
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  return Number.isInteger(N) && Number.isInteger(R) && Number.isInteger(P) ? { N, r: R, p: P } : undefined;
}
