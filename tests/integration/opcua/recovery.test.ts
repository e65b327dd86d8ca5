/**
 * Recovery with the subscribe runner: data flows again after a server restart (session and subscriptions rebuilt
 * from our config), an endpoint that is down at start neither blocks the other device nor is given up on, and a
 * stalled connection (open but silent) is caught by the subscription watchdog.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PollRunner } from '../../../agent/runner/poll-runner.js';
import { SubscribeRunner } from '../../../agent/runner/subscribe-runner.js';
import { createOpcuaSources } from '../../../agent/sources/opcua/opcua-source.js';
import type { OpcuaSubscriptionSource } from '../../../agent/sources/opcua/subscription-source.js';
import type { PollingSource, SubscribingSource } from '../../../agent/sources/source.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { clientPki, device, quietLog, SampleLog, trustEachOther, waitFor } from './opcua-fixture.js';
import { freePort, startStallProxy } from './stall-proxy.js';

let sim: OpcuaSimulator;
let pki: Awaited<ReturnType<typeof clientPki>>;

beforeAll(async () => {
  [sim, pki] = await Promise.all([startOpcuaSimulator({ model: 'cnc', tickMs: 50 }), clientPki()]);
});
afterAll(async () => {
  await sim?.close();
  await pki?.remove();
});

type Extra = { watchdogIntervals?: number; publishingInterval?: number; secure?: boolean };

function sourceFor(id: string, endpoint: string, { secure, ...extra }: Extra = {}) {
  const security = secure
    ? { securityMode: 'SignAndEncrypt' as const, securityPolicy: 'Aes256_Sha256_RsaPss' as const }
    : { securityMode: 'None' as const, allowInsecure: true };
  const [s] = createOpcuaSources(
    device(
      id,
      { endpoint, ...security, pki: pki.dir, ...extra },
      { subscribe: [{ name: 'rpm', node: 'ns=2;s=CNC01.Spindle.Speed', samplingInterval: 100 }] },
    ),
    { log: quietLog },
  );
  return s as OpcuaSubscriptionSource;
}

function runner(sources: SubscribingSource[]) {
  const log = new SampleLog();
  const reach: { device: string; reachable: boolean; reason: string }[] = [];
  const r = new SubscribeRunner({
    sources,
    log: quietLog,
    reconnect: { initialMs: 200, maxMs: 1000 },
    onSamples: log.push,
    onReachability: (device, reachable, reason) => reach.push({ device, reachable, reason }),
  });
  r.start();
  return { r, log, reach };
}

describe('OPC UA recovery', () => {
  test('after a server restart data flows again (bounded wait), with a fresh secure session', async () => {
    await trustEachOther(sim, pki);
    const { r, log, reach } = runner([sourceFor('cnc-1', sim.endpoint, { secure: true })]);
    try {
      await waitFor('first data', () => log.last('rpm'));
      await sim.restart();
      const restartedAt = Date.now();
      // bound: jittered backoff ≤ 1 s + connect + subscribe; 15 s leaves room for a loaded CI machine
      await waitFor(
        'data after restart',
        () => log.lastWhere('rpm', (s) => s.timestamp >= restartedAt),
        15_000,
      );
      expect(reach.filter((x) => x.device === 'cnc-1').map((x) => x.reachable)).toEqual([true, false, true]);
      expect(r.health()[0]?.reconnects).toBeGreaterThanOrEqual(1);
      expect(sim.sessions()).toEqual([
        { securityMode: 'SignAndEncrypt', securityPolicy: 'Aes256_Sha256_RsaPss', user: 'anonymous' },
      ]);
    } finally {
      await r.stop();
    }
  });

  test('cyclic reads under the poll runner recover after a server restart', async () => {
    const [s] = createOpcuaSources(
      device(
        'cnc-read',
        { endpoint: sim.endpoint, securityMode: 'None', allowInsecure: true, pki: pki.dir },
        { read: [{ every: '200ms', nodes: [{ name: 'parts', node: 'ns=2;s=CNC01.PartCount' }] }] },
      ),
      { log: quietLog },
    );
    const log = new SampleLog();
    const r = new PollRunner({
      sources: [s as PollingSource],
      log: quietLog,
      reconnect: { afterFailures: 2, initialMs: 200, maxMs: 1000 },
      onSamples: log.push,
      onReachability: () => undefined,
    });
    r.start();
    try {
      await waitFor('first read', () => log.lastWhere('parts', (x) => x.quality === 'good'));
      await sim.restart();
      // PartCount keeps its source timestamp until the next part, so count reads instead of comparing times
      const mark = log.samples.length;
      await waitFor(
        'good reads after restart',
        () => log.samples.slice(mark).find((x) => x.metric === 'parts' && x.quality === 'good'),
        15_000,
      );
      expect(r.health()[0]?.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await r.stop();
    }
  });

  test('an endpoint down at start does not hold up the other device, and is connected once it comes up', async () => {
    const port = await freePort();
    const late = `opc.tcp://127.0.0.1:${port}/UA/plantpulse`;
    const { r, log, reach } = runner([sourceFor('down-1', late), sourceFor('cnc-2', sim.endpoint)]);
    let second: OpcuaSimulator | undefined;
    try {
      await waitFor('data of the healthy device', () => log.samples.find((s) => s.device === 'cnc-2'));
      await waitFor('down device reported', () => reach.find((x) => x.device === 'down-1' && !x.reachable));
      await waitFor('several attempts', () =>
        (r.health()[0]?.errors.OPCUA_CONNECT_FAILED ?? 0) >= 2 ? true : undefined,
      );
      second = await startOpcuaSimulator({ model: 'cnc', port, tickMs: 50 });
      await waitFor('data of the late device', () => log.samples.find((s) => s.device === 'down-1'), 20_000);
      expect(reach.filter((x) => x.device === 'down-1').at(-1)?.reachable).toBe(true);
    } finally {
      await r.stop();
      await second?.close();
    }
  });

  test('a stalled connection (open, silent) trips the watchdog and the runner rebuilds the subscription', async () => {
    const proxy = await startStallProxy(sim.port);
    const source = sourceFor('cnc-3', `opc.tcp://127.0.0.1:${proxy.port}/UA/plantpulse`, {
      watchdogIntervals: 2,
      publishingInterval: 100,
    });
    const { r, log } = runner([source]);
    try {
      await waitFor('first data', () => log.last('rpm'));
      proxy.stall();
      await waitFor('watchdog trip', () => (source.stats.watchdogTrips > 0 ? true : undefined));
      proxy.resume();
      proxy.cut();
      const resumed = Date.now();
      await waitFor(
        'data after the stall',
        () => log.lastWhere('rpm', (s) => s.timestamp >= resumed),
        15_000,
      );
      expect(r.health()[0]?.errors.OPCUA_WATCHDOG).toBeGreaterThanOrEqual(1);
    } finally {
      await r.stop();
      await proxy.close();
    }
  });
});
