/**
 * Scale: 5,000 monitored items on one session, created in chunks of the server's MaxMonitoredItemsPerCall; and
 * cyclic reads of 2,000 nodes split by MaxNodesPerRead. Every node's value arrives; nothing is silently lost.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { OpcuaCyclicReadSource } from '../../../agent/sources/opcua/cyclic-read-source.js';
import { createOpcuaSources } from '../../../agent/sources/opcua/opcua-source.js';
import type { OpcuaSubscriptionSource } from '../../../agent/sources/opcua/subscription-source.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { clientPki, device, quietLog, SampleLog, waitFor } from './opcua-fixture.js';

const N = 5000;
let sim: OpcuaSimulator;
let pki: Awaited<ReturnType<typeof clientPki>>;

beforeAll(async () => {
  [sim, pki] = await Promise.all([
    startOpcuaSimulator({
      model: 'cnc',
      bulkVariables: N,
      operationLimits: { maxMonitoredItemsPerCall: 1000, maxNodesPerRead: 500 },
    }),
    clientPki(),
  ]);
});
afterAll(async () => {
  await sim?.close();
  await pki?.remove();
});

const bulkNode = (i: number) => `ns=2;s=Bulk.V${String(i).padStart(4, '0')}`;

describe('OPC UA at scale', () => {
  test(`${N} monitored items on one session, created in chunks of MaxMonitoredItemsPerCall`, async () => {
    const items = Array.from({ length: N }, (_, i) => ({
      name: `v${i}`,
      node: bulkNode(i),
      samplingInterval: 1000,
    }));
    const [s] = createOpcuaSources(
      device(
        'bulk',
        { endpoint: sim.endpoint, securityMode: 'None', allowInsecure: true, pki: pki.dir },
        { subscribe: items },
      ),
      { log: quietLog },
    );
    const source = s as OpcuaSubscriptionSource;
    const log = new SampleLog();
    const ctl = new AbortController();
    try {
      await source.connect(ctl.signal);
      await source.subscribe(log.push, ctl.signal);
      expect(source.stats.createCalls).toBe(5);
      expect(source.stats.itemsMonitored).toBe(N);
      const seen = await waitFor('every initial value', () => {
        const m = log.metrics();
        return m.size === N ? m : undefined;
      });
      expect(seen.size).toBe(N);
      expect(log.last('v4321')?.value).toBe(4321);
      expect(log.samples.every((x) => x.quality === 'good')).toBe(true);
      expect(sim.sessions()).toHaveLength(1);
    } finally {
      ctl.abort();
      await source.close();
    }
  });

  test('cyclic reads of 2,000 nodes are split by MaxNodesPerRead', async () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => ({ name: `r${i}`, node: bulkNode(i) }));
    nodes.push({ name: 'missing', node: 'ns=2;s=Bulk.Nope' });
    const [s] = createOpcuaSources(
      device(
        'bulk-read',
        { endpoint: sim.endpoint, securityMode: 'None', allowInsecure: true, pki: pki.dir },
        { read: [{ every: '1s', nodes }] },
      ),
      { log: quietLog },
    );
    const source = s as OpcuaCyclicReadSource;
    expect(source.kind).toBe('polling');
    expect(source.groups).toEqual([{ intervalMs: 1000, description: '2001 node(s) every 1000 ms' }]);
    const ctl = new AbortController();
    try {
      await source.connect(ctl.signal);
      const result = await source.read(0, ctl.signal);
      expect(source.readCalls).toBe(5);
      expect(result.samples).toHaveLength(2001);
      expect(result.samples.find((x) => x.metric === 'r1999')).toMatchObject({
        value: 1999,
        quality: 'good',
      });
      expect(result.samples.find((x) => x.metric === 'missing')).toMatchObject({
        quality: 'bad',
        value: null,
        qualityCode: 0x80340000,
      });
      expect(result.failures).toEqual([
        expect.objectContaining({ code: 'OPCUA_BAD_STATUS', linkFault: false }),
      ]);
    } finally {
      ctl.abort();
      await source.close();
    }
    const offline = await source.read(0, ctl.signal);
    expect(offline.failures[0]).toMatchObject({ code: 'OPCUA_NOT_CONNECTED', linkFault: true });
    expect(offline.samples.every((x) => x.quality === 'bad')).toBe(true);
  });
});
