/** The OPC UA component refuses a bad device before any I/O, with its check's messages; a good one splits in two. */
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { SharedResources, SourceConfigError } from '../../../agent/sources/component.js';
import { opcua } from '../../../agent/sources/opcua/index.js';
import { createOpcuaSource } from '../../../agent/sources/opcua/opcua-source.js';
import { opcuaDevice } from '../../helpers/configs.js';

const log = pino({ level: 'silent' });

describe('OPC UA component', () => {
  test('check reports every problem with its key path (relative to the device)', () => {
    const d = opcuaDevice({
      id: 'cnc',
      opcua: { endpoint: 'opc.tcp://h:4840', securityMode: 'None', allowInsecure: true },
      subscribe: [{ name: 'a', node: 'ns=2;s=A' }],
    });
    const bad = {
      ...d,
      opcua: { ...d.opcua, allowInsecure: false },
      subscribe: [...(d.subscribe ?? []), { ...d.subscribe?.[0], name: 'b', node: 'nonsense' }],
      read: [{ every: 1000, nodes: [{ name: 'c', node: 'i=x', structure: 'flatten' as const }] }],
    } as typeof d;
    expect(opcua.check(bad).map((i) => [i.path.join('.'), i.message])).toEqual([
      ['opcua.securityMode', expect.stringMatching(/^securityMode None .*allowInsecure/)],
      ['subscribe.1.node', '"nonsense" is not a node id (ns=2;s=Name, i=85, nsu=uri;s=Name)'],
      ['read.0.nodes.0.node', '"i=x" is not a node id (ns=2;s=Name, i=85, nsu=uri;s=Name)'],
    ]);
  });

  test('create refuses a device its check refuses, without dialing, with the same messages', async () => {
    const d = opcuaDevice({
      id: 'x',
      opcua: { endpoint: 'opc.tcp://h:1', securityMode: 'None', allowInsecure: true },
      subscribe: [{ name: 'a', node: 'i=1' }],
    });
    const bad = { ...d, opcua: { ...d.opcua, allowInsecure: false } } as typeof d;
    const err = await opcua.create(bad, { log, shared: new SharedResources() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceConfigError);
    expect((err as SourceConfigError).code).toBe('OPCUA_CONFIG');
    expect((err as SourceConfigError).message).toBe(
      `device x: opcua.securityMode: ${opcua.check(bad)[0]?.message}`,
    );
  });

  test('subscribe and read become two sources, with births known before connect', () => {
    const sources = createOpcuaSource(
      opcuaDevice({
        id: 'x',
        opcua: { endpoint: 'opc.tcp://192.0.2.1:4840' },
        subscribe: [{ name: 'a', node: 'i=1', type: 'Int32', unit: 'rpm' }],
        read: [{ every: '5s', nodes: [{ name: 'b', node: 'i=2' }] }],
      }),
      { log },
    );
    expect(sources.map((s) => s.kind)).toEqual(['subscribing', 'polling']);
    expect(sources[0]?.metrics).toEqual([{ name: 'a', kind: 'int32', unit: 'rpm' }]);
    expect(sources[1]?.metrics).toEqual([{ name: 'b', kind: 'double' }]);
  });
});
