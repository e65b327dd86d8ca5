/**
 * The agent's own health and metrics endpoints, with a real simulator and the real embedded broker: what an
 * integrator's monitoring scrapes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../../agent/agent.js';
import { type RunningBroker, startEmbeddedBroker } from '../../../cloud/broker/embedded-broker.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { agentConfig, brokerConfig } from '../../helpers/configs.js';

describe('agent /healthz, /readyz and /metrics', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let broker: RunningBroker;
  let agent: RunningAgent;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-agent-http-'));
    sim = await startModbusSimulator({ profile: pressProfile(), host: '127.0.0.1', port: 0 });
    broker = await startEmbeddedBroker(
      brokerConfig({ port: 0, users: [{ username: 'gw', password: 'pw-123' }] }),
      log,
    );
    agent = await startAgent(
      agentConfig({
        site: 'plant1',
        node: 'gw',
        mqtt: { url: broker.url, username: 'gw', password: 'pw-123' },
        outbox: { path: join(dir, 'agent') },
        http: { port: 0 },
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
          {
            // nothing listens here: a dead device must not stop the agent or hide in the metrics
            id: 'dead-01',
            modbus: { url: 'tcp://127.0.0.1:1', unitId: 1, timeout: '200ms' },
            poll: [{ every: '200ms', points: [{ name: 'x', table: 'holding', address: 0, type: 'uint16' }] }],
          },
        ],
      }),
      log,
    );
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await broker?.close();
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string) => fetch(`${agent.httpUrl}${path}`);

  it('is live at once and ready once connected with a device answering', async () => {
    expect((await get('/healthz')).status).toBe(200);
    await pollUntil(async () => ((await get('/readyz')).status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'readyz 200',
    });
    const body = (await (await get('/readyz')).json()) as { ok: boolean; uplink: { connected: boolean } };
    expect(body.ok).toBe(true);
    expect(body.uplink.connected).toBe(true);
  });

  it('exposes polls, errors by code, reachability and outbox depth in Prometheus text', async () => {
    let text = '';
    await pollUntil(
      async () => {
        text = await (await get('/metrics')).text();
        return /plantpulse_device_errors_total\{device="dead-01",code="[A-Z_]+"\} [1-9]/.test(text)
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, what: 'error counters for the dead device' },
    );
    expect(text).toMatch(/plantpulse_device_polls_total\{device="press-07"\} [1-9]/);
    expect(text).toMatch(/plantpulse_device_reachable\{device="press-07"\} 1/);
    expect(text).toMatch(/plantpulse_device_reachable\{device="dead-01"\} 0/);
    expect(text).toMatch(/^plantpulse_uplink_connected 1$/m);
    expect(text).toMatch(/^# TYPE plantpulse_outbox_bytes gauge$/m);
    expect((await get('/nope')).status).toBe(404);
  });
});
