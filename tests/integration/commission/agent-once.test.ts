/**
 * `plantpulse agent --once` against the simulators: every point decoded as the agent publishes it, the virtual
 * sensors one reading gives (and the others named as needing history), dead devices reported unreachable within
 * their timeouts, nothing published or kept, config errors exactly as `plantpulse check` prints them, and OPC UA
 * subscriptions and reads with their status codes.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { runAgentOnce } from '../../../cli/commands/agent-once.js';
import { runCheck } from '../../../cli/commands/check.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import type { SimProfile } from '../../../simulators/modbus/profile.js';
import { agentPoints } from '../../../simulators/modbus/profile.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { memoryIo } from '../../helpers/memory-io.js';
import {
  jsonLines,
  refusedUrl,
  silentServer,
  tableSection,
  tempDir,
  writeAgentConfig,
} from './commission-fixture.js';

/** a retrofit IO module: a CT clamp's 4–20 mA loop and a photo-eye pulse counter */
const ioModule: SimProfile = {
  name: 'io-module',
  unitId: 5,
  points: [
    { name: 'clamp_ma', table: 'input', address: 0, type: 'uint16', scale: 0.001, unit: 'mA', initial: 12 },
    { name: 'pulses', table: 'input', address: 2, type: 'uint32', initial: 42 },
  ],
};

let sim: ModbusSimulator;
const tmp = tempDir();
beforeAll(async () => {
  sim = await startModbusSimulator({
    port: 0,
    host: '127.0.0.1',
    units: [pressProfile(), ioModule],
    animate: false,
  });
  sim.set('part_count', 123_456);
  sim.set('power_kw', 45.5);
});
afterAll(async () => {
  await sim?.close();
  tmp.remove();
});

const press = (): AgentDeviceInput => ({
  id: 'press-07',
  modbus: { url: sim.url, unitId: 1, timeout: '1s' },
  poll: [{ every: '500ms', points: agentPoints(pressProfile()) as never }],
});
const lathe = (): AgentDeviceInput => ({
  id: 'lathe-03',
  modbus: { url: sim.url, unitId: 5 },
  poll: [{ every: '500ms', points: agentPoints(ioModule) as never }],
  derive: {
    signals: { current_a: { from: 'clamp_ma', type: '4-20mA', min: 0, max: 50, unit: 'A' } },
    state: { from: 'current_a', off: 1.0, running: 6.0, minDwell: '5s' },
    part_count: { from: 'pulses', counter: true },
    power_kw: { threePhase: { current: 'current_a', voltage: 380, powerFactor: 0.85 } },
  },
});

async function once(
  devices: AgentDeviceInput[],
  args: string[] = [],
  cfg: Parameters<typeof writeAgentConfig>[2] = {},
) {
  const file = writeAgentConfig(tmp.dir, devices, cfg);
  const m = memoryIo();
  const code = await runAgentOnce(['-c', file, '--once', ...args], m.io);
  return { code, out: m.out(), err: m.err(), file };
}

const byMetric = (out: string) =>
  Object.fromEntries(jsonLines(out).map((o) => [`${o.device}/${o.metric}`, o]));

