/**
 * The contract of every durable queue (protocols/durable-queue under the agent's outbox and the ingester's spool),
 * one suite run over each of them (queue-kinds.ts), like aedes-persistence's abstract.js: FIFO, survives close and
 * reopen, survives `kill -9` mid-write and a torn log tail, sets a damaged file aside and opens a fresh queue, counts
 * its bytes against the bound and counts what its overflow policy did, and checkpoints keep the WAL bounded.
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { QueueOpenError, type QueueSync } from '../../../protocols/durable-queue/index.js';
import { captureLog } from '../../helpers/log-capture.js';
import { until } from '../../helpers/until.js';
import { killedWriter } from './killed-writer.js';
import { type QueueKind, type QueueUnderTest, T0 } from './queue-kinds.js';

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);

export function durableQueueContract(kind: QueueKind): void {
  describe(`durable queue contract: ${kind.name}`, () => {
    const root = mkdtempSync(join(tmpdir(), `pp-queue-${kind.name}-`));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    let dirs = 0;
    const { log, lines: logLines } = captureLog();
    const freshDir = () => join(root, `q${dirs++}`);
    const open = (dir: string, o: { maxBytes?: number; sync?: QueueSync } = {}): QueueUnderTest =>
      kind.open({ dir, maxBytes: o.maxBytes ?? 1 << 30, sync: o.sync ?? 'full', log });

    for (const sync of ['full', 'normal'] as const) {
      it(`gives entries back oldest first and lets them go in that order (sync ${sync})`, async () => {
        const q = open(freshDir(), { sync });
        expect(q.read(10)).toEqual([]);
        const ids = range(1, 5).map((i) => q.append(i, T0));
        expect(ids.every((id) => id !== undefined)).toBe(true);
        const nums = ids as number[];
        for (let k = 1; k < nums.length; k++) expect(nums[k]).toBeGreaterThan(nums[k - 1] as number);
        expect(q.read(10)).toEqual([1, 2, 3, 4, 5]);
        expect(q.read(2)).toEqual([1, 2]);
        q.take(2);
        expect(q.read(10)).toEqual([3, 4, 5]);
        expect(q.storage(T0)).toMatchObject({ rows: 3, items: 3, sync });
        q.take(3);
        expect(q.read(10)).toEqual([]);
        expect(q.storage(T0)).toMatchObject({ rows: 0, items: 0, bytes: 0, oldestAgeMs: 0 });
        const next = q.append(6, T0);
        expect(next).toBeGreaterThan(nums[4] as number); // ids are never reused, even after the queue emptied
        expect(q.read(10)).toEqual([6]);
        await q.close();
      });
    }

    it('keeps what it holds across close and reopen, with its accounting, ages and ids', async () => {
      const dir = freshDir();
      const first = open(dir);
      const ids = range(1, 6).map((i) => first.append(i, T0 + 1000 * i) as number);
      first.take(2);
      const before = first.storage(T0 + 10_000);
      expect(before).toMatchObject({ rows: 4, items: 4, oldestAgeMs: 7000, recoveries: 0 });
      await first.close();
      expect(existsSync(join(dir, `${kind.fileName}-wal`))).toBe(false); // a clean stop leaves one file
      expect(readdirSync(dir)).toEqual([kind.fileName]);

      const second = open(dir);
      expect(second.read(10)).toEqual([3, 4, 5, 6]);
      const after = second.storage(T0 + 10_000);
      expect(after).toMatchObject({
        rows: 4,
        items: 4,
        bytes: before.bytes,
        oldestAgeMs: 7000,
        recoveries: 0,
      });
      expect(after.fileBytes).toBeGreaterThan(0);
      expect(second.append(7, T0)).toBeGreaterThan(ids[5] as number);
      await second.close();
    });

    for (const sync of ['full', 'normal'] as const) {
      it(`survives a process killed mid-write: every entry it stored is there, in order (sync ${sync})`, async () => {
        const dir = freshDir();
        const run = await killedWriter(kind.name, dir, sync, 250);
        const q = open(dir);
        const held = q.read(1_000_000);
        // entries 1…appended were stored, the first `taken` were taken; the one append (or take) under way at the
        // kill may have committed without being printed
        expect(held[0]).toBeGreaterThanOrEqual(run.taken + 1);
        expect(held[0]).toBeLessThanOrEqual(run.taken + 2);
        expect(held.at(-1)).toBeGreaterThanOrEqual(run.appended);
        expect(held.at(-1)).toBeLessThanOrEqual(run.appended + 1);
        expect(held).toEqual(range(held[0] ?? 0, held.at(-1) ?? 0));
        expect(q.storage(T0)).toMatchObject({ rows: held.length, recoveries: 0 });
        const n = held.at(-1) ?? 0;
        q.append(n + 1, T0);
        expect(q.read(1_000_000).at(-1)).toBe(n + 1);
        await q.close();
      });
    }

    it('ignores a half-written frame at the end of its log (what a power cut can leave) and loses nothing', async () => {
      const dir = freshDir();
      const run = await killedWriter(kind.name, dir, 'full', 100);
      const wal = join(dir, `${kind.fileName}-wal`);
      expect(existsSync(wal)).toBe(true);
      appendFileSync(wal, Buffer.from(range(1, 3000).map((k) => (k * 7919) % 251)));
      const q = open(dir);
      const held = q.read(1_000_000);
      expect(held.at(-1)).toBeGreaterThanOrEqual(run.appended);
      expect(held).toEqual(range(held[0] ?? 0, held.at(-1) ?? 0));
      expect(q.storage(T0).recoveries).toBe(0);
      await q.close();
    });

    const damages: [string, (file: string) => void][] = [
      ['bytes that are no database', (file) => writeFileSync(file, Buffer.alloc(8192, 0x5a))],
      [
        'a queue file cut short',
        (file) => truncateSync(file, Math.floor(readFileSync(file).length / 2 / 4096) * 4096),
      ],
    ];
    for (const [what, damage] of damages) {
      it(`sets a damaged file aside (${what}), logs and counts it, and opens a fresh queue`, async () => {
        const dir = freshDir();
        const first = open(dir, { sync: 'normal' });
        for (let i = 1; i <= 400; i++) first.append(i, T0, 200);
        await first.close();
        const file = join(dir, kind.fileName);
        damage(file);
        const damagedBytes = readFileSync(file);
        logLines.length = 0;

        const q = open(dir);
        expect(q.read(10)).toEqual([]);
        const s = q.storage(T0);
        expect(s).toMatchObject({ rows: 0, recoveries: 1 });
        const movedTo = s.lastRecovery?.movedTo ?? '';
        expect(movedTo).toMatch(new RegExp(`${kind.fileName}\\.corrupt-\\d+$`));
        expect(readFileSync(movedTo).equals(damagedBytes)).toBe(true); // kept as it was, for inspection
        expect(logLines).toContainEqual(
          expect.objectContaining({ level: 50, file, movedTo, msg: expect.stringMatching(/moved aside/) }),
        );
        expect(q.append(1, T0)).toBeDefined();
        expect(q.read(10)).toEqual([1]);
        await q.close();
      });
    }

    const otherFiles: [string, (file: string) => void, RegExp][] = [
      [
        'a directory in its place',
        (file) => mkdirSync(file, { recursive: true }),
        /directory|unable to open/,
      ],
      [
        'a sound database whose table lacks a column (another program or version)',
        (file) => {
          const db = new Database(file);
          db.exec(`CREATE TABLE ${kind.table} (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER)`);
          db.close();
        },
        /lacks column\(s\) bytes, count/,
      ],
    ];
    for (const [what, make, reason] of otherFiles) {
      it(`leaves a file it cannot use for another reason than damage where it is, and says why (${what})`, () => {
        const dir = freshDir();
        mkdirSync(dir);
        const file = join(dir, kind.fileName);
        make(file);
        const before = readdirSync(dir);
        let err: unknown;
        try {
          open(dir);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(QueueOpenError);
        expect(err).toMatchObject({ code: 'QUEUE_OPEN_FAILED', message: expect.stringContaining(file) });
        expect((err as Error).message).toMatch(reason);
        expect(readdirSync(dir)).toEqual(before);
      });
    }

    it('counts the bytes it holds against the bound, the same after a reopen', async () => {
      const dir = freshDir();
      const q = open(dir);
      q.append(1, T0);
      const one = q.storage(T0).bytes;
      expect(one).toBeGreaterThan(0);
      q.append(2, T0, 1000);
      const two = q.storage(T0).bytes;
      expect(two).toBeGreaterThan(one + 1000);
      q.take(1);
      expect(q.storage(T0).bytes).toBe(two - one);
      await q.close();
      const again = open(dir);
      expect(again.storage(T0)).toMatchObject({ bytes: two - one, rows: 1, maxBytes: 1 << 30 });
      await again.close();
    });

    it('at its bound applies its overflow policy, counts it, and holds nothing it did not account for', async () => {
      const probe = open(freshDir());
      probe.append(1, T0);
      const size = probe.storage(T0).bytes;
      await probe.close();
      const maxBytes = Math.floor(size * 3.5);
      const dir = freshDir();
      const q = open(dir, { maxBytes });
      const o = q.overflow;
      if (o.policy === 'drop-oldest') {
        for (let i = 1; i <= 10; i++) q.append(i, T0);
        expect(q.read(100)).toEqual([8, 9, 10]); // the oldest went, never the newest
        expect(o.dropped()).toEqual({ entries: 7, items: 7 });
        expect(q.storage(T0).bytes).toBeLessThanOrEqual(maxBytes);
        await q.close();
        const again = open(dir, { maxBytes });
        if (again.overflow.policy !== 'drop-oldest') throw new Error('policy changed');
        expect(again.overflow.dropped()).toEqual({ entries: 7, items: 7 }); // counts persist
        await again.close();
      } else {
        let i = 0;
        while (!o.full()) q.append(++i, T0);
        expect(i).toBe(4);
        let admitted = false;
        const room = o.waitForRoom(new AbortController().signal).then(() => {
          admitted = true;
        });
        await new Promise((r) => setImmediate(r));
        expect(admitted).toBe(false);
        expect(o.waits()).toBe(1);
        q.take(2);
        await room;
        expect(admitted).toBe(true);
        q.append(++i, T0);
        expect(q.read(100)).toEqual([3, 4, 5]); // nothing dropped: it waited instead
        await q.close();
      }
    });

    it('keeps its write-ahead log bounded by checkpoints while much more than that passes through', async () => {
      const dir = freshDir();
      const q = open(dir);
      const wal = () => q.storage(T0).walBytes;
      let maxWal = 0;
      let written = 0;
      for (let i = 1; i <= 320; i++) {
        q.append(i, T0, 32 * 1024);
        written += 32 * 1024;
        q.take(1);
        maxWal = Math.max(maxWal, wal());
      }
      expect(written).toBeGreaterThanOrEqual(10 * 1024 * 1024);
      expect(maxWal).toBeGreaterThan(0);
      expect(maxWal).toBeLessThan(6 * 1024 * 1024); // SQLite's checkpoint at ~4 MiB of log, plus one transaction
      await q.close();
      expect(existsSync(join(dir, `${kind.fileName}-wal`))).toBe(false);
    });

    it('with sync normal, checkpoints about every second so that the database file itself holds the entries', async () => {
      const dir = freshDir();
      const q = open(dir, { sync: 'normal' });
      for (let i = 1; i <= 5; i++) q.append(i, T0);
      await until('a checkpoint', () => (q.storage(T0).checkpoints > 0 ? true : undefined), 15_000, 25);
      // what a power cut leaves when the log's tail was never written: the database file alone
      const copy = freshDir();
      mkdirSync(copy);
      copyFileSync(join(dir, kind.fileName), join(copy, kind.fileName));
      const fromFile = open(copy);
      expect(fromFile.read(10)).toEqual([1, 2, 3, 4, 5]);
      await fromFile.close();
      await q.close();
    });
  });
}
