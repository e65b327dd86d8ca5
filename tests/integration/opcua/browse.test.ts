/**
 * `plantpulse browse` against the simulator: variables with node id, data type and access level, the path filter
 * and depth, config output that the OPC UA source accepts as is, and the same secure defaults as the agent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { opcua } from '../../../agent/sources/opcua/index.js';
import { runBrowse } from '../../../cli/commands/browse.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { opcuaDevice } from '../../helpers/configs.js';
import { clientPki, memoryIo } from './opcua-fixture.js';

let sim: OpcuaSimulator;
let pki: Awaited<ReturnType<typeof clientPki>>;

beforeAll(async () => {
  [sim, pki] = await Promise.all([startOpcuaSimulator({ model: ['cnc', 'types'] }), clientPki()]);
});
afterAll(async () => {
  await sim?.close();
  await pki?.remove();
});

const insecure = () => ['--mode', 'None', '--allow-insecure', '--pki', pki.dir];

describe('plantpulse browse', () => {
  test('lists variables with node id, data type, access level and path', async () => {
    const m = memoryIo();
    expect(await runBrowse([sim.endpoint, ...insecure(), '--path', 'CNC01/**'], m.io)).toBe(0);
    const lines = m.out().trim().split('\n');
    expect(lines[0]).toMatch(/^NODE ID\s+DATA TYPE\s+ACCESS\s+PATH$/);
    const row = (path: string) => lines.find((l) => l.endsWith(` ${path}`));
    expect(row('CNC01/Spindle/Speed')).toMatch(/^ns=2;s=CNC01\.Spindle\.Speed\s+Double\s+R-\s/);
    expect(row('CNC01/Spindle/SpeedSetpoint')).toMatch(/\sDouble\s+RW\s/);
    expect(row('CNC01/Axis/Position')).toMatch(/\sDouble\[\]\s/);
    expect(row('CNC01/Axis/TravelX')).toMatch(/\sRange\s/);
    expect(row('CNC01/PartCount')).toMatch(/\sUInt32\s/);
    expect(lines.some((l) => l.includes('Types/'))).toBe(false);
    expect(m.err()).toMatch(/\d+ variable\(s\)/);
  });

  test('--depth limits the walk', async () => {
    const m = memoryIo();
    expect(await runBrowse([sim.endpoint, ...insecure(), '--depth', '2'], m.io)).toBe(0);
    expect(m.out()).toContain('CNC01/PartCount');
    expect(m.out()).not.toContain('CNC01/Spindle/Speed');
  });

  test('--config prints subscribe items the source accepts', async () => {
    const m = memoryIo();
    expect(
      await runBrowse([sim.endpoint, ...insecure(), '--path', 'CNC01/Spindle/*', '--config'], m.io),
    ).toBe(0);
    const doc = parseYaml(m.out()) as { subscribe: NonNullable<AgentDeviceInput['subscribe']> };
    expect(doc.subscribe).toContainEqual({
      name: 'cnc01_spindle_speed',
      node: 'ns=2;s=CNC01.Spindle.Speed',
      type: 'double',
    });
    expect(doc.subscribe.find((i) => i.name === 'cnc01_spindle_revolutions')?.type).toBe('uint64');
    // resolving runs the device check (it throws on any problem); the component's own check agrees
    const d = opcuaDevice({ id: 'x', opcua: { endpoint: sim.endpoint }, subscribe: doc.subscribe });
    expect(opcua.check(d)).toEqual([]);
  });

  test('secure by default: without --allow-insecure mode None is a usage error; unknown server cert is refused', async () => {
    const m = memoryIo();
    expect(await runBrowse([sim.endpoint, '--mode', 'None', '--pki', pki.dir], m.io)).toBe(2);
    expect(m.err()).toContain('allowInsecure');
    const m2 = memoryIo();
    expect(await runBrowse([sim.endpoint, '--pki', pki.dir], m2.io)).toBe(1);
    expect(m2.err()).toMatch(/server certificate [0-9a-f]{40} is not trusted/);
  });

  test('-c agent.yaml connects like the agent does for that device', async () => {
    const yaml = join(pki.dir, 'agent.yaml');
    writeFileSync(
      yaml,
      [
        'site: plant1',
        'node: gw1',
        'mqtt: { url: "mqtt://127.0.0.1:1883", username: gw1, password: x }',
        'devices:',
        '  - id: cnc-01',
        `    opcua: { endpoint: "${sim.endpoint}", securityMode: None, allowInsecure: true, pki: "${pki.dir}" }`,
        '    subscribe: [ { name: rpm, node: "ns=2;s=CNC01.Spindle.Speed" } ]',
        '',
      ].join('\n'),
    );
    const m = memoryIo();
    expect(await runBrowse(['-c', yaml, '--path', 'CNC01/Spindle/Speed'], m.io)).toBe(0);
    expect(m.out()).toContain('ns=2;s=CNC01.Spindle.Speed');
    const m2 = memoryIo();
    expect(await runBrowse(['-c', yaml, '--device', 'other'], m2.io)).toBe(2);
    expect(m2.err()).toContain('no OPC UA device other');
  });

  test('usage errors exit 2', async () => {
    const m = memoryIo();
    expect(await runBrowse(['http://nope'], m.io)).toBe(2);
    expect(await runBrowse([sim.endpoint, '--depth', 'x'], m.io)).toBe(2);
    expect(await runBrowse([sim.endpoint, '--bogus'], m.io)).toBe(2);
  });
});
