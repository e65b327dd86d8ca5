/**
 * The agent's own health and metrics endpoints, with real simulators (Modbus TCP and OPC UA) and the real embedded
 * broker: what an integrator's monitoring scrapes. Every source shows, whatever its protocol: an agent whose only
 * device is an OPC UA subscription is ready once it delivers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../../agent/agent.js';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { routeNodeOpcuaLogging } from '../../../agent/sources/opcua/node-opcua-logging.js';
import { type RunningBroker, startEmbeddedBroker } from '../../../cloud/broker/embedded-broker.js';
import type { ComponentHealth } from '../../../protocols/health/component-health.js';
import type { HealthBody } from '../../../protocols/health/health-server.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { type OpcuaSimulator, startOpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { agentConfig, brokerConfig } from '../../helpers/configs.js';

describe('agent /healthz, /readyz and /metrics', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let opc: OpcuaSimulator;
  let broker: RunningBroker;
  const agents: RunningAgent[] = [];
  const log = pino({ level: 'silent' });
  routeNodeOpcuaLogging(log);

  const cnc = (): AgentDeviceInput => ({
    id: 'cnc-01',
    opcua: { endpoint: opc.endpoint, securityMode: 'None', allowInsecure: true, pki: join(dir, 'pki') },
    subscribe: [{ name: 'part_count', node: 'ns=2;s=CNC01.PartCount', type: 'uint32' }],
  });
  const agent = async (id: string, devices: AgentDeviceInput[]) => {
    const a = await startAgent(
      agentConfig({
        site: 'plant1',
        node: id,
        mqtt: { url: broker.url, username: 'gw', password: 'pw-123' },
        outbox: { path: join(dir, id) },
        http: { port: 0 },
        devices,
      }),
      log,
    );
    agents.push(a);
    return a;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-agent-http-'));
    sim = await startModbusSimulator({ profile: pressProfile(), host: '127.0.0.1', port: 0 });
    opc = await startOpcuaSimulator({ model: 'cnc' });
    broker = await startEmbeddedBroker(
      brokerConfig({ port: 0, users: [{ username: 'gw', password: 'pw-123' }] }),
      log,
    );
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await broker?.close();
    await opc?.close();
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = (a: RunningAgent, path: string) => fetch(`${a.httpUrl}${path}`);
  const readyBody = async (a: RunningAgent) =>
    pollUntil(
      async () => {
        const res = await get(a, '/readyz');
        return res.status === 200 ? ((await res.json()) as HealthBody) : undefined;
      },
      { timeoutMs: 30_000, what: 'readyz 200' },
    );
  const find = (components: ComponentHealth[], component: string, id?: string) =>
    components.find((c) => c.component === component && (id === undefined || c.id === id));

  it('reports every source, the uplink, the Sparkplug session and the outbox; errors by code in Prometheus text', async () => {
    const a = await agent('gw-mixed', [
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
      cnc(),
      {
        // nothing listens here: a dead device must not stop the agent or hide in the metrics
        id: 'dead-01',
        modbus: { url: 'tcp://127.0.0.1:1', unitId: 1, timeout: '200ms' },
        poll: [{ every: '200ms', points: [{ name: 'x', table: 'holding', address: 0, type: 'uint16' }] }],
      },
    ]);
    expect((await get(a, '/healthz')).status).toBe(200);
    const body = await readyBody(a);
    expect(body.ok).toBe(true);
    expect(find(body.components, 'uplink')).toMatchObject({ status: 'ok' });
    expect(find(body.components, 'outbox')).toMatchObject({ status: 'ok', id: 'sqlite' });
    expect(find(body.components, 'sparkplug')).toMatchObject({ id: 'plant1/gw-mixed' });
    expect(find(body.components, 'poll', 'dead-01')).toMatchObject({ status: 'down' });

    let text = '';
    await pollUntil(
      async () => {
        text = await (await get(a, '/metrics')).text();
        return /plantpulse_device_errors_total\{device="dead-01",mode="poll",code="[A-Z_]+"\} [1-9]/.test(
          text,
        ) &&
          /plantpulse_device_samples_total\{device="cnc-01",mode="subscribe"\} [1-9]/.test(text) &&
          /plantpulse_device_poll_lateness_seconds_count\{device="press-07"\} [1-9]/.test(text)
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, what: 'error counters for the dead device, OPC UA samples, poll lateness' },
    );
    expect(text).toMatch(/plantpulse_device_polls_total\{device="press-07",mode="poll"\} [1-9]/);
    expect(text).toMatch(/plantpulse_device_reachable\{device="press-07",mode="poll"\} 1/);
    expect(text).toMatch(/plantpulse_device_reachable\{device="cnc-01",mode="subscribe"\} 1/);
    expect(text).toMatch(/plantpulse_device_reachable\{device="dead-01",mode="poll"\} 0/);
    expect(text).toMatch(/^plantpulse_component_status\{component="subscribe",id="cnc-01"\} 0$/m);
    expect(text).toMatch(/^plantpulse_component_status\{component="poll",id="dead-01"\} 2$/m);
    expect(text).toMatch(/^plantpulse_uplink_connected 1$/m);
    expect(text).toMatch(/^# TYPE plantpulse_outbox_bytes gauge$/m);
    expect(text).toMatch(/^# TYPE plantpulse_device_poll_lateness_seconds histogram$/m);
    expect(text).toMatch(
      /^plantpulse_device_poll_lateness_seconds_bucket\{device="press-07",le="\+Inf"\} [1-9]/m,
    );
    expect((await get(a, '/nope')).status).toBe(404);
  });

  it('an agent whose only device is an OPC UA subscription is ready once it delivers', async () => {
    const a = await agent('gw-opcua', [cnc()]);
    const body = await readyBody(a);
    expect(find(body.components, 'subscribe', 'cnc-01')).toMatchObject({ status: 'ok', detail: 'answering' });
    expect(body.components.filter((c) => c.component === 'poll')).toEqual([]);
  });
});
