/**
 * The host's birth store (SQLite file) and `HostApplication.restore`: a restarted host decodes aliased data at once
 * from the births it kept, still asks for a rebirth, and forgets births that deaths or newer NBIRTHs made void.
 * Messages come from our real EdgeNode; the store is a real file in a temp dir.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EdgeNode, type OutMsg } from '../../../agent/publish/edge-node.js';
import { SqliteBirthStore } from '../../../cloud/host/birth-store.js';
import { HostApplication, type HostResult } from '../../../cloud/host/host-application.js';
import type { Sample } from '../../../protocols/sample.js';
import { captureLog } from '../../helpers/log-capture.js';

let dir: string;
let file: string;
const { log, lines: logLines } = captureLog();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pp-births-'));
  file = join(dir, 'data', 'sparkplug-births.sqlite');
  logLines.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let now = 1_767_225_600_000;
function edge(): EdgeNode {
  return new EdgeNode({
    site: 'cq',
    node: 'gw1',
    clock: () => now,
    devices: [
      {
        id: 'press',
        metrics: [
          { name: 'power_kw', kind: 'double', unit: 'kW' },
          { name: 'part_count', kind: 'uint32' },
        ],
      },
      { id: 'lathe', metrics: [{ name: 'state', kind: 'string' }], tags: { line: 'line3', kind: 'lathe' } },
    ],
  });
}
const sample = (device: string, metric: string, value: Sample['value']): Sample => ({
  device,
  metric,
  value,
  timestamp: ++now,
  quality: 'good',
});
const feed = (host: HostApplication, msgs: (OutMsg | undefined)[]): HostResult[] =>
  msgs.flatMap((m) => (m ? [host.handle(m.topic, m.payload)] : []));
const codes = (rs: HostResult[]) => rs.flatMap((r) => r.problems.map((p) => p.code));

it('a restarted host decodes aliased DDATA at once from the stored births and still asks for a rebirth', () => {
  const e = edge();
  e.will();
  const store1 = SqliteBirthStore.open(file, log);
  const host1 = new HostApplication({ hostId: 'h', births: store1 });
  feed(host1, e.onConnected());
  feed(host1, [e.data('press', [sample('press', 'power_kw', 1.5)])]);
  store1.close(); // the process dies here (kill -9 keeps what SQLite committed)

  const store2 = SqliteBirthStore.open(file, log);
  const host2 = new HostApplication({ hostId: 'h', births: store2 });
  const restored = host2.restore(store2.load());
  expect(restored.samples.toArray()).toEqual([]);
  expect(restored.status).toEqual([]);
  expect(restored.commands).toEqual([]);
  expect(restored.births.map((b) => b.device ?? '(node)').sort()).toEqual(['(node)', 'lathe', 'press']);
  expect(restored.births.find((b) => b.device === 'press')?.metrics).toContainEqual(
    expect.objectContaining({ name: 'part_count', kind: 'uint32' }),
  );
  // device tags (DBIRTH `Properties/<key>`) come back with the births
  expect(restored.births.find((b) => b.device === 'lathe')?.tags).toEqual({ line: 'line3', kind: 'lathe' });
  expect(restored.births.find((b) => b.device === 'press')?.tags).toEqual({});

  // queued data published while the host was down: seq has moved on, aliases only
  e.data('press', [sample('press', 'power_kw', 2)]); // lost: never reaches host2
  const [first] = feed(host2, [e.data('press', [sample('press', 'part_count', 42)])]);
  expect(first?.samples.toArray().map((s) => [s.device, s.metric, s.value])).toEqual([
    ['press', 'part_count', 42],
  ]);
  expect(first?.problems.map((p) => p.code)).toEqual(['REBIRTH_REQUESTED']);
  expect(first?.commands.map((c) => c.topic)).toEqual(['spBv1.0/cq/NCMD/gw1']);
  // seq resynced on that message: the next one is in order, no gap, no second rebirth
  const next = feed(host2, [e.data('lathe', [sample('lathe', 'state', 'running')])]);
  expect(codes(next)).toEqual([]);
  expect(next[0]?.samples.toArray().map((s) => s.value)).toEqual(['running']);
  store2.close();
});

it('deaths and newer births void what is stored', () => {
  const e = edge();
  e.will();
  const store = SqliteBirthStore.open(file, log);
  const host = new HostApplication({ hostId: 'h', births: store });
  feed(host, e.onConnected());
  // DDEATH of the lathe: its birth is void
  feed(host, [e.deviceDown('lathe', 'timeout')]);
  const reopen = () => {
    const s = SqliteBirthStore.open(file, log);
    const births = s.load().map((b) => b.topic);
    s.close();
    return births;
  };
  expect(reopen()).toEqual(['spBv1.0/cq/NBIRTH/gw1', 'spBv1.0/cq/DBIRTH/gw1/press']);
  // the lathe returns
  feed(host, [e.deviceUp('lathe')]);
  expect(reopen()).toHaveLength(3);
  // NDEATH with the birth's bdSeq: nothing of the node is kept
  feed(host, [e.death()]);
  expect(reopen()).toEqual([]);
  // a new session: NBIRTH replaces, then the device births
  e.onDisconnected();
  e.will();
  feed(host, e.onConnected());
  expect(reopen()).toHaveLength(3);
  store.close();

  // after a restart without births, DDATA cannot be decoded: dropped, counted, rebirth asked
  rmSync(file);
  const empty = SqliteBirthStore.open(file, log);
  const host2 = new HostApplication({ hostId: 'h', births: empty });
  host2.restore(empty.load());
  const r = feed(host2, [e.data('press', [sample('press', 'power_kw', 3)])]);
  expect(r[0]?.problems.find((p) => p.code === 'NOT_BORN')?.dropped).toBe(1);
  expect(r[0]?.commands).toHaveLength(1);
  empty.close();
});

it('a damaged store file is moved aside and a new one started; write failures are logged, never thrown', () => {
  const first = SqliteBirthStore.open(file, log);
  first.close();
  writeFileSync(file, 'this is not a SQLite database, just bytes on disk '.repeat(100));
  const store = SqliteBirthStore.open(file, log);
  expect(store.load()).toEqual([]);
  expect(readdirSync(join(dir, 'data')).some((f) => f.includes('.corrupt-'))).toBe(true);
  expect(logLines.some((l) => String(l['msg']).includes('moved aside'))).toBe(true);

  store.close(); // any later write fails inside SQLite
  expect(() =>
    store.nodeBirth('cq', 'gw1', { topic: 'spBv1.0/cq/NBIRTH/gw1', payload: new Uint8Array([1]) }),
  ).not.toThrow();
  expect(store.failures).toBe(1);
  expect(logLines.some((l) => l['level'] === 50 && String(l['msg']).includes('could not store'))).toBe(true);
  expect(existsSync(file)).toBe(true);
});
