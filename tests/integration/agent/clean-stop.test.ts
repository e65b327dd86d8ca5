/**
 * A clean stop (SIGTERM → agent.stop()) must tell the hosts the node is gone: the NDEATH is published and
 * acknowledged before the clean disconnect, because a clean disconnect makes the broker discard the will.
 */
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/agent.js';
import { startEmbeddedBroker } from '../../../cloud/broker/embedded-broker.js';
import { decodePayload } from '../../../protocols/sparkplug/index.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { agentConfig, brokerConfig } from '../../helpers/configs.js';

describe('agent clean stop', () => {
  const log = pino({ level: 'silent' });
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  });

  it('publishes NDEATH with the session bdSeq before disconnecting', async () => {
    const sim = await startModbusSimulator({ profile: pressProfile(), host: '127.0.0.1', port: 0 });
    closers.push(() => sim.close());
    const users = [
      { username: 'gw', password: 'pw-gw-1' },
      { username: 'watch', password: 'pw-watch-2' },
    ];
    const broker = await startEmbeddedBroker(brokerConfig({ port: 0, users }), log);
    closers.push(() => broker.close());
    const watcher = await mqtt.connectAsync(broker.url, {
      username: 'watch',
      password: 'pw-watch-2',
      reconnectPeriod: 0,
    });
    closers.push(() => watcher.endAsync());
    const seen: { topic: string; bdSeq: bigint | number | undefined }[] = [];
    watcher.on('message', (topic, payload) => {
      const p = decodePayload(payload);
      const bd = p.metrics.find((m) => m.name === 'bdSeq')?.value;
      seen.push({ topic, bdSeq: typeof bd === 'bigint' || typeof bd === 'number' ? bd : undefined });
    });
    await watcher.subscribeAsync('spBv1.0/#', { qos: 1 });

    const agent = await startAgent(
      agentConfig({
        site: 'plant1',
        node: 'gw1',
        mqtt: { url: broker.url, username: 'gw', password: 'pw-gw-1' },
        outbox: { path: ':memory:' },
        devices: [
          {
            id: 'press-07',
            modbus: { url: sim.url, unitId: 1, timeout: '2s' },
            poll: [
              {
                every: '200ms',
                points: [{ name: 'state_code', table: 'holding', address: 100, type: 'uint16' }],
              },
            ],
          },
        ],
      }),
      log,
    );
    await pollUntil(async () => (seen.some((s) => s.topic.includes('/DDATA/')) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'first DDATA',
    });
    await agent.stop();
    const death = await pollUntil(async () => seen.find((s) => s.topic === 'spBv1.0/plant1/NDEATH/gw1'), {
      timeoutMs: 10_000,
      what: 'NDEATH after a clean stop',
    });
    const birth = seen.find((s) => s.topic === 'spBv1.0/plant1/NBIRTH/gw1');
    expect(birth?.bdSeq).toBeDefined();
    expect(BigInt(death.bdSeq ?? -1)).toBe(BigInt(birth?.bdSeq ?? -2));
  });
});
