/**
 * The agent's Sparkplug session (agent/publish/edge-node-session.ts) over the real Uplink and the run's Mosquitto, as
 * a Sparkplug host sees it: births announce every device and the session itself kills the unreachable ones right
 * after; reachability reports become DDEATH/DBIRTH once; a rebirth repeats both; data refusals are answered as
 * values; a primary host going offline ends the MQTT session with the NDEATH.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentMqtt } from '../../../agent/config/mqtt-spec.js';
import { EdgeNodeSession, type SessionListener } from '../../../agent/publish/edge-node-session.js';
import { Uplink } from '../../../agent/publish/uplink.js';
import { resolveConfig } from '../../../config/load.js';
import { createRootLogger } from '../../../config/logging.js';
import type { Sample } from '../../../protocols/sample.js';
import { DataType, decodePayload, encodePayload } from '../../../protocols/sparkplug/index.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { mosquitto, mosquittoUser } from '../../helpers/services.js';

const log = createRootLogger('test', 'silent');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Seen {
  type: string;
  device: string | undefined;
  seq: number | undefined;
}

async function rig(opts: { primaryHost?: string; downBeforeConnect?: string[] } = {}) {
  const site = `session-${Math.random().toString(16).slice(2, 10)}`;
  const node = 'gw1';
  const seen: Seen[] = [];
  const observer = await mqtt.connectAsync(mosquitto().url, {
    ...mosquittoUser('reader'),
    reconnectPeriod: 0,
  });
  cleanups.push(() => observer.endAsync(true));
  observer.on('message', (topic, payload) => {
    const parts = topic.split('/');
    if (parts[1] === 'STATE' || parts[2] === 'NCMD') return;
    seen.push({ type: parts[2] ?? '', device: parts[4], seq: decodePayload(payload).seq });
  });
  await observer.subscribeAsync(`spBv1.0/${site}/#`, { qos: 1 });

  const calls: string[] = [];
  const dropped: Record<string, number> = {};
  const listener: SessionListener = {
    sessionStarted: () => calls.push('sessionStarted'),
    born: (device) => calls.push(`born:${device ?? '*'}`),
    wake: () => undefined,
  };
  const session = new EdgeNodeSession({
    site,
    node,
    devices: [
      { id: 'a', metrics: [{ name: 'v', kind: 'int32' }] },
      { id: 'b', metrics: [{ name: 'v', kind: 'int32' }] },
    ],
    ...(opts.primaryHost === undefined ? {} : { primaryHost: opts.primaryHost }),
    log,
    listener,
    onDrop: (code, n) => {
      dropped[code] = (dropped[code] ?? 0) + n;
    },
  });
  for (const d of opts.downBeforeConnect ?? []) session.reachability(d, false, 'timeout');
  const user = mosquittoUser('device');
  const uplink = new Uplink(
    resolveConfig(AgentMqtt, { url: mosquitto().url, username: user.username, password: user.password }),
    `session-test-${site}`,
    session.hooks,
    log,
  );
  session.attach(uplink);
  cleanups.push(() => uplink.stop(session.death()));
  uplink.start();
  const types = () => seen.map((s) => `${s.type}${s.device ? `:${s.device}` : ''}`);
  const waitFor = (n: number, what: string) =>
    pollUntil(async () => (seen.length >= n ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 20,
      what,
    }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; seen: ${types().join(' ')}`);
    });
  return { site, node, seen, types, waitFor, observer, session, uplink, calls, dropped };
}

const sample = (device: string, metric: string, value: number): Sample => ({
  device,
  metric,
  value,
  timestamp: Date.now(),
  quality: 'good',
});

describe('EdgeNodeSession', () => {
  it('births announce every device and the session kills the unreachable ones right after, in seq order', async () => {
    const r = await rig({ downBeforeConnect: ['b'] });
    await r.waitFor(4, 'births and the DDEATH of b');
    expect(r.types()).toEqual(['NBIRTH', 'DBIRTH:a', 'DBIRTH:b', 'DDEATH:b']);
    expect(r.seen.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(r.calls).toEqual(['sessionStarted']);

    // the data of a dead device waits for its birth; nothing is lost, nothing is counted as dropped
    expect(r.session.encodeData('b', [sample('b', 'v', 1)], {})).toEqual({ refused: 'device-not-born' });
    expect(r.session.encodeData('nope', [sample('nope', 'v', 1)], {})).toEqual({ refused: 'unknown-device' });
    expect(r.session.encodeData('a', [sample('a', 'bogus', 1)], {})).toEqual({
      refused: 'nothing-publishable',
    });
    expect(r.dropped).toEqual({ SAMPLE_UNPUBLISHABLE: 1 });
    const ok = r.session.encodeData('a', [sample('a', 'v', 1)], {});
    expect('msg' in ok && ok.msg.topic).toBe(`spBv1.0/${r.site}/DDATA/${r.node}/a`);

    // b answers again: one DBIRTH, and a repeated report changes nothing
    r.session.reachability('b', true, 'answering again');
    r.session.reachability('b', true, 'answering again');
    r.session.reachability('a', false, 'timeout');
    r.session.reachability('a', false, 'timeout');
    await r.waitFor(6, 'DBIRTH of b and DDEATH of a');
    expect(r.types().slice(4)).toEqual(['DBIRTH:b', 'DDEATH:a']);
    expect(r.calls).toEqual(['sessionStarted', 'born:b']);

    // a host asks for a rebirth: all births again, and a (still unreachable) dies again right after them
    const rebirth = encodePayload({
      metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }],
    });
    await r.observer.publishAsync(`spBv1.0/${r.site}/NCMD/${r.node}`, Buffer.from(rebirth), { qos: 1 });
    await r.waitFor(10, 'the rebirth');
    expect(r.types().slice(6)).toEqual(['NBIRTH', 'DBIRTH:a', 'DBIRTH:b', 'DDEATH:a']);
    expect(r.seen.slice(6).map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(r.calls).toEqual(['sessionStarted', 'born:b', 'born:*']);
  });

  it('a primary host going offline ends the MQTT session with the NDEATH; births wait for it online again', async () => {
    const hostId = `host-${Math.random().toString(16).slice(2, 8)}`;
    const r = await rig({ primaryHost: hostId });
    const state = (online: boolean, timestamp: number) =>
      r.observer.publishAsync(`spBv1.0/STATE/${hostId}`, JSON.stringify({ online, timestamp }), {
        qos: 1,
        retain: true,
      });
    cleanups.push(() => r.observer.publishAsync(`spBv1.0/STATE/${hostId}`, '', { qos: 1, retain: true }));
    await pollUntil(async () => (r.uplink.stats().connects === 1 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'connect',
    });
    expect(r.seen).toEqual([]);
    // connected but not born: the session says what it waits for
    expect(r.uplink.health()).toMatchObject({ component: 'uplink', status: 'ok' });
    expect(r.session.health()).toMatchObject({ component: 'sparkplug', status: 'degraded' });
    expect(r.session.health().detail).toContain(`waiting for primary host ${hostId} STATE online`);
    await state(true, 1000);
    await r.waitFor(3, 'births after STATE online');
    expect(r.types()).toEqual(['NBIRTH', 'DBIRTH:a', 'DBIRTH:b']);
    expect(r.session.health()).toMatchObject({ status: 'ok', counters: { births: 1 } });
    await state(false, 2000);
    await r.waitFor(4, 'the NDEATH');
    expect(r.types()[3]).toBe('NDEATH');
    await pollUntil(async () => (r.uplink.stats().connects === 2 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the new MQTT session',
    });
    await state(true, 3000);
    await r.waitFor(7, 'births of the new session');
    expect(r.types().slice(4)).toEqual(['NBIRTH', 'DBIRTH:a', 'DBIRTH:b']);
    expect(r.calls).toEqual(['sessionStarted', 'born:*', 'sessionStarted', 'born:*']);
  });
});
