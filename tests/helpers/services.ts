/**
 * Typed access, from inside a test, to the real services started once per run by `global-setup.ts`.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { ProvidedMosquitto } from './global-setup.js';

/** Base URL of the run's InfluxDB 1.x, e.g. http://127.0.0.1:40123 (no auth). */
export function influxUrl(): string {
  return inject('influxUrl');
}

/** The run's Mosquitto broker: url (mqtt://127.0.0.1:port), main user/password and extra users. */
export function mosquitto(): ProvidedMosquitto {
  return inject('mosquitto');
}

/** Credentials of one broker user by name (`plantpulse`, `reader`, `writer`, `device`). */
export function mosquittoUser(username: string): { username: string; password: string } {
  const u = mosquitto().users.find((x) => x.username === username);
  if (!u) throw new Error(`no mosquitto user ${username} in the global setup`);
  return u;
}

/**
 * How far the database's clock runs ahead of this process's (ms; negative when behind), from the `Date` header of
 * InfluxDB's `/ping`. Zero on a normal run; under `npm run test:repeat -- --faketime` node's clock is shifted
 * while influxd (a Go program, which reads the time without libc) keeps the real one, so a test whose data must
 * fall inside a short retention policy dates it by the database's clock. Resolution: one second.
 */
export async function influxClockSkewMs(): Promise<number> {
  const before = Date.now();
  const res = await fetch(`${influxUrl()}/ping`, { signal: AbortSignal.timeout(15_000) });
  const after = Date.now();
  await res.arrayBuffer();
  const date = Date.parse(res.headers.get('date') ?? '');
  if (!Number.isFinite(date)) throw new Error('InfluxDB /ping answered without a Date header');
  const skew = Math.round(date - (before + after) / 2);
  // within the header's one-second resolution the clocks agree
  return Math.abs(skew) < 2_000 ? 0 : skew;
}

async function influxQuery(q: string): Promise<void> {
  const res = await fetch(`${influxUrl()}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok || text.includes('"error"'))
    throw new Error(`InfluxQL ${q} failed: HTTP ${res.status} ${text}`);
}

/**
 * Creates a uniquely named database (`<prefix>_<random>`) in the run's InfluxDB and returns its name, so a test
 * file never sees another file's data.
 */
export async function freshDatabase(prefix: string): Promise<string> {
  const clean = prefix.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40) || 'test';
  const name = `${clean}_${randomBytes(6).toString('hex')}`;
  await influxQuery(`CREATE DATABASE "${name}"`);
  return name;
}

/** Drops a database made by `freshDatabase` (optional: the whole server goes away after the run). */
export function dropDatabase(name: string): Promise<void> {
  return influxQuery(`DROP DATABASE "${name.replace(/"/g, '')}"`);
}
