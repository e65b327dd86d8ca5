/**
 * The audit log file: private modes, one JSON line per event, rotation by size, retention, secrets never written,
 * and a failing disk counted and logged without an exception reaching the caller.
 */
import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../cloud/audit/audit-log.js';
import { captureLog } from '../helpers/log-capture.js';

let dir: string;
let now = Date.parse('2026-12-06T08:00:00Z');
const clock = () => now;
const DAY = 86_400_000;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function auditLog(path: string, extra: { maxFileBytes?: number; maxQueued?: number } = {}) {
  const { log, lines: logged } = captureLog('info');
  const audit = new AuditLog({
    path,
    maxFileBytes: extra.maxFileBytes ?? 1 << 20,
    retentionMs: 180 * DAY,
    log,
    clock,
    ...(extra.maxQueued === undefined ? {} : { maxQueued: extra.maxQueued }),
  });
  return { audit, logged };
}

describe('audit log file', () => {
  it('writes one JSON line per event, file 0600 in a directory 0700, secrets redacted', async () => {
    const path = join(dir, 'nested', 'audit', 'audit.jsonl');
    const { audit } = auditLog(path);
    await audit.open();
    audit.record({ type: 'alarm.ack', fields: { alarmId: 'a~b', tokenName: 'shift-lead', first: true } });
    audit.record({
      type: 'broker.refused',
      fields: { username: 'gw', password: 'hunter2', detail: { token: 'x' } },
    });
    await audit.flush();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested', 'audit'))).mode & 0o777).toBe(0o700);
    const events = await lines(path);
    expect(events).toEqual([
      {
        time: '2026-12-06T08:00:00.000Z',
        type: 'alarm.ack',
        alarmId: 'a~b',
        tokenName: 'shift-lead',
        first: true,
      },
      {
        time: '2026-12-06T08:00:00.000Z',
        type: 'broker.refused',
        username: 'gw',
        password: '[redacted]',
        detail: { token: '[redacted]' },
      },
    ]);
    await audit.close();
  });

  it('makes an existing file 0600 and its directory 0700, and appends', async () => {
    const path = join(dir, 'audit.jsonl');
    await chmod(dir, 0o755);
    await writeFile(path, '{"time":"2026-01-01T00:00:00.000Z","type":"config.loaded"}\n', { mode: 0o644 });
    const { audit } = auditLog(path);
    await audit.open();
    audit.record({ type: 'config.loaded', fields: {} });
    await audit.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await lines(path)).toHaveLength(2);
  });

  it('rotates by size and keeps every event', async () => {
    const path = join(dir, 'audit.jsonl');
    const { audit } = auditLog(path, { maxFileBytes: 2000 });
    await audit.open();
    for (let i = 0; i < 100; i++) {
      now += 1000;
      audit.record({ type: 'api.login', fields: { n: i } });
      if (i % 10 === 9) await audit.flush();
    }
    await audit.close();
    const files = (await readdir(dir)).filter((n) => n.startsWith('audit.jsonl')).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(audit.stats().rotations).toBe(files.length - 1);
    const all = [];
    for (const f of files) {
      expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(2000);
      all.push(...(await lines(join(dir, f))));
    }
    expect(all.map((e) => e['n']).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(100).keys()]);
  });

  it('deletes rotated files past the retention and keeps the rest', async () => {
    const path = join(dir, 'audit.jsonl');
    const old = `${path}.20260501T000000000Z`;
    const recent = `${path}.20261101T000000000Z`;
    await writeFile(old, '{"time":"2026-05-01T00:00:00.000Z","type":"api.login"}\n');
    await writeFile(recent, '{"time":"2026-11-01T00:00:00.000Z","type":"api.login"}\n');
    // their names tell when they were rotated: 219 and 35 days before now
    const { audit, logged } = auditLog(path);
    await audit.open();
    expect((await readdir(dir)).sort()).toEqual(['audit.jsonl', 'audit.jsonl.20261101T000000000Z']);
    expect(audit.stats().expired).toBe(1);
    expect(logged.some((l) => String(l['msg']).includes('past the retention'))).toBe(true);
    // a month later the other one goes too
    now += 150 * DAY;
    await audit.sweep();
    expect(await readdir(dir)).toEqual(['audit.jsonl']);
    await audit.close();
  });

  it('counts and logs a full disk, and record() neither throws nor waits', async () => {
    const path = join(dir, 'audit.jsonl');
    await symlink('/dev/full', path); // every write fails with ENOSPC, as on a full disk
    const { audit, logged } = auditLog(path);
    await audit.open();
    for (let i = 0; i < 20; i++)
      expect(() => audit.record({ type: 'api.login', fields: { i } })).not.toThrow();
    await audit.flush();
    audit.record({ type: 'api.login', fields: { i: 20 } });
    await audit.flush();
    expect(audit.stats()).toMatchObject({ written: 0, dropped: 21 });
    expect(audit.stats().writeErrors).toBeGreaterThanOrEqual(2);
    const errors = logged.filter((l) => l['code'] === 'ENOSPC');
    expect(errors).toHaveLength(1); // logged once a minute, not per write
    expect(errors[0]).toMatchObject({ level: 50, msg: expect.stringContaining('lost') });
    await audit.close();
  });

  it('drops (and counts) events beyond its queue bound and refuses a malformed type', async () => {
    const path = join(dir, 'audit.jsonl');
    const { audit, logged } = auditLog(path, { maxQueued: 5 });
    await audit.open();
    for (let i = 0; i < 8; i++) audit.record({ type: 'api.login', fields: { i } });
    audit.record({ type: 'Not A Type' as 'api.login' });
    await audit.flush();
    expect(audit.stats()).toMatchObject({ written: 5, dropped: 3 });
    expect(logged.some((l) => l['code'] === 'EQUEUEFULL')).toBe(true);
    expect(logged.some((l) => l['code'] === 'EBADTYPE')).toBe(true);
    expect(await lines(path)).toHaveLength(5);
    await audit.close();
  });
});
