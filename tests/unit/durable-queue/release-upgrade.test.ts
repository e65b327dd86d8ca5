/**
 * An upgrade from plantpulse 0.1.0: the files that release wrote (tests/fixtures/release-0.1.0, made with its own
 * code) are opened by this version, migrated to the current on-disk format (`PRAGMA user_version`) and keep what
 * they hold; a file of a newer format than this code knows is refused and left as it is.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDeriveState } from '../../../agent/derive/state-store.js';
import { SqliteOutbox } from '../../../agent/outbox/sqlite-outbox.js';
import { readState } from '../../../agent/state-file.js';
import { BIRTH_STORE_FORMAT, SqliteBirthStore } from '../../../cloud/host/birth-store.js';
import { Spool } from '../../../cloud/ingest/spool.js';
import { queueFormat } from '../../../protocols/durable-queue/index.js';
import { decodePayload } from '../../../protocols/sparkplug/index.js';
import { captureLog } from '../../helpers/log-capture.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/release-0.1.0', import.meta.url));
const T0 = Date.UTC(2026, 0, 1);
const root = mkdtempSync(join(tmpdir(), 'pp-release-upgrade-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of the release's files. */
function release(): string {
  const dir = mkdtempSync(join(root, 'r-'));
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}
const versionOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return Number(db.pragma('user_version', { simple: true }));
  } finally {
    db.close();
  }
};

describe('upgrade from plantpulse 0.1.0', () => {
  it('the outbox keeps its waiting batches and is migrated to the current format', async () => {
    const dir = release();
    const file = join(dir, 'agent', 'outbox.db');
    expect(versionOf(file)).toBe(0);
    const { log, lines } = captureLog();
    const box = SqliteOutbox.open({ file, maxBytes: 1 << 20, log });
    const left = box.peekAfter(0, 10);
    expect(left.map((e) => [e.id, e.device, e.createdAt])).toEqual([
      [1, 'press-07', T0],
      [2, 'press-07', T0 + 1000],
    ]);
    expect(left[1]?.samples.map((s) => [s.metric, s.value])).toEqual([
      ['part_count', 101],
      ['power_kw', 11.75],
    ]);
    await box.close();
    expect(versionOf(file)).toBe(queueFormat('outbox').version);
    expect(lines.filter((l) => l['msg'] === 'outbox file format migrated')).toMatchObject([
      { from: 0, to: 1 },
    ]);
    // opened again: already current, nothing to migrate
    const again = captureLog();
    const box2 = SqliteOutbox.open({ file, maxBytes: 1 << 20, log: again.log });
    expect(box2.peekAfter(0, 10)).toHaveLength(2);
    await box2.close();
    expect(again.lines.some((l) => String(l['msg']).includes('migrated'))).toBe(false);
  });

  it('the spool keeps its waiting messages and field types', async () => {
    const dir = release();
    const file = join(dir, 'cloud', 'spool.db');
    const { log } = captureLog();
    const spool = Spool.open({ file, maxBytes: 1 << 20, log });
    const batch = spool.peek(100);
    expect(batch?.blocks.map((b) => b.text)).toEqual([
      `telemetry,site=cq,node=gw,device=press-07 seq=1i ${T0}`,
      `telemetry,site=cq,node=gw,device=press-07 seq=2i ${T0 + 1}`,
    ]);
    expect(spool.load()).toEqual([['telemetry', 'seq', 'integer']]);
    await spool.close();
    expect(versionOf(file)).toBe(queueFormat('spool').version);
  });

  it('the birth store keeps the births the host restores its aliases from', () => {
    const dir = release();
    const file = join(dir, 'cloud', 'births.db');
    const { log } = captureLog();
    const store = SqliteBirthStore.open(file, log);
    const births = store.load();
    expect(births.map((b) => b.topic)).toEqual(['spBv1.0/cq/NBIRTH/gw', 'spBv1.0/cq/DBIRTH/gw/press-07']);
    expect(decodePayload(births[1]?.payload ?? new Uint8Array()).metrics[0]).toMatchObject({
      name: 'seq',
      alias: 1n,
    });
    store.close();
    expect(versionOf(file)).toBe(BIRTH_STORE_FORMAT.version);
  });

  it("the agent's totals and bdSeq carry on", () => {
    const dir = release();
    const totals = loadDeriveState(join(dir, 'agent', 'derive-lathe-03.json'), 'lathe-03', T0);
    expect(totals).toMatchObject({ kind: 'loaded', state: { energy: { kwh: 12.5 }, parts: { total: 42 } } });
    expect(readState(join(dir, 'agent', 'edge-state.json'), { nextBdSeq: 0 }).nextBdSeq).toBe(7);
  });

  it('a file of a newer format is refused and left as it is', async () => {
    const dir = release();
    const file = join(dir, 'agent', 'outbox.db');
    const db = new Database(file);
    db.pragma('user_version = 9');
    db.close();
    const { log } = captureLog();
    expect(() => SqliteOutbox.open({ file, maxBytes: 1 << 20, log })).toThrow(
      /outbox file format 9 is newer than this plantpulse reads \(1\)/,
    );
    expect(versionOf(file)).toBe(9);
    expect(readdirSync(join(dir, 'agent')).filter((f) => f.includes('corrupt'))).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
