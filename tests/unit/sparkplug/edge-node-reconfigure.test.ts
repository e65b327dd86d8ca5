/**
 * A configuration reload as the edge node sees it (`reconfigure`, `removeDevice`): DDEATH of a changed device, then
 * the births again with the new metric set and the new `Properties/Config Hash`; a metric keeps its alias, a new one
 * gets a fresh alias never used before; a removed device gets its DDEATH and its data is unknown after.
 */
import { describe, expect, test } from 'vitest';
import { EdgeNode, type OutMsg } from '../../../agent/publish/edge-node.js';
import { DataType, decodePayload, type SpbPayload } from '../../../protocols/sparkplug/index.js';

const T0 = 1767225600000;
const dec = (m: OutMsg | undefined): SpbPayload => {
  if (!m) throw new Error('no message');
  return decodePayload(m.payload);
};
const kinds = (msgs: OutMsg[]) => msgs.map((m) => m.topic.split('/').slice(2).join('/'));
const aliasOf = (birth: SpbPayload, name: string) => birth.metrics.find((m) => m.name === name)?.alias;

function born() {
  const edge = new EdgeNode({
    site: 'cq',
    node: 'gw',
    clock: () => T0,
    properties: { 'Config Hash': 'aaa' },
    devices: [
      { id: 'press', metrics: [{ name: 'power', kind: 'float' }], tags: { line: 'l3' } },
      { id: 'lathe', metrics: [{ name: 'state', kind: 'string' }] },
    ],
  });
  edge.will();
  return { edge, births: edge.onConnected() };
}

describe('EdgeNode reconfiguration', () => {
  test('the NBIRTH carries the node properties as String metrics', () => {
    const { births } = born();
    expect(dec(births[0]).metrics).toContainEqual({
      name: 'Properties/Config Hash',
      timestamp: T0,
      datatype: DataType.String,
      value: 'aaa',
    });
  });

  test('a changed and an added device: DDEATH of the changed one, then the births with the new hash', () => {
    const { edge, births } = born();
    const oldPress = dec(births[1]);
    const out = edge.reconfigure(
      [
        {
          id: 'press',
          metrics: [
            { name: 'power', kind: 'float' },
            { name: 'count', kind: 'uint64' },
          ],
          tags: { line: 'l3' },
        },
        { id: 'oven', metrics: [{ name: 'temp', kind: 'float' }] },
      ],
      { 'Config Hash': 'bbb' },
    );
    expect(kinds(out)).toEqual([
      'DDEATH/gw/press',
      'NBIRTH/gw',
      'DBIRTH/gw/press',
      'DBIRTH/gw/lathe',
      'DBIRTH/gw/oven',
    ]);
    expect(dec(out[1]).seq).toBe(0);
    expect(dec(out[1]).metrics.find((m) => m.name === 'Properties/Config Hash')?.value).toBe('bbb');
    const press = dec(out[2]);
    // the metric it kept keeps its alias (and its tag's); the new ones get aliases never used
    expect(aliasOf(press, 'power')).toBe(aliasOf(oldPress, 'power'));
    expect(aliasOf(press, 'Properties/line')).toBe(aliasOf(oldPress, 'Properties/line'));
    const used = new Set([...births.slice(1).flatMap((b) => dec(b).metrics.map((m) => m.alias))]);
    expect(used.has(aliasOf(press, 'count'))).toBe(false);
    expect(used.has(aliasOf(dec(out[4]), 'temp'))).toBe(false);
    // data of the new metric and the new device publishes
    expect(
      edge.encodeData(
        'press',
        [{ device: 'press', metric: 'count', value: 3, timestamp: T0, quality: 'good' }],
        {},
      ),
    ).toHaveProperty('msg');
    expect(
      edge.encodeData(
        'oven',
        [{ device: 'oven', metric: 'temp', value: 3, timestamp: T0, quality: 'good' }],
        {},
      ),
    ).toHaveProperty('msg');
  });

  test('a removed device gets its DDEATH; its data is unknown after', () => {
    const { edge } = born();
    expect(kinds([edge.removeDevice('lathe') as OutMsg])).toEqual(['DDEATH/gw/lathe']);
    expect(edge.removeDevice('lathe')).toBeUndefined();
    const r = edge.encodeData(
      'lathe',
      [{ device: 'lathe', metric: 'state', value: 'run', timestamp: T0, quality: 'good' }],
      {},
    );
    expect(r).toEqual({ refused: 'unknown-device' });
  });

  test('before births are out a reconfiguration publishes nothing; the next births carry it', () => {
    const edge = new EdgeNode({
      site: 'cq',
      node: 'gw',
      clock: () => T0,
      devices: [{ id: 'press', metrics: [] }],
    });
    expect(edge.reconfigure([{ id: 'oven', metrics: [] }], { 'Config Hash': 'ccc' })).toEqual([]);
    edge.will();
    const births = edge.onConnected();
    expect(kinds(births)).toEqual(['NBIRTH/gw', 'DBIRTH/gw/press', 'DBIRTH/gw/oven']);
    expect(dec(births[0]).metrics.find((m) => m.name === 'Properties/Config Hash')?.value).toBe('ccc');
  });
});
