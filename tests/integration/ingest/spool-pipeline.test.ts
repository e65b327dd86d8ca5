/**
 * The ingester's spool against a real InfluxDB (docs/architecture.md#delivery-contract): messages are
 * acknowledged once spooled, drained in order in batches, kept through an outage and a restart, bounded with
 * back-pressure, and field type conflicts are caught before the server (or learnt from it) and dead-lettered
 * with the reason.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Point } from '@influxdata/influxdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../../cloud/ingest/dead-letter.js';
import { openSpoolPipeline, type SpoolPipeline } from '../../../cloud/ingest/spool-pipeline.js';
import { createInfluxSink } from '../../../cloud/sink/index.js';
import { resolveConfig } from '../../../config/load.js';
import { createRootLogger } from '../../../config/logging.js';
import { SpoolSettings } from '../../../config/schemas/cloud.js';
import type { InfluxTarget } from '../../../config/schemas/influx.js';
import { queryInfluxQL } from '../../../protocols/influx/influxql-query.js';
import { buildPoint } from '../../../protocols/influx/point-builder.js';
import { influxTarget } from '../../helpers/configs.js';
import { freshDatabase, influxUrl } from '../../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { until as untilDeadline } from '../../helpers/until.js';

const until = <T>(what: string, f: () => Promise<T | undefined> | T | undefined) =>
  untilDeadline(what, f, 30_000, 50);

const log = createRootLogger('test', 'silent');
const root = mkdtempSync(join(tmpdir(), 'pp-spool-'));
let dirs = 0;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(root, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 1);
const FIXTURES = fileURLToPath(new URL('../../fixtures/queue-files', import.meta.url));

function point(
  device: string,
  seq: number,
  fields: Record<string, number | bigint | string | boolean> = {},
): Point {
  const r = buildPoint({
    measurement: 'telemetry',
    tags: { site: 's', node: 'n', device },
    fields: { seq: BigInt(seq), ...fields },
    timestamp: T0 + seq,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.point;
}

interface Rig {
  pipeline: SpoolPipeline;
  db: string;
  dataDir: string;
  dead: DeadLetterFile;
  proxy: TcpProxy;
  target: InfluxTarget;
}

async function rig(
  opts: {
    maxBytes?: number;
    batchLines?: number;
    dataDir?: string;
    db?: string;
    flushIntervalMs?: number;
    idleFlushMs?: number;
  } = {},
): Promise<Rig> {
  const db = opts.db ?? (await freshDatabase('spool'));
  const u = new URL(influxUrl());
  const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  const target: InfluxTarget = influxTarget({
    url: `http://127.0.0.1:${proxy.port}`,
    database: db,
    api: 'v1',
  });
  const sink = createInfluxSink(target, log, { timeoutMs: 3000 });
  const dataDir = opts.dataDir ?? join(root, `d${dirs++}`);
  const dead = new DeadLetterFile(join(dataDir, 'dead-letter.jsonl'), log);
  const pipeline = openSpoolPipeline({
    dataDir,
    influx: target,
    sink,
    dead,
    log,
    flushIntervalMs: opts.flushIntervalMs ?? 100,
    ...(opts.idleFlushMs === undefined ? {} : { idleFlushMs: opts.idleFlushMs }),
    // the config's defaults (spool.maxBytes, influx.batchSize) unless the test sets them
    maxBytes: opts.maxBytes ?? resolveConfig(SpoolSettings, {}).maxBytes,
    batchLines: opts.batchLines ?? target.batchSize,
  });
  pipeline.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await pipeline.stop();
    await sink.close();
    await proxy.close();
  };
  cleanups.push(stop);
  return Object.assign({ pipeline, db, dataDir, dead, proxy, target }, { stop });
}

async function seqs(db: string, device: string): Promise<number[]> {
  const rows = await queryInfluxQL(influxUrl(), {
    db,
    q: `SELECT seq FROM telemetry WHERE device = '${device}'`,
  });
  return rows.map((r) => Number(r['seq']));
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const signal = new AbortController().signal;

describe('ingester spool', () => {
  it('drains spooled messages to InfluxDB in order and empties itself', async () => {
    const r = await rig({ batchLines: 25 });
    for (let i = 1; i <= 200; i++) await r.pipeline.writer.write([point('a', i)], signal);
    await until('all 200 points', async () => ((await seqs(r.db, 'a')).length === 200 ? true : undefined));
    expect(await seqs(r.db, 'a')).toEqual(range(1, 200));
    await until('spool empty', () => (r.pipeline.spool.isEmpty ? true : undefined));
    const s = r.pipeline.stats();
    expect(s.spool.appended).toBe(200);
    expect(s.drain.lines).toBe(200);
    expect(s.drain.batches).toBeGreaterThanOrEqual(8);
  });

  it('commits the messages in flight together (one transaction per group) and drains them all, in order', async () => {
    const r = await rig();
    // 30 messages handed over at once, as the consumer does with several in flight
    await Promise.all(range(1, 30).map((i) => r.pipeline.writer.write([point('h', i)], signal)));
    const intake = r.pipeline.stats().intake;
    expect(intake.messages).toBe(30);
    expect(intake.groups).toBeLessThan(30);
    expect(intake.largestGroup).toBeGreaterThan(1);
    await until('all 30 points', async () => ((await seqs(r.db, 'h')).length === 30 ? true : undefined));
    expect(await seqs(r.db, 'h')).toEqual(range(1, 30));
  });

  it('acknowledges while InfluxDB is unreachable and delivers everything, in order, when it returns', async () => {
    const r = await rig();
    r.proxy.refuse();
    for (let i = 1; i <= 100; i++) await r.pipeline.writer.write([point('b', i)], signal);
    // every write resolved (the PUBACK would have gone), nothing is in InfluxDB, the writer is retrying
    await until('the writer to be retrying', () =>
      r.pipeline.stats().writer.retries > 0 ? true : undefined,
    );
    expect(await seqs(r.db, 'b')).toEqual([]);
    expect(r.pipeline.stats().spool.messages).toBe(100);
    r.proxy.pass();
    await until('all 100 points', async () => ((await seqs(r.db, 'b')).length === 100 ? true : undefined));
    expect(await seqs(r.db, 'b')).toEqual(range(1, 100));
  });

  it('keeps what it did not write across a restart and writes it after', async () => {
    const first = await rig();
    first.proxy.refuse();
    for (let i = 1; i <= 30; i++) await first.pipeline.writer.write([point('c', i)], signal);
    await (first as unknown as { stop: () => Promise<void> }).stop();
    expect(await seqs(first.db, 'c')).toEqual([]);
    const second = await rig({ dataDir: first.dataDir, db: first.db });
    await until('the 30 points', async () => ((await seqs(first.db, 'c')).length === 30 ? true : undefined));
    expect(await seqs(first.db, 'c')).toEqual(range(1, 30));
    await until('the spool to empty', () => (second.pipeline.spool.isEmpty ? true : undefined));
  });

  it('drains a spool file written (and killed) before the shared queue core: an upgrade keeps what was acknowledged', async () => {
    const dataDir = join(root, `d${dirs++}`);
    mkdirSync(dataDir);
    for (const f of ['spool.db', 'spool.db-wal']) copyFileSync(join(FIXTURES, f), join(dataDir, f));
    const r = await rig({ dataDir });
    expect(r.pipeline.types.typeOf('telemetry', 'mode')).toBe('string');
    await until('the 4 spooled messages', async () =>
      (await seqs(r.db, 'press-07')).length === 4 ? true : undefined,
    );
    const rows = await queryInfluxQL(influxUrl(), {
      db: r.db,
      q: `SELECT seq, temp, mode FROM telemetry WHERE device = 'press-07'`,
    });
    expect(rows.map((x) => [x['seq'], x['temp'], x['mode']])).toEqual([
      [2, 20.5, 'auto 2'],
      [3, 20.75, 'auto 3'],
      [4, 21, 'auto 4'],
      [5, 21.25, 'auto 5'],
    ]);
    await until('the spool to empty', () => (r.pipeline.spool.isEmpty ? true : undefined));
    expect(r.pipeline.stats().spool.storage).toMatchObject({ recoveries: 0, rows: 0 });
  });

  it('keeps the field types a message taught across a restart (persisted from the spool file)', async () => {
    const first = await rig();
    // InfluxDB unreachable: the types cannot come back from it (SHOW FIELD KEYS), only from the spool file
    first.proxy.refuse();
    await first.pipeline.writer.write([point('t', 1, { temp: 20.5, state: 'running', count: 3n })], signal);
    await (first as unknown as { stop: () => Promise<void> }).stop();
    const second = await rig({ dataDir: first.dataDir, db: first.db });
    expect(
      ['temp', 'state', 'count', 'seq'].map((f) => second.pipeline.types.typeOf('telemetry', f)),
    ).toEqual(['float', 'string', 'integer', 'integer']);
  });

  it('writes what is spooled on a clean stop, without waiting for the batch interval', async () => {
    const r = await rig({ flushIntervalMs: 3_600_000 });
    for (let i = 1; i <= 10; i++) await r.pipeline.writer.write([point('g', i)], signal);
    expect(await seqs(r.db, 'g')).toEqual([]);
    await (r as unknown as { stop: () => Promise<void> }).stop();
    expect(await seqs(r.db, 'g')).toEqual(range(1, 10));
  });

  it('writes a burst once the intake pauses (idleFlushMs), without waiting for the batch interval', async () => {
    const r = await rig({ flushIntervalMs: 3_600_000, idleFlushMs: 20 });
    await Promise.all(range(1, 10).map((i) => r.pipeline.writer.write([point('i', i)], signal)));
    // the interval is an hour: only the pause after the burst can have sent them
    await until('the 10 points', async () => ((await seqs(r.db, 'i')).length === 10 ? true : undefined));
    expect(await seqs(r.db, 'i')).toEqual(range(1, 10));
    await until('spool empty', () => (r.pipeline.spool.isEmpty ? true : undefined));
  });

  it('holds the next message back while the spool is full (back-pressure), and lets it in once drained', async () => {
    const r = await rig({ maxBytes: 2000 });
    r.proxy.refuse();
    let i = 0;
    while (!r.pipeline.spool.full) await r.pipeline.writer.write([point('d', ++i)], signal);
    let admitted = false;
    const next = r.pipeline.writer.write([point('d', ++i)], signal).then(() => {
      admitted = true;
    });
    await until('the writer to wait for room', () => (r.pipeline.stats().spool.waits > 0 ? true : undefined));
    expect(admitted).toBe(false);
    r.proxy.pass();
    await next;
    expect(admitted).toBe(true);
    await until('all points', async () => ((await seqs(r.db, 'd')).length === i ? true : undefined));
    expect(await seqs(r.db, 'd')).toEqual(range(1, i));
  });

  it('catches a field type conflict before InfluxDB: coerces integer→float, dead-letters the rest with the reason', async () => {
    const r = await rig();
    await r.pipeline.writer.write([point('e', 1, { temp: 20.5, state: 'running' })], signal);
    await r.pipeline.writer.write([point('e', 2, { temp: 21n, state: 3n })], signal);
    await until('both points', async () => ((await seqs(r.db, 'e')).length === 2 ? true : undefined));
    const rows = await queryInfluxQL(influxUrl(), {
      db: r.db,
      q: `SELECT seq, temp, state FROM telemetry WHERE device = 'e'`,
    });
    expect(rows.map((x) => [x['seq'], x['temp'], x['state']])).toEqual([
      [1, 20.5, 'running'],
      [2, 21, null],
    ]);
    const lines = readFileSync(r.dead.path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}') as { reason: string; data: string };
    expect(entry.reason).toMatch(
      /field type conflict: "state" on "telemetry" is integer, the field is string/,
    );
    expect(entry.data).toContain('state=3i');
    expect(r.pipeline.stats().intake).toMatchObject({ typeConflicts: 1, coerced: 1 });
  });

  it('learns a type InfluxDB already holds from its refusal, and dead-letters only the refused lines', async () => {
    const r = await rig();
    await r.pipeline.seeded;
    // Another writer created the field as a string after this ingester started (and read the field types).
    const res = await fetch(`${influxUrl()}/write?db=${r.db}&precision=ms`, {
      method: 'POST',
      body: `telemetry,site=s,node=n,device=other mode="auto" ${T0}`,
    });
    expect(res.status).toBe(204);
    await r.pipeline.writer.write([point('f', 1, { mode: 2n })], signal);
    await r.pipeline.writer.write([point('f', 2)], signal);
    await until('the good point', async () => ((await seqs(r.db, 'f')).includes(2) ? true : undefined));
    await until('the refusal', () => (r.dead.count > 0 ? true : undefined));
    // only the refused value is dead-lettered, alone: the rest of its line (seq 1) is stored
    const dead = readFileSync(r.dead.path, 'utf8').trim().split('\n');
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0] ?? '{}')).toMatchObject({
      data: `telemetry,device=f,node=n,site=s mode=2i ${T0 + 1}`,
      reason: expect.stringMatching(/field type conflict/),
    });
    expect(await seqs(r.db, 'f')).toEqual([1, 2]);
    expect(r.pipeline.types.typeOf('telemetry', 'mode')).toBe('string');
    // From now on the conflict is caught before InfluxDB.
    await r.pipeline.writer.write([point('f', 3, { mode: 4n })], signal);
    expect(r.pipeline.stats().intake.typeConflicts).toBe(1);
    await until('point 3', async () => ((await seqs(r.db, 'f')).includes(3) ? true : undefined));
  });
});
