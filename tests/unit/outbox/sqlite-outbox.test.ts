import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutboxDrop } from '../../../agent/outbox/outbox.js';
import { SqliteOutbox } from '../../../agent/outbox/sqlite-outbox.js';
import { createRootLogger } from '../../../config/logging.js';
import { outboxContract, sample } from './outbox-contract.js';

const log = createRootLogger('test', 'silent');
const root = mkdtempSync(join(tmpdir(), 'pp-outbox-'));
let n = 0;
const freshFile = () => join(root, `t${n++}`, 'outbox.db');
const FIXTURES = fileURLToPath(new URL('../../fixtures/queue-files', import.meta.url));

afterAll(() => rmSync(root, { recursive: true, force: true }));

outboxContract('SqliteOutbox', (maxBytes) => {
  const drops: OutboxDrop[] = [];
  return {
    outbox: SqliteOutbox.open({ file: freshFile(), maxBytes, log, onDrop: (d) => drops.push(d) }),
    drops,
  };
});

outboxContract('SqliteOutbox (sync normal)', (maxBytes) => {
  const drops: OutboxDrop[] = [];
  const outbox = SqliteOutbox.open({
    file: freshFile(),
    maxBytes,
    log,
    sync: 'normal',
    onDrop: (d) => drops.push(d),
  });
  return { outbox, drops };
});

// Durability (restart, kill -9, damaged file, WAL) is the durable queue contract's: tests/unit/durable-queue.
describe('SqliteOutbox', () => {
  it('opens an outbox file written before the shared queue core and delivers what it held (upgrade)', async () => {
    const dir = join(root, 'upgrade');
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, 'outbox.db'), join(dir, 'outbox.db'));
    const box = SqliteOutbox.open({ file: join(dir, 'outbox.db'), maxBytes: 1 << 20, log });
    const left = box.peekAfter(0, 10);
    const T = Date.UTC(2026, 0, 1);
    expect(left.map((e) => [e.id, e.device, e.createdAt])).toEqual([
      [4, 'cnc-01', T + 3000],
      [5, 'press-07', T + 4000],
      [6, 'lathe-03', T + 5000],
    ]);
    expect(left[0]?.samples).toEqual([
      { device: 'cnc-01', metric: 'program', value: 'O1234 "roughing"', timestamp: T + 3, quality: 'good' },
      { device: 'cnc-01', metric: 'door', value: null, timestamp: T + 3, quality: 'uncertain' },
    ]);
    expect(left[1]?.samples[0]).toEqual({
      device: 'press-07',
      metric: 'part_count',
      value: 102,
      timestamp: T + 4,
      quality: 'good',
      historical: true,
    });
    expect(left[2]?.samples).toEqual([
      {
        device: 'lathe-03',
        metric: 'current_a',
        value: -0.125,
        timestamp: T + 5,
        quality: 'good',
        qualityCode: 0,
      },
    ]);
    expect(box.stats(T + 10_000)).toMatchObject({
      messages: 3,
      oldestAgeMs: 7000,
      dropped: 2,
      droppedSamples: 4,
      droppedDelivered: 1,
      droppedDeliveredSamples: 2,
    });
    expect(box.lastId()).toBe(6);
    for (const e of left) box.ack(e.id);
    expect(box.stats(T).messages).toBe(0);
    expect(box.append('press-07', [sample('press-07', 'seq', 1, 1)], T)?.id).toBe(7);
    await box.close();
  });

  it('persists the drop counters, so metrics do not forget an overflow on restart', async () => {
    const file = freshFile();
    const box = SqliteOutbox.open({ file, maxBytes: 1, log });
    for (let i = 0; i < 5; i++) box.append('d', [sample('d', 'seq', i, i), sample('d', 'x', i, i)], 1000);
    await box.close();
    const again = SqliteOutbox.open({ file, maxBytes: 1, log });
    expect(again.stats(1000)).toMatchObject({ dropped: 4, droppedSamples: 8, messages: 1 });
    await again.close();
  });

  it('drops an unreadable row, counts it and goes on with the rest', async () => {
    const file = freshFile();
    const drops: OutboxDrop[] = [];
    const box = SqliteOutbox.open({ file, maxBytes: 1 << 20, log, onDrop: (d) => drops.push(d) });
    const a = box.append('d', [sample('d', 'seq', 1, 1)], 0);
    const b = box.append('d', [sample('d', 'seq', 2, 2)], 0);
    const raw = new Database(file);
    raw.prepare('UPDATE entries SET samples = ? WHERE id = ?').run('{not json', a?.id);
    raw.close();
    expect(box.peekAfter(0, 10).map((e) => e.id)).toEqual([b?.id]);
    expect(box.stats(0)).toMatchObject({ droppedCorrupt: 1, messages: 1 });
    expect(drops).toEqual([expect.objectContaining({ id: a?.id, reason: 'corrupt' })]);
    await box.close();
  });

  it('refuses appends after close as a counted value, not an exception', async () => {
    const box = SqliteOutbox.open({ file: freshFile(), maxBytes: 1 << 20, log });
    await box.close();
    expect(box.append('d', [sample('d', 'seq', 1, 1)], 0)).toBeUndefined();
    expect(box.stats(0).storeFailures).toBe(1);
  });
});
