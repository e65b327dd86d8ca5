/** Config problems are found before any I/O and reported all at once. */
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { OpcuaConfigError } from '../../../agent/sources/opcua/opcua-errors.js';
import { checkOpcuaDevice, createOpcuaSource } from '../../../agent/sources/opcua/opcua-source.js';

describe('checkOpcuaDevice', () => {
  test('reports every problem with its key path', () => {
    const problems = checkOpcuaDevice({
      id: 'cnc',
      opcua: { endpoint: 'opc.tcp://h:4840', securityMode: 'None' },
      subscribe: [
        { name: 'a', node: 'ns=2;s=A' },
        { name: 'a', node: 'nonsense' },
      ],
      read: [{ every: '1s', nodes: [{ name: 'b', node: 'i=x' }] }],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^opcua: securityMode None .*allowInsecure/),
      'subscribe[1].node: "nonsense" is not a node id (ns=2;s=Name, i=85, nsu=uri;s=Name)',
      'subscribe[1].name: metric a is defined twice',
      'read[0].nodes[0].node: "i=x" is not a node id (ns=2;s=Name, i=85, nsu=uri;s=Name)',
    ]);
  });

  test('items without an opcua section, or an opcua section without items', () => {
    expect(checkOpcuaDevice({ id: 'x', subscribe: [{ name: 'a', node: 'i=1' }] })).toEqual([
      'subscribe/read need an opcua: section',
    ]);
    expect(checkOpcuaDevice({ id: 'x', opcua: { endpoint: 'opc.tcp://h:1' } })).toEqual([
      'opcua: needs subscribe: items or read: groups',
    ]);
  });

  test('createOpcuaSource refuses a bad device without dialing, and splits subscribe/read into two sources', () => {
    const log = pino({ level: 'silent' });
    expect(() =>
      createOpcuaSource(
        {
          id: 'x',
          opcua: { endpoint: 'opc.tcp://h:1', securityMode: 'None' },
          subscribe: [{ name: 'a', node: 'i=1' }],
        },
        { log },
      ),
    ).toThrow(OpcuaConfigError);
    const sources = createOpcuaSource(
      {
        id: 'x',
        opcua: { endpoint: 'opc.tcp://192.0.2.1:4840' },
        subscribe: [{ name: 'a', node: 'i=1', type: 'Int32', unit: 'rpm' }],
        read: [{ every: '5s', nodes: [{ name: 'b', node: 'i=2' }] }],
      },
      { log },
    );
    expect(sources.map((s) => s.kind)).toEqual(['subscribing', 'polling']);
    expect(sources[0]?.metrics).toEqual([{ name: 'a', kind: 'int32', unit: 'rpm' }]);
    expect(sources[1]?.metrics).toEqual([{ name: 'b', kind: 'double' }]);
  });
});
