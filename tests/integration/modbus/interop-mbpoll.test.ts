import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackages } from '../../../scripts/services/debian-packages.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import type { SimProfile } from '../../../simulators/modbus/profile.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { openPtyPair } from '../../../simulators/modbus/pty-pair.js';

/** Interop with an independent master: Debian's mbpoll reads our simulator and must agree with what it declares. */
const run = promisify(execFile);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(async () => {
  await ensureDebianPackages(['mbpoll', 'socat']);
});

/** mbpoll prints `[ref]: \tvalue` per value; returns values by reference. */
async function mbpoll(args: string[]): Promise<Map<number, string>> {
  const { stdout } = await run('mbpoll', ['-1', '-0', '-o', '2', ...args], { timeout: 20_000 });
  const out = new Map<number, string>();
  for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(\S+)/gm)) out.set(Number(m[1]), m[2] ?? '');
  return out;
}

const profile: SimProfile = {
  name: 'mixed',
  points: [
    { name: 'speed', table: 'holding', address: 10, type: 'int16', initial: -1200 },
    {
      name: 'count_be',
      table: 'holding',
      address: 20,
      type: 'uint32',
      order: 'ABCD',
      initial: 3_000_000_001,
    },
    { name: 'temp', table: 'input', address: 30, type: 'float32', order: 'ABCD', initial: 21.5 },
    { name: 'running', table: 'coil', address: 5, initial: true },
    { name: 'door', table: 'discrete', address: 6, initial: false },
    { name: 'door2', table: 'discrete', address: 7, initial: true },
  ],
};

async function tcpSim(p: SimProfile): Promise<ModbusSimulator> {
  const s = await startModbusSimulator({ port: 0, host: '127.0.0.1', profile: p, animate: false });
  cleanups.push(() => s.close());
  return s;
}

const portOf = (url: string) => url.split(':').pop() ?? '';

describe('mbpoll ⇄ simulator', () => {
  it('reads the press over TCP: uint16, uint32 CDAB (mbpoll default word order) and scaled float32', async () => {
    const s = await tcpSim(pressProfile());
    s.set('state_code', 2);
    s.set('part_count', 70_001);
    s.set('power_kw', 12.5);
    const port = portOf(s.url);
    const state = await mbpoll(['-p', port, '-t', '4', '-r', '100', '-c', '1', '127.0.0.1']);
    expect(state.get(100)).toBe('2');
    const parts = await mbpoll(['-p', port, '-t', '4:int', '-r', '102', '-c', '1', '127.0.0.1']);
    expect(parts.get(102)).toBe('70001');
    const watts = await mbpoll(['-p', port, '-t', '3:float', '-B', '-r', '0', '-c', '1', '127.0.0.1']);
    expect(Number(watts.get(0))).toBeCloseTo(12_500, 3); // the register holds watts; the agent scales by 0.001
  });

  it('reads every table over TCP with the values the profile declares', async () => {
    const s = await tcpSim(profile);
    const port = portOf(s.url);
    // mbpoll prints 16-bit registers unsigned: -1200 is 0xFB50
    expect((await mbpoll(['-p', port, '-t', '4', '-r', '10', '127.0.0.1'])).get(10)).toBe(
      String((s.expected('speed') as number) & 0xffff),
    );
    expect((await mbpoll(['-p', port, '-t', '4:int', '-B', '-r', '20', '127.0.0.1'])).get(20)).toBe(
      // mbpoll prints 32-bit values as signed
      String(3_000_000_001 - 2 ** 32),
    );
    expect(Number((await mbpoll(['-p', port, '-t', '3:float', '-B', '-r', '30', '127.0.0.1'])).get(30))).toBe(
      21.5,
    );
    expect((await mbpoll(['-p', port, '-t', '0', '-r', '5', '127.0.0.1'])).get(5)).toBe('1');
    const di = await mbpoll(['-p', port, '-t', '1', '-r', '6', '-c', '2', '127.0.0.1']);
    expect([di.get(6), di.get(7)]).toEqual(['0', '1']);
  });

  it('reads the simulator over RTU on a socat pty pair', async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    const s = await startModbusSimulator({
      transport: 'rtu',
      serial: { path: pair.b, baudRate: 19200 },
      profile: pressProfile({ unitId: 7 }),
      animate: false,
    });
    cleanups.push(() => s.close());
    s.set('part_count', 123_456, 7);
    const out = await mbpoll([
      '-m',
      'rtu',
      '-b',
      '19200',
      '-P',
      'none',
      '-a',
      '7',
      '-t',
      '4:int',
      '-r',
      '102',
      pair.a,
    ]);
    expect(out.get(102)).toBe('123456');
    expect(s.stats.crcErrors).toBe(0);
  });
});