describe('plantpulse agent --once', () => {
  it('prints every point decoded, with unit, quality and time, and the virtual sensors one reading gives', async () => {
    const before = Date.now();
    const r = await once([press(), lathe()], ['--format', 'json']);
    expect(r.code, r.err).toBe(0);
    const got = byMetric(r.out);
    expect(got['press-07/part_count']).toMatchObject({
      value: 123_456,
      quality: 'good',
      derived: false,
      unit: null,
    });
    expect(got['press-07/power_kw']).toMatchObject({
      value: sim.expected('power_kw'),
      unit: 'kW',
      quality: 'good',
    });
    expect(got['press-07/state_code']).toMatchObject({ value: 1, quality: 'good' });
    expect(got['press-07/state_code']?.timestamp).toBeGreaterThanOrEqual(before);
    expect(got['lathe-03/clamp_ma']).toMatchObject({ value: 12, unit: 'mA', quality: 'good' });
    // (12 − 4) / 16 × 50 A, and √3 × 380 V × 25 A × 0.85 for power
    expect(got['lathe-03/current_a']).toMatchObject({ value: 25, unit: 'A', quality: 'good', derived: true });
    expect(got['lathe-03/power_kw']?.value).toBeCloseTo((Math.sqrt(3) * 380 * 25 * 0.85) / 1000, 9);
    for (const m of ['state', 'part_count', 'energy_kwh']) {
      expect(got[`lathe-03/${m}`], m).toMatchObject({ value: null, quality: null, derived: true });
      expect(got[`lathe-03/${m}`]?.needsHistory, m).toMatch(/^needs history: /);
    }
    expect(r.err).toContain('read 2 device(s) once: 7 good, 0 uncertain, 0 bad, 3 need history');
  });

  it('the table groups by device, in config order, with the columns aligned across devices', async () => {
    const r = await once([press(), lathe()]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^press-07 · tcp:\/\/127\.0\.0\.1:\d+ unit 1 · reachable$/m);
    const pressRows = tableSection(r.out, /^press-07 /);
    expect(pressRows.map((x) => [x.METRIC, x.VALUE, x.UNIT, x.QUALITY])).toEqual([
      ['state_code', '1', '', 'good'],
      ['part_count', '123456', '', 'good'],
      ['power_kw', String(sim.expected('power_kw')), 'kW', 'good'],
    ]);
    const latheRows = tableSection(r.out, /^lathe-03 /);
    expect(latheRows.find((x) => x.METRIC === 'state')).toMatchObject({
      VALUE: '-',
      QUALITY: '-',
      NOTE: 'derived; needs history: off/idle/running is decided over readings lasting minDwell (5s)',
    });
    const headers = r.out.split('\n').filter((l) => l.trimStart().startsWith('METRIC'));
    expect(headers).toHaveLength(2);
    expect(new Set(headers).size).toBe(1);
  });

  it('a broken 4–20 mA loop: the derived current and power are bad with the reason, exit 1', async () => {
    sim.set('clamp_ma', 1, 5);
    try {
      const r = await once([lathe()], ['--format', 'json']);
      expect(r.code).toBe(1);
      const got = byMetric(r.out);
      expect(got['lathe-03/clamp_ma']).toMatchObject({ value: 1, quality: 'good' });
      expect(got['lathe-03/current_a']).toMatchObject({
        value: null,
        quality: 'bad',
        code: 'DERIVE_BAD_INPUT',
      });
      expect(got['lathe-03/power_kw']).toMatchObject({ quality: 'bad', code: 'DERIVE_BAD_INPUT' });
    } finally {
      sim.set('clamp_ma', 12, 5);
    }
  });

  it('dead devices are reported unreachable within their timeouts, the others still read; exit 1', async () => {
    const silent = await silentServer();
    try {
      const refused = await refusedUrl();
      const dead = (id: string, url: string): AgentDeviceInput => ({
        id,
        modbus: { url, timeout: '300ms' },
        poll: [
          { every: '1s', points: [{ name: 'a', table: 'holding', address: 0 }] },
          { every: '5s', points: [{ name: 'b', table: 'input', address: 0 }] },
        ],
      });
      const r = await once(
        [dead('unplugged', refused), press(), dead('silent', silent.url)],
        ['--format', 'json'],
      );
      expect(r.code).toBe(1);
      const got = byMetric(r.out);
      for (const m of ['a', 'b']) {
        expect(got[`unplugged/${m}`]).toMatchObject({
          quality: 'bad',
          code: 'MODBUS_CONNECT',
          deviceReachable: false,
        });
        expect(got[`silent/${m}`]).toMatchObject({
          quality: 'bad',
          code: 'MODBUS_TIMEOUT',
          deviceReachable: false,
        });
      }
      expect(got['unplugged/a']?.message).toMatch(/ECONNREFUSED/);
      expect(got['press-07/part_count']).toMatchObject({ value: 123_456, quality: 'good' });
      expect(got['press-07/part_count']).not.toHaveProperty('deviceReachable');
      expect(r.err).toMatch(/unreachable: unplugged, silent$/m);

      const t = await once([dead('silent', silent.url)]);
      expect(t.code).toBe(1);
      expect(t.out).toMatch(
        /^silent · tcp:\/\/127\.0\.0\.1:\d+ unit 1 · UNREACHABLE MODBUS_TIMEOUT: no answer: /m,
      );
    } finally {
      await silent.close();
    }
  });

  it('publishes nothing and keeps nothing: no MQTT connection, no outbox, no state files', async () => {
    const broker = await silentServer();
    try {
      // a gateway where the agent ran before: its state folder exists; --once must add nothing to it
      const state = join(tmp.dir, 'agent-state');
      mkdirSync(state);
      const r = await once([press(), lathe()], [], {
        mqttUrl: broker.url.replace('tcp:', 'mqtt:'),
        outboxPath: state,
      });
      expect(r.code, r.err).toBe(0);
      expect(broker.connections()).toBe(0);
      expect(readdirSync(state)).toEqual([]);
      const fresh = join(tmp.dir, 'no-state-yet');
      expect((await once([lathe()], [], { outboxPath: fresh })).code).toBe(0);
      expect(existsSync(fresh)).toBe(false);
    } finally {
      await broker.close();
    }
  });

  it('--device reads only that device; an unknown one is a usage error', async () => {
    const r = await once([press(), lathe()], ['--device', 'lathe-03', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    expect(new Set(jsonLines(r.out).map((o) => o.device))).toEqual(new Set(['lathe-03']));
    const bad = await once([press()], ['--device', 'press-7']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('no device "press-7"');
    expect(bad.err).toContain('(devices: press-07)');
  });

  it('a config error exits 2 with exactly what plantpulse check prints', async () => {
    const device = press();
    const points = device.poll?.[0]?.points ?? [];
    const broken = {
      ...device,
      poll: [
        {
          every: '1s',
          points: [
            { ...points[0], type: 'unit16' },
            { ...points[1], adress: 3 },
          ],
        },
      ],
    } as unknown as AgentDeviceInput;
    const r = await once([broken], [], { name: 'broken.yaml' });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const check = memoryIo();
    expect(await runCheck(['-c', r.file], check.io)).toBe(2);
    expect(r.err).toBe(check.err());
    expect(r.err).toMatch(/type: must be one of .*got "unit16"/);
    expect(r.err).toMatch(/adress: unknown key; did you mean address\?/);
    expect(r.err).toMatch(/^2 problems in .*broken\.yaml$/m);
  });
});

describe('plantpulse agent --once over OPC UA', () => {
  let opc: OpcuaSimulator;
  beforeAll(async () => {
    opc = await startOpcuaSimulator({ model: 'cnc' });
    opc.set('CNC01.Spindle.Load', 0, { status: 'BadSensorFailure' });
  });
  afterAll(async () => {
    await opc?.close();
  });

  it('subscriptions and reads: first values with their types, status names for bad ones; a dead endpoint unreachable', async () => {
    const pki = join(tmp.dir, 'pki');
    const opcua = { endpoint: opc.endpoint, securityMode: 'None', allowInsecure: true, pki } as const;
    const refused = (await refusedUrl()).replace('tcp:', 'opc.tcp:');
    const r = await once(
      [
        {
          id: 'cnc-01',
          opcua,
          subscribe: [
            { name: 'part_count', node: 'ns=2;s=CNC01.PartCount', type: 'uint32' },
            { name: 'spindle_load', node: 'ns=2;s=CNC01.Spindle.Load', unit: '%' },
            { name: 'typo', node: 'ns=2;s=CNC01.Spindel.Speed' },
            { name: 'axis', node: 'ns=2;s=CNC01.Axis.Position', unit: 'mm' },
          ],
          read: [{ every: '10s', nodes: [{ name: 'program', node: 'ns=2;s=CNC01.Program.Name' }] }],
        },
        { id: 'cnc-02', opcua: { ...opcua, endpoint: refused }, subscribe: [{ name: 'x', node: 'i=2258' }] },
      ],
      ['--format', 'json', '--wait', '20s'],
    );
    expect(r.code).toBe(1);
    const got = byMetric(r.out);
    expect(got['cnc-01/part_count']).toMatchObject({ quality: 'good', value: expect.any(Number) });
    expect(got['cnc-01/program']).toMatchObject({ quality: 'good', value: expect.any(String) });
    expect(got['cnc-01/axis_0']).toMatchObject({ quality: 'good', unit: 'mm', value: expect.any(Number) });
    expect(got['cnc-01/spindle_load']).toMatchObject({ quality: 'bad', code: 'BadSensorFailure', unit: '%' });
    expect(got['cnc-01/spindle_load']?.message).toMatch(/^0x808C0000 /);
    expect(got['cnc-01/typo']).toMatchObject({ quality: 'bad', code: 'BadNodeIdUnknown' });
    expect(got['cnc-01/part_count']).not.toHaveProperty('deviceReachable');
    expect(got['cnc-02/x']).toMatchObject({
      quality: 'bad',
      deviceReachable: false,
      code: 'OPCUA_CONNECT_FAILED',
    });
  });
});
