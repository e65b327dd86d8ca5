/**
 * `plantpulse probe` against an independent peer: a pymodbus server holding known values, each encoded by pymodbus
 * in one byte/word order. The probe must show each value in exactly the column of the order it was written in, take
 * the address in every form, print a config line that `agent --once` then reads the value with, and explain an
 * illegal-address exception with the off-by-one hint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { runAgentOnce } from '../../../cli/commands/agent-once.js';
import { runProbe } from '../../../cli/commands/probe.js';
import { memoryIo } from '../../helpers/memory-io.js';
import { type PeerPoint, type PymodbusPeer, startPymodbusPeer } from '../modbus/pymodbus-peer.js';
import { jsonLines, tableSection, tempDir, writeAgentConfig } from './commission-fixture.js';

const V = 123.456;
const F = Math.fround(V);
/** a contiguous map (pymodbus answers exception 2 for a request touching any unmapped register) */
const POINTS: PeerPoint[] = [
  { table: 'holding', address: 100, type: 'float32', order: 'ABCD', value: V },
  { table: 'holding', address: 102, type: 'float32', order: 'CDAB', value: V },
  { table: 'holding', address: 104, type: 'float32', order: 'BADC', value: V },
  { table: 'holding', address: 106, type: 'float32', order: 'DCBA', value: V },
  { table: 'holding', address: 108, type: 'int32', order: 'CDAB', value: -123456789 },
  { table: 'holding', address: 110, type: 'uint64', order: 'GHEFCDAB', value: '18000000000000000001' },
  { table: 'holding', address: 114, type: 'float64', order: 'HGFEDCBA', value: -9876.54321 },
  { table: 'holding', address: 118, type: 'uint16', order: 'BADC', value: 0x1234 },
  { table: 'holding', address: 119, type: 'string', length: 4, value: 'PRESS-7' },
  { table: 'coil', address: 6, value: false },
  { table: 'coil', address: 7, value: true },
];

let peer: PymodbusPeer;
const tmp = tempDir();
beforeAll(async () => {
  peer = await startPymodbusPeer(POINTS);
});
afterAll(() => {
  peer?.close();
  tmp.remove();
});

async function probe(...args: string[]) {
  const m = memoryIo();
  const code = await runProbe([peer.url, ...args], m.io);
  return { code, out: m.out(), err: m.err() };
}

