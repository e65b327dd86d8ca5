/**
 * The dead-letter file's rotation (README "Security / Ingester") on a real directory: entries added at once are all
 * kept, in order, across rotations; one entry larger than the cap goes whole into a fresh file; past `maxFiles`
 * the oldest file goes and its bytes are counted.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../../cloud/ingest/dead-letter.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const fresh = async () => {
  const d = await mkdtemp(join(tmpdir(), 'pp-dlq-'));
  dirs.push(d);
  return d;
};
const entries = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { code?: string; data: string });

describe('DeadLetterFile', () => {
  it('keeps every entry of concurrent adds, in order, across rotations', async () => {
    const dir = await fresh();
    const dead = new DeadLetterFile(join(dir, 'dead-letter.jsonl'), pino({ level: 'silent' }), {
      maxFileBytes: 1000,
      maxFiles: 100,
    });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        dead.add('message', [{ code: 'X', reason: 'r', data: `entry-${i}` }]),
      ),
    );
    const files = (await readdir(dir)).length;
    expect(dead.stats()).toMatchObject({ message: 60, rotations: files - 1, deletedFiles: 0 });
    const all = [];
    for (let n = files - 1; n >= 1; n--) all.push(...(await entries(dead.rotatedPath(n))));
    all.push(...(await entries(dead.path)));
    expect(all.map((e) => e.data)).toEqual(Array.from({ length: 60 }, (_, i) => `entry-${i}`));
    expect(all.every((e) => e.code === 'X')).toBe(true);
  });

  it('writes an entry larger than the cap whole, and deletes the oldest file past maxFiles', async () => {
    const dir = await fresh();
    const dead = new DeadLetterFile(join(dir, 'dead-letter.jsonl'), pino({ level: 'silent' }), {
      maxFileBytes: 100,
      maxFiles: 1,
    });
    const big = 'b'.repeat(500);
    await dead.add('line', [{ reason: 'first', data: 'small' }]);
    await dead.add('line', [{ reason: 'second', data: big }]);
    expect((await entries(dead.path)).map((e) => e.data)).toEqual([big]);
    expect((await entries(dead.rotatedPath(1))).map((e) => e.data)).toEqual(['small']);
    await dead.add('line', [{ reason: 'third', data: 'last' }]);
    expect((await entries(dead.path)).map((e) => e.data)).toEqual(['last']);
    expect((await entries(dead.rotatedPath(1))).map((e) => e.data)).toEqual([big]);
    expect((await readdir(dir)).sort()).toEqual(['dead-letter.1.jsonl', 'dead-letter.jsonl']);
    expect(dead.stats()).toMatchObject({ line: 3, rotations: 2, deletedFiles: 1 });
    expect(dead.stats().deletedBytes).toBeGreaterThan(0);
  });
});
