/**
 * `Uplink.restart(final)` against the run's Mosquitto, driven by a real EdgeNode as in agent/agent.ts: the NDEATH is
 * published once (the clean DISCONNECT makes the broker drop the will, which would repeat it), the uplink reconnects
 * with a new will, and the next session's NBIRTH carries the next bdSeq.
 */
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { AgentMqtt } from '../../../agent/config/mqtt-spec.js';
import { EdgeNode } from '../../../agent/publish/edge-node.js';
import { Uplink } from '../../../agent/publish/uplink.js';
import { resolveConfig } from '../../../config/load.js';
import { createRootLogger } from '../../../config/logging.js';
import { decodePayload } from '../../../protocols/sparkplug/index.js';
import { mosquitto, mosquittoUser } from '../../helpers/services.js';

const log = createRootLogger('test', 'silent');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

it.each([4, 5] as const)(
  'restart publishes the NDEATH once and reconnects with the next bdSeq (MQTT %i)',
  async (v) => {
    const site = `uplink-${Math.random().toString(16).slice(2, 10)}`;
    const node = 'gw1';
    const seen: { type: string; bdSeq: bigint | undefined }[] = [];
    const waiters: (() => void)[] = [];
    const observer = await mqtt.connectAsync(mosquitto().url, {
      ...mosquittoUser('reader'),
      protocolVersion: v,
      reconnectPeriod: 0,
    });
    cleanups.push(() => observer.endAsync(true));
    observer.on('message', (topic, payload) => {
      const type = topic.split('/')[2] ?? '';
      const bd = decodePayload(payload).metrics.find((m) => m.name === 'bdSeq')?.value;
      seen.push({ type, bdSeq: typeof bd === 'bigint' ? bd : undefined });
      for (const w of waiters.splice(0)) w();
    });
    await observer.subscribeAsync(`spBv1.0/${site}/#`, { qos: 1 });
    const until = async (cond: () => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      while (!cond()) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}: ${JSON.stringify(seen, (_k, x) => (typeof x === 'bigint' ? String(x) : x))}`,
          );
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    };

    const edge = new EdgeNode({ site, node, devices: [], initialBdSeq: 7 });
    const user = mosquittoUser('device');
    const uplink: Uplink = new Uplink(
      resolveConfig(AgentMqtt, {
        url: mosquitto().url,
        username: user.username,
        password: user.password,
        protocolVersion: v,
      }),
      `uplink-test-${site}`,
      {
        will: () => edge.will(),
        subscriptions: () => edge.subscriptions(),
        onConnected: () => {
          for (const m of edge.onConnected()) void uplink.publish(m).catch(() => undefined);
        },
        onDisconnected: () => edge.onDisconnected(),
        onMessage: () => undefined,
      },
      log,
    );
    cleanups.push(() => uplink.stop());
    uplink.start();
    await until(() => seen.some((s) => s.type === 'NBIRTH'), 'the first NBIRTH');
    expect(seen[0]).toEqual({ type: 'NBIRTH', bdSeq: 7n });

    await uplink.restart(edge.death(), 'test');
    await until(() => seen.filter((s) => s.type === 'NBIRTH').length === 2, 'the NBIRTH of the next session');
    // the broker handled the old connection's end before the new CONNECT: a will would be here by now
    expect(seen.map((s) => [s.type, s.bdSeq])).toEqual([
      ['NBIRTH', 7n],
      ['NDEATH', 7n],
      ['NBIRTH', 8n],
    ]);
    expect(uplink.stats().connects).toBe(2);
  },
);
