/**
 * Commissioning over Modbus RTU on a serial line (a socat pty pair, the simulator on the other end): `probe` finds
 * the press's part counter in the CDAB column, `agent --once` reads it with the config line, and a CRC error and a
 * silent unit come back with their codes and hints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentOnce } from '../../../cli/commands/agent-once.js';
import { runProbe } from '../../../cli/commands/probe.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { agentPoints } from '../../../simulators/modbus/profile.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { openPtyPair, type PtyPair } from '../../../simulators/modbus/pty-pair.js';
import { memoryIo } from '../../helpers/memory-io.js';
import { jsonLines, tempDir, writeAgentConfig } from './commission-fixture.js';

let pair: PtyPair;
let sim: ModbusSimulator;
let url = '';
const tmp = tempDir();

beforeAll(async () => {
  pair = await openPtyPair();
  sim = await startModbusSimulator({
    transport: 'rtu',
    serial: { path: pair.b, baudRate: 19200 },
    profile: pressProfile(),
    animate: false,
  });
  url = `rtu://${pair.a}?baud=19200`;
  sim.set('part_count', 123_456);
  sim.set('power_kw', 45.5);
});
afterAll(async () => {
  await sim?.close();
  await pair?.close();
  tmp.remove();
});

async function probe(...args: string[]) {
  const m = memoryIo();
  const code = await runProbe([url, ...args], m.io);
  return { code, out: m.out(), err: m.err() };
}

describe('commissioning over RTU (socat pty pair)', () => {
  it('probe shows the uint32 part counter in the CDAB column; --once reads it with that order', async () => {
    const r = await probe(
      '40103',
      '--count',
      '2',
      '--format',
      'json',
      '--as',
      'uint32:CDAB',
      '--name',
      'parts',
    );
    expect(r.code, r.err).toBe(0);
    const [first, , chosen] = jsonLines(r.out);
    expect(first).toMatchObject({ address: 102, reference: '40103', uint32: { CDAB: 123_456 } });
    expect((first?.uint32 as Record<string, number> | undefined)?.ABCD).not.toBe(123_456);
    expect(chosen).toMatchObject({ value: 123_456 });

    const file = writeAgentConfig(tmp.dir, [
      {
        id: 'press-07',
        modbus: { url, unitId: 1, timeout: '1s' },
        poll: [{ every: '1s', points: agentPoints(pressProfile()) as never }],
      },
    ]);
    const m = memoryIo();
    expect(await runAgentOnce(['-c', file, '--once'], m.io), m.err()).toBe(0);
    const line = (metric: string) =>
      m
        .out()
        .split('\n')
        .find((l) => l.trimStart().startsWith(`${metric} `));
    expect(m.out()).toMatch(/^press-07 · rtu:\/\/.* unit 1 · reachable$/m);
    expect(line('part_count')).toMatch(/^\s+part_count\s+123456\s+good\s/);
    expect(line('power_kw')).toMatch(/^\s+power_kw\s+45\.5\s+kW\s+good\s/);
  });

  it('a corrupted answer is MODBUS_CRC with the baud/parity hint', async () => {
    sim.inject({ kind: 'garbage', times: 1 });
    const r = await probe('40101', '--count', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^probe failed: MODBUS_CRC: /m);
    expect(r.err).toMatch(/^hint: .*baud rate or parity/m);
  });

  it('a unit that does not answer times out after --timeout, with the unit-id hint', async () => {
    const r = await probe('40101', '--unit', '7', '--timeout', '300ms');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^probe failed: MODBUS_TIMEOUT: /m);
    expect(r.err).toMatch(/^hint: no answer within 300 ms\. Check the unit id \(--unit 7/m);
  });
});
