import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('SqliteOutbox durability', () => {
  it('keeps unacknowledged batches, their order, ids and drop counters across a restart', async () => {
    const file = freshFile();
    const first = SqliteOutbox.open({ file, maxBytes: 1 << 20, log });
    const ids = [1, 2, 3, 4].map(
      (i) => first.append('press-1', [sample('press-1', 'seq', i, i)], 1000 + i)?.id,
    );
    first.ack(ids[0] as number);
    await first.close();

    const second = SqliteOutbox.open({ file, maxBytes: 1 << 20, log });
    const left = second.peekAfter(0, 10);
    expect(left.map((e) => e.id)).toEqual(ids.slice(1));
    expect(left.map((e) => e.samples[0]?.value)).toEqual([2, 3, 4]);
    expect(second.stats(2000)).toMatchObject({ messages: 3, oldestAgeMs: 998 });
    expect(second.lastId()).toBe(ids[3]);
    for (const e of left) second.ack(e.id);
    const next = second.append('press-1', [sample('press-1', 'seq', 5, 5)], 3000);
    expect(next?.id).toBeGreaterThan(ids[3] as number);
    await second.close();
  });

  it('sees committed batches from another connection without a clean close (what a crash leaves behind)', async () => {
    const file = freshFile();
    const writer = SqliteOutbox.open({ file, maxBytes: 1 << 20, log });
    for (let i = 0; i < 50; i++) writer.append('d', [sample('d', 'seq', i, i)], 1000);
    // No close(): the WAL is not checkpointed. A second process opening the file must see every committed batch.
    const reader = new Database(file, { readonly: true });
    const count = reader.prepare('SELECT count(*) AS n FROM entries').get() as { n: number };
    expect(count.n).toBe(50);
    reader.close();
    await writer.close();
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

  it('moves a damaged database aside and starts empty instead of crashing', async () => {
    const file = freshFile();
    const box = SqliteOutbox.open({ file, maxBytes: 1 << 20, log });
    await box.close();
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const fresh = SqliteOutbox.open({ file, maxBytes: 1 << 20, log });
    expect(fresh.stats(0).messages).toBe(0);
    expect(fresh.append('d', [sample('d', 'seq', 1, 1)], 0)).toBeDefined();
    const dir = join(file, '..');
    expect(readdirSync(dir).some((f) => f.startsWith('outbox.db.corrupt-'))).toBe(true);
    await fresh.close();
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
