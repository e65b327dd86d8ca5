/**
 * The audit trail through the API: a second acknowledgement of an alarm no longer overwrites the first (each one
 * is its own audit event), and `GET /api/v1/audit` serves admins the events by time range and type, page by page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../cloud/api/device-registry.js';
import { LiveBus } from '../../cloud/api/live-bus.js';
import { createApiServer } from '../../cloud/api/server.js';
import { AuditLog } from '../../cloud/audit/audit-log.js';
import { hashSecret } from '../../config/password-hash.js';
import { apiConfig } from '../helpers/configs.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';
import { type Fixture, SITE, writeFixture } from '../integration/api/plant-fixture.js';
import { ADMIN, bearer, FAST, TOKENS, VIEWER } from './api-harness.js';

const SECOND_ADMIN = 'lead02.another-admin-secret-55e1';
let dir: string;
let fx: Fixture;
let audit: AuditLog;
let app: ReturnType<typeof createApiServer>;
let now = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-audit-api-'));
  const db = await freshDatabase('audit');
  fx = await writeFixture(influxUrl(), db);
  now = fx.now + 1000;
  audit = new AuditLog({
    path: join(dir, 'audit.jsonl'),
    maxFileBytes: 4096, // small: the pages below span rotated files
    retentionMs: 180 * 86_400_000,
    log: pino({ level: 'silent' }),
    clock: () => now,
  });
  await audit.open();
  app = createApiServer({
    config: apiConfig({
      port: 0,
      tokens: [
        ...TOKENS,
        { name: 'night-lead', role: 'admin', id: 'lead02', tokenHash: hashSecret(SECOND_ADMIN, FAST) },
      ],
    }),
    influx: { url: influxUrl(), database: db },
    live: new LiveBus(),
    log: pino({ level: 'silent' }),
    registry: new DeviceRegistry(),
    clock: () => now,
    audit,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await audit?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, token: string | null) =>
  app.inject({ method: 'GET', url, headers: token === null ? {} : bearer(token) });

const ack = (id: string, token: string, comment: string) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/alarms/${encodeURIComponent(id)}/ack`,
    headers: bearer(token),
    payload: { comment },
  });

describe('alarm acknowledgements', () => {
  it('keeps the first acknowledgement on the alarm and records every one', async () => {
    const alarms = (await get(`/api/v1/alarms?site=${SITE}`, VIEWER)).json() as {
      id: string;
      acked: boolean;
    }[];
    const open = alarms.find((a) => !a.acked);
    if (!open) throw new Error('the fixture has an unacknowledged alarm');
    now += 1000;
    const first = await ack(open.id, ADMIN, 'heater band replaced');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      acked: true,
      ackedBy: 'shift-lead',
      ackComment: 'heater band replaced',
    });
    const firstAt = (first.json() as { ackedAt: number }).ackedAt;
    now += 60_000;
    const second = await ack(open.id, SECOND_ADMIN, 'it was the thermocouple');
    expect(second.statusCode).toBe(200);
    // the alarm still tells who acknowledged it first, when, and why
    expect(second.json()).toMatchObject({
      ackedBy: 'shift-lead',
      ackedAt: firstAt,
      ackComment: 'heater band replaced',
    });
    const stored = (await get(`/api/v1/alarms?site=${SITE}`, VIEWER)).json() as {
      id: string;
      ackedBy: string;
    }[];
    expect(stored.find((a) => a.id === open.id)?.ackedBy).toBe('shift-lead');

    const page = (await get('/api/v1/audit?types=alarm.ack&from=-1d', ADMIN)).json() as {
      events: Record<string, unknown>[];
    };
    expect(page.events).toEqual([
      expect.objectContaining({
        alarmId: open.id,
        tokenName: 'shift-lead',
        comment: 'heater band replaced',
        first: true,
      }),
      expect.objectContaining({
        alarmId: open.id,
        tokenName: 'night-lead',
        comment: 'it was the thermocouple',
        first: false,
      }),
    ]);
  });

  it('lets only one of two simultaneous acknowledgements be the first', async () => {
    const alarms = (await get(`/api/v1/alarms?site=${SITE}&status=all&from=-7d`, VIEWER)).json() as {
      id: string;
      acked: boolean;
      active: boolean;
    }[];
    const target = alarms.find((a) => !a.acked && a.active === false) ?? alarms.find((a) => !a.acked);
    if (!target) throw new Error('the fixture has another unacknowledged alarm');
    const [a, b] = await Promise.all([ack(target.id, ADMIN, 'one'), ack(target.id, SECOND_ADMIN, 'two')]);
    if (a.statusCode === 404) return expect(b.statusCode).toBe(404); // a cleared alarm cannot be acknowledged
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect((a.json() as { ackedBy: string }).ackedBy).toBe((b.json() as { ackedBy: string }).ackedBy);
    const page = (await get('/api/v1/audit?types=alarm.ack&from=-1d&limit=1000', ADMIN)).json() as {
      events: { alarmId: string; first: boolean }[];
    };
    expect(
      page.events
        .filter((e) => e.alarmId === target.id)
        .map((e) => e.first)
        .sort(),
    ).toEqual([false, true]);
  });
});

describe('GET /api/v1/audit', () => {
  it('is for admins only', async () => {
    expect((await get('/api/v1/audit', null)).statusCode).toBe(401);
    expect((await get('/api/v1/audit', VIEWER)).statusCode).toBe(403);
    expect((await get('/%61pi/v1/audit', VIEWER)).statusCode).toBe(403);
    expect((await get('/api/v1/audit', ADMIN)).statusCode).toBe(200);
  });

  it('filters by type and time range and pages through rotated files without losing or repeating an event', async () => {
    const start = now + 1;
    for (let i = 0; i < 120; i++) {
      now += 1000;
      audit.record({ type: 'opcua.trust', fields: { certificate: `thumbprint-${i}`, action: 'trusted' } });
    }
    now += 1000;
    expect(audit.stats().rotations).toBe(0); // written in the background: nothing yet
    const seen: number[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const r = await get(
        `/api/v1/audit?types=opcua.trust,config.loaded&from=${start}&to=${now}&limit=25&offset=${offset}`,
        ADMIN,
      );
      expect(r.statusCode).toBe(200);
      const page = r.json() as { events: { type: string; certificate: string }[]; next: number | null };
      expect(page.events.length).toBeLessThanOrEqual(25);
      for (const e of page.events) {
        expect(e.type).toBe('opcua.trust');
        seen.push(Number(e.certificate.split('-')[1]));
      }
      offset = page.next;
    }
    expect(seen).toEqual([...Array(120).keys()]);
    expect(audit.stats().rotations).toBeGreaterThan(0);
    // a narrower range
    const narrow = (
      await get(`/api/v1/audit?types=opcua.trust&from=${start + 10_000}&to=${start + 20_000}`, ADMIN)
    ).json() as { events: unknown[] };
    expect(narrow.events).toHaveLength(10);
  });

  it('rejects a bad filter with a clear message', async () => {
    const r = await get('/api/v1/audit?types=DROP%20TABLE', ADMIN);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'FST_ERR_VALIDATION', message: expect.stringMatching(/types/) });
  });
});
