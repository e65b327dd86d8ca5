/**
 * What a token guesser gets: wrong tokens cost at most one scrypt each (none for an unknown id, none when
 * repeated), a flood of them cannot evict a valid token from the cache, and after `authFailures.max` wrong tokens
 * the address is answered 429 without any scrypt while other clients are still served. Refusals land in the audit
 * log, and no token does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuth } from '../../cloud/api/token-auth.js';
import { AuditLog } from '../../cloud/audit/audit-log.js';
import { hashSecret } from '../../config/password-hash.js';
import { ADMIN, bearer, FAST, type TestApi, TOKENS, testApi, VIEWER } from './api-harness.js';

let now = 1_800_000_000_000;
const clock = () => now;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-auth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (app: TestApi, token: string | null, remoteAddress: string, url = '/api/v1/me') =>
  app.inject({ method: 'GET', url, remoteAddress, headers: token === null ? {} : bearer(token) });

describe('token checks an attacker cannot multiply', () => {
  // twenty configured tokens, all with ids
  const many = Array.from({ length: 20 }, (_, i) => ({
    name: `t${i}`,
    role: 'viewer' as const,
    id: `tok${String(i).padStart(2, '0')}`,
    tokenHash: hashSecret(`tok${String(i).padStart(2, '0')}.secret-${i}`, FAST),
  }));
  let app: TestApi;
  let auth: TokenAuth;

  beforeAll(async () => {
    auth = new TokenAuth({ tokens: [...TOKENS, ...many], clock });
    app = await testApi(
      { tokens: [...TOKENS, ...many], authFailures: { max: 100_000 } },
      { tokenAuth: auth, clock },
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  it('runs no scrypt for a token whose id is unknown, and one for a known id with a wrong secret', async () => {
    const before = auth.stats().kdfCalls;
    for (let i = 0; i < 50; i++)
      expect((await get(app, `guess${i}.whatever-${i}`, '10.1.0.1')).statusCode).toBe(401);
    for (let i = 0; i < 50; i++)
      expect((await get(app, `no-dot-guess-${i}`, '10.1.0.1')).statusCode).toBe(401);
    expect(auth.stats().kdfCalls - before).toBe(0);
    for (let i = 0; i < 5; i++) expect((await get(app, `tok07.wrong-${i}`, '10.1.0.1')).statusCode).toBe(401);
    expect(auth.stats().kdfCalls - before).toBe(5);
    // the same wrong token again: remembered as refused, no scrypt
    for (let i = 0; i < 5; i++) expect((await get(app, 'tok07.wrong-0', '10.1.0.1')).statusCode).toBe(401);
    expect(auth.stats().kdfCalls - before).toBe(5);
  });

  it('verifies a valid token once, and a flood of wrong tokens does not evict it', async () => {
    const before = auth.stats().kdfCalls;
    expect((await get(app, 'tok13.secret-13', '10.1.0.2')).json()).toEqual({ name: 't13', role: 'viewer' });
    expect(auth.stats().kdfCalls - before).toBe(1);
    // more distinct wrong tokens than any cache bound here
    for (let i = 0; i < 1500; i++) expect((await get(app, `flood${i}.x`, '10.1.0.3')).statusCode).toBe(401);
    const afterFlood = auth.stats().kdfCalls;
    expect(afterFlood - before).toBe(1);
    expect((await get(app, 'tok13.secret-13', '10.1.0.2')).statusCode).toBe(200);
    expect(auth.stats().kdfCalls).toBe(afterFlood); // served from the cache
  });

  it('costs one scrypt per id-less entry (older configs), as documented', async () => {
    const legacy = new TokenAuth({
      tokens: [
        { name: 'a', role: 'viewer', tokenHash: hashSecret('plain-a', FAST) },
        { name: 'b', role: 'viewer', tokenHash: hashSecret('plain-b', FAST) },
        ...many.slice(0, 5),
      ],
    });
    expect(legacy.entriesWithoutId).toEqual(['a', 'b']);
    expect(legacy.check('Bearer plain-b')).toEqual({ ok: true, principal: { name: 'b', role: 'viewer' } });
    const before = legacy.stats().kdfCalls;
    expect(legacy.check('Bearer unknown-guess').ok).toBe(false);
    expect(legacy.stats().kdfCalls - before).toBe(2);
  });
});

describe('failed-authentication rate limit per client address', () => {
  let app: TestApi;
  let auth: TokenAuth;
  let audit: AuditLog;

  beforeAll(async () => {
    audit = new AuditLog({
      path: join(dir, 'audit', 'audit.jsonl'),
      maxFileBytes: 1 << 20,
      retentionMs: 180 * 86_400_000,
      log: pino({ level: 'silent' }),
      clock,
    });
    await audit.open();
    auth = new TokenAuth({ tokens: TOKENS, clock });
    app = await testApi({ authFailures: { max: 5, window: '1m' } }, { tokenAuth: auth, clock, audit });
  });
  afterAll(async () => {
    await app?.close();
    await audit?.close();
  });

  it('answers 429 after max wrong tokens, runs no scrypt while blocked, and serves other clients', async () => {
    const attacker = '10.2.0.66';
    // a valid client behind the attacker's NAT, verified before the attack
    expect((await get(app, ADMIN, attacker)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get(app, `lead01.guess-${i}`, attacker)).statusCode).toBe(401);
    const kdf = auth.stats().kdfCalls;
    for (let i = 5; i < 50; i++) {
      const r = await get(app, `lead01.guess-${i}`, attacker);
      expect(r.statusCode).toBe(429);
      expect(r.json()).toMatchObject({ statusCode: 429, code: 'PP_API_AUTH_RATE_LIMITED' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    // the right token, never verified from here, is not even checked while blocked
    expect((await get(app, VIEWER, attacker)).statusCode).toBe(429);
    expect(auth.stats().kdfCalls).toBe(kdf);
    // the token verified before still works from the blocked address; other addresses are unaffected
    expect((await get(app, ADMIN, attacker)).statusCode).toBe(200);
    expect((await get(app, VIEWER, '10.2.0.5')).json()).toEqual({ name: 'control-room', role: 'viewer' });
    // a missing token is no guess: a browser before its login is not blocked
    for (let i = 0; i < 10; i++) expect((await get(app, null, '10.2.0.7')).statusCode).toBe(401);
    expect((await get(app, VIEWER, '10.2.0.7')).statusCode).toBe(200);
    // once the window is over the address may try again
    now += 60_001;
    expect((await get(app, `lead01.guess-again`, attacker)).statusCode).toBe(401);
    expect((await get(app, VIEWER, attacker)).statusCode).toBe(200);
  });

  it('cannot be made to fill the disk through the audit log: refusal events are throttled per address', async () => {
    const flooder = '10.2.0.99';
    for (let i = 0; i < 100; i++) expect((await get(app, null, flooder)).statusCode).toBe(401);
    now += 60_000;
    expect((await get(app, null, flooder)).statusCode).toBe(401);
    await audit.flush();
    const events = (await readFile(audit.path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e['address'] === flooder);
    expect(events).toHaveLength(31);
    expect(events.at(-1)).toMatchObject({ type: 'api.refused', reason: 'missing', suppressed: 70 });
    // every request was still answered, and a valid client from there is served
    expect((await get(app, VIEWER, flooder)).statusCode).toBe(200);
  });

  it('records refusals, the block and logins in the audit log, never a token', async () => {
    await audit.flush();
    const text = await readFile(audit.path, 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'api.refused',
        address: '10.2.0.66',
        route: '/api/v1/me',
        reason: 'unknown',
      }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'api.blocked', address: '10.2.0.66' }));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'api.login', tokenName: 'control-room', address: '10.2.0.5' }),
    );
    expect(events.filter((e) => e['type'] === 'api.blocked')).toHaveLength(1);
    for (const secret of [VIEWER, ADMIN, 'viewer-secret', 'admin-secret', 'guess-1'])
      expect(text).not.toContain(secret);
  });
});