describe('plantpulse probe ⇄ pymodbus', () => {
  it('shows each value in exactly the order column pymodbus wrote it in (json)', async () => {
    const r = await probe('--address', '100', '--count', '23', '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const at = new Map(jsonLines(r.out).map((o) => [o.address, o]));
    const cell = (address: number, type: string) => at.get(address)?.[type] as Record<string, unknown>;
    for (const [address, order] of [
      [100, 'ABCD'],
      [102, 'CDAB'],
      [104, 'BADC'],
      [106, 'DCBA'],
    ] as const) {
      const row = cell(address, 'float32');
      expect(row[order], `float32 at ${address}`).toBe(F);
      for (const [o, v] of Object.entries(row)) if (o !== order) expect(v, `${address} ${o}`).not.toBe(F);
    }
    expect(cell(108, 'int32')).toMatchObject({ CDAB: -123456789 });
    expect(cell(108, 'int32').ABCD).not.toBe(-123456789);
    expect(cell(110, 'uint64')).toMatchObject({ GHEFCDAB: '18000000000000000001' });
    expect(cell(110, 'uint64').ABCDEFGH).not.toBe('18000000000000000001');
    expect(cell(114, 'float64')).toMatchObject({ HGFEDCBA: -9876.54321 });
    expect(cell(118, 'uint16')).toEqual({ ABCD: 0x3412, BADC: 0x1234 });
    expect(at.get(119)).toMatchObject({ ascii: 'PR', reference: '40120', number: 120, hex: '0x5052' });
  });

  it('the table shows 123.456 under CDAB, and only there, in the row of the value', async () => {
    const r = await probe('40103', '--count', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('40103 is 0-based protocol address 102 (address: 102 in the config)');
    const rows = tableSection(r.out, /^float32 /);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ADDRESS: '102', REF: '40103', CDAB: '123.456' });
    expect([rows[0]?.ABCD, rows[0]?.BADC, rows[0]?.DCBA]).not.toContain('123.456');
    const words = tableSection(r.out, /^16-bit/);
    expect(words.map((w) => [w.ADDRESS, w.REGISTER, w.REF])).toEqual([
      ['102', '103', '40103'],
      ['103', '104', '40104'],
    ]);
  });

  it('takes the address in every form and reads the same registers', async () => {
    const forms = [
      ['40103'],
      ['400103'],
      ['4x0103'],
      ['4x103'],
      ['--address', '102'],
      ['--address', '4x0103'],
    ];
    const seen = new Set<string>();
    for (const f of forms) {
      const r = await probe(...f, '--count', '2', '--format', 'json');
      expect(r.code, `${f.join(' ')}: ${r.err}`).toBe(0);
      const first = jsonLines(r.out)[0];
      expect(first, f.join(' ')).toMatchObject({ address: 102, float32: { CDAB: F } });
      seen.add(r.out);
    }
    expect(seen.size).toBe(1);
    const short = await probe('103');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/"103" is ambiguous.*--address 103/);
  });

  it('prints the config line for the chosen interpretation; agent --once reads the value with it', async () => {
    const r = await probe('40103', '--as', 'float32:CDAB', '--name', 'spindle_load');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('float32:CDAB at holding 102 reads 123.456');
    const line = r.out.split('\n').find((l) => l.trim().startsWith('- { name: spindle_load'));
    expect(line?.trim()).toBe(
      '- { name: spindle_load, table: holding, address: 102, type: float32, order: CDAB }',
    );
    const wide = await probe(
      '--address',
      '110',
      '--as',
      'uint64:CDAB',
      '--name',
      'energy_wh',
      '--format',
      'json',
    );
    const chosen = jsonLines(wide.out).at(-1);
    expect(chosen).toMatchObject({
      as: 'uint64:CDAB',
      value: '18000000000000000001',
      config: '- { name: energy_wh, table: holding, address: 110, type: uint64, order: GHEFCDAB }',
    });

    const points = [
      ...(parseYaml(line ?? '') as object[]),
      ...(parseYaml(String(chosen?.config)) as object[]),
    ] as NonNullable<AgentDeviceInput['poll']>[number]['points'];
    const file = writeAgentConfig(tmp.dir, [
      { id: 'peer', modbus: { url: peer.url, timeout: '2s' }, poll: [{ every: '1s', points }] },
    ]);
    const m = memoryIo();
    expect(await runAgentOnce(['-c', file, '--once', '--format', 'json'], m.io), m.err()).toBe(0);
    const got = Object.fromEntries(jsonLines(m.out()).map((o) => [o.metric, o]));
    expect(got.spindle_load).toMatchObject({ value: F, quality: 'good', device: 'peer' });
    expect(got.energy_wh).toMatchObject({ value: '18000000000000000001', quality: 'good' });
  });

  it('an illegal address is exception 2 with its code and the off-by-one hint, never a stack trace', async () => {
    const r = await probe('--address', '5000', '--count', '2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^probe failed: MODBUS_EXCEPTION 2: .*illegal data address/m);
    expect(r.err).toMatch(
      /^hint: .*0-based address 5000…5001\. The address may be off by one.*--address 4999/m,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
    const j = await probe('45001', '--format', 'json');
    expect(j.code).toBe(1);
    expect(jsonLines(j.out)[0]).toMatchObject({
      error: { code: 'MODBUS_EXCEPTION', detail: 2, hint: expect.stringContaining('off by one') },
    });
  });

  it('reads coils with their 0xxxx references and prints a bool config line', async () => {
    const r = await probe('00007', '--count', '2', '--as', 'bool', '--name', 'door_open');
    expect(r.code, r.err).toBe(0);
    expect(tableSection(r.out, /^bits/)).toEqual([
      { ADDRESS: '6', COIL: '7', REF: '00007', VALUE: '0' },
      { ADDRESS: '7', COIL: '8', REF: '00008', VALUE: '1' },
    ]);
    expect(r.out).toContain('- { name: door_open, table: coil, address: 6 }');
  });
});
