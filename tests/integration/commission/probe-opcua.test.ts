/**
 * `plantpulse probe opc.tcp://… --node …` against the OPC UA simulator: value, data type, status and source time per
 * node, subscribe lines the OPC UA source accepts, bad statuses by name with a hint, and browse's secure defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveAgentDevice } from '../../../agent/config/load-agent-config.js';
import type { OpcuaSubscribeItem } from '../../../agent/sources/opcua/spec.js';
import { runProbe } from '../../../cli/commands/probe.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { memoryIo } from '../../helpers/memory-io.js';
import { jsonLines, tableSection, tempDir } from './commission-fixture.js';

let sim: OpcuaSimulator;
const tmp = tempDir('pp-probe-opcua-');
beforeAll(async () => {
  sim = await startOpcuaSimulator({ model: ['cnc', 'types'] });
  sim.set('CNC01.Spindle.Load', 0, { status: 'BadSensorFailure' });
  sim.set('CNC01.Program.Name', 'O1234-FLANGE');
});
afterAll(async () => {
  await sim?.close();
  tmp.remove();
});

async function probe(...args: string[]) {
  const m = memoryIo();
  const code = await runProbe([sim.endpoint, ...args], m.io);
  return { code, out: m.out(), err: m.err() };
}
const insecure = () => ['--mode', 'None', '--allow-insecure', '--pki', tmp.dir];
const nodes = (...ids: string[]) => ids.flatMap((n) => ['--node', n]);

describe('plantpulse probe opc.tcp://', () => {
  it('prints value, type, status and source time per node, and subscribe lines the source accepts', async () => {
    const before = Date.now();
    const r = await probe(
      ...insecure(),
      ...nodes('ns=2;s=CNC01.Program.Name', 'ns=2;s=CNC01.PartCount', 'ns=2;s=CNC01.Axis.Position'),
    );
    expect(r.code, r.err).toBe(0);
    const rows = tableSection(r.out, /^read 3 node\(s\) from opc\.tcp:/);
    expect(rows[0]).toMatchObject({
      'NODE ID': 'ns=2;s=CNC01.Program.Name',
      METRIC: 'cnc01_program_name',
      VALUE: '"O1234-FLANGE"',
      TYPE: 'string',
      STATUS: 'Good',
    });
    expect(rows[1]).toMatchObject({ METRIC: 'cnc01_part_count', TYPE: 'uint32', STATUS: 'Good' });
    expect(rows.slice(2).map((x) => x.METRIC)).toEqual(
      expect.arrayContaining(['cnc01_axis_position_0', 'cnc01_axis_position_1']),
    );
    for (const x of rows) expect(Date.parse(x['SOURCE TIME'] ?? '')).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(rows[0]?.['SOURCE TIME'] ?? '')).toBeGreaterThanOrEqual(before - 60_000);

    const doc = parseYaml(r.out.slice(r.out.indexOf('subscribe:'))) as { subscribe: OpcuaSubscribeItem[] };
    expect(doc.subscribe).toEqual([
      { name: 'cnc01_program_name', node: 'ns=2;s=CNC01.Program.Name', type: 'string' },
      { name: 'cnc01_part_count', node: 'ns=2;s=CNC01.PartCount', type: 'uint32' },
      { name: 'cnc01_axis_position', node: 'ns=2;s=CNC01.Axis.Position' },
    ]);
    // the printed lines are a config the agent's check accepts (resolve throws on any problem)
    expect(
      resolveAgentDevice({ id: 'x', opcua: { endpoint: sim.endpoint }, subscribe: doc.subscribe }).subscribe,
    ).toHaveLength(3);
  });

  it('bad statuses come by name with a hint; exit 1 (json)', async () => {
    const r = await probe(
      ...insecure(),
      ...nodes('ns=2;s=CNC01.Spindle.Load', 'ns=2;s=CNC01.Spindel.Speed', 'i=2258'),
      '--format',
      'json',
    );
    expect(r.code).toBe(1);
    const [load, typo, now] = jsonLines(r.out);
    expect(load).toMatchObject({
      quality: 'bad',
      status: 'BadSensorFailure',
      statusCode: 0x808c0000,
      value: null,
    });
    expect(load).not.toHaveProperty('config');
    expect(typo).toMatchObject({ status: 'BadNodeIdUnknown', node: 'ns=2;s=CNC01.Spindel.Speed' });
    expect(now).toMatchObject({
      metric: 'node_2258',
      type: 'datetime',
      status: 'Good',
      config: '- { name: node_2258, node: "i=2258", type: datetime }',
    });
    const t = await probe(...insecure(), ...nodes('ns=2;s=CNC01.Spindel.Speed'));
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/^ns=2;s=CNC01\.Spindel\.Speed: BadNodeIdUnknown 0x80340000 /m);
    expect(t.err).toMatch(/^hint: .*plantpulse browse/m);
  });

  it('secure by default like browse: mode None needs --allow-insecure; an unknown server certificate is refused', async () => {
    const none = await probe('--mode', 'None', '--pki', tmp.dir, ...nodes('i=2258'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('allowInsecure');
    const strict = await probe('--pki', tmp.dir, ...nodes('i=2258'));
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/^probe failed: OPCUA_CERT_UNTRUSTED: .*not trusted/m);
    expect(strict.err).toMatch(/^hint: .*plantpulse opcua trust <thumbprint> --pki /m);
    expect(strict.err).not.toMatch(/\n\s+at /);
  });
});
