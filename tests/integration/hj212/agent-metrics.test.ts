/**
 * The HJ 212 listener's counters on the agent's /metrics (docs/metrics.md "HJ 212 listeners"): a real agent (real
 * embedded broker) with an HJ 212 device, the simulated datalogger sending real-time data that is acknowledged, a
 * packet with a bad CRC and a datalogger with an MN nobody configured. Each shows up by listen address and code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../../agent/agent.js';
import { type RunningBroker, startEmbeddedBroker } from '../../../cloud/broker/embedded-broker.js';
import { type Hj212Datalogger, startHj212Datalogger } from '../../../simulators/hj212/datalogger.js';
import { agentConfig, brokerConfig } from '../../helpers/configs.js';
import { type PromFamily, parsePrometheus } from '../../helpers/prometheus-text.js';
import { until } from '../../helpers/until.js';
import { captureLogger } from '../modbus/helpers.js';
import { STACK_CODES, STACK_MN, uploadWithBrokenCrc } from './helpers.js';

const LISTEN = '127.0.0.1:0';

describe('HJ 212 listener counters on the agent /metrics', () => {
  let dir: string;
  let broker: RunningBroker;
  let agent: RunningAgent;
  let port: number;
  const dataloggers: Hj212Datalogger[] = [];
  const { log, lines } = captureLogger();

  const datalogger = async (mn: string) => {
    const d = await startHj212Datalogger({
      port,
      outlets: [{ mn, password: '123456', profile: 'boiler-stack' }],
      realtimeEveryMs: 0,
      minuteEveryMs: 0,
      hourEveryMs: 0,
      reconnectMs: 60_000,
    });
    dataloggers.push(d);
    return d;
  };
  const scrape = async (): Promise<Map<string, PromFamily>> =>
    parsePrometheus(await (await fetch(`${agent.httpUrl}/metrics`)).text());
  const value = (families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}) =>
    families
      .get(name)
      ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && s.name === name)
      ?.value;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-hj212-metrics-'));
    broker = await startEmbeddedBroker(
      brokerConfig({ port: 0, users: [{ username: 'gw', password: 'pw-123', publish: ['spBv1.0/cq/#'] }] }),
      log,
    );
    agent = await startAgent(
      agentConfig({
        site: 'cq',
        node: 'env-gw',
        mqtt: { url: broker.url, username: 'gw', password: 'pw-123' },
        outbox: { path: join(dir, 'outbox') },
        http: { port: 0 },
        devices: [
          {
            id: 'boiler-1-stack',
            hj212: { listen: LISTEN, mn: STACK_MN, password: '123456' },
            // flue temperature left out: the datalogger's a01012 values are undeclared, dropped and counted
            pollutants: STACK_CODES.filter((c) => c !== 'a01012'),
          },
        ],
      }),
      log,
    );
    const up = await until('the HJ 212 listener bound', () =>
      lines.find((l) => l['msg'] === 'HJ 212 listener up'),
    );
    port = Number(up['port']);
  }, 60_000);

  afterAll(async () => {
    for (const d of dataloggers) await d.close();
    await agent?.stop();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts connections, uploads and replies, and refusals by code, per listen address', async () => {
    const before = await scrape();
    // the families are there before any datalogger, each series at 0
    for (const name of [
      'plantpulse_hj212_connections',
      'plantpulse_hj212_connections_total',
      'plantpulse_hj212_packets_total',
      'plantpulse_hj212_uploads_total',
      'plantpulse_hj212_replies_total',
      'plantpulse_hj212_packets_refused_total',
      'plantpulse_hj212_connections_closed_total',
      'plantpulse_hj212_values_dropped_total',
    ])
      expect(before.get(name)?.type, name).toBeDefined();
    const at = { listen: LISTEN };
    expect(value(before, 'plantpulse_hj212_connections_total', at)).toBe(0);
    expect(value(before, 'plantpulse_hj212_packets_refused_total', { ...at, code: 'HJ212_BAD_CRC' })).toBe(0);
    const drops = (f: typeof before, reason: string) =>
      value(f, 'plantpulse_hj212_values_dropped_total', { device: 'boiler-1-stack', reason });
    expect(drops(before, 'undeclared')).toBe(0);
    expect(drops(before, 'pending')).toBe(0);

    const logger = await datalogger(STACK_MN);
    await logger.send('realtime');
    await logger.send('minute');
    await logger.waitAcks(2, AbortSignal.timeout(20_000));
    // a packet with its CRC broken, then one from an MN this agent does not know
    const { bad } = uploadWithBrokenCrc(STACK_MN);
    await logger.sendRaw(bad);
    const stranger = await datalogger('UNKNOWN00001');
    await stranger.send('realtime');

    // the stranger's connection is closed at once (it never identified itself); the good one stays open
    const after = await until('the refusals and the closed outsider on /metrics', async () => {
      const f = await scrape();
      const refused = (code: string) =>
        value(f, 'plantpulse_hj212_packets_refused_total', { ...at, code }) ?? 0;
      return refused('HJ212_UNKNOWN_MN') >= 1 &&
        refused('HJ212_BAD_CRC') >= 1 &&
        value(f, 'plantpulse_hj212_connections_closed_total', { ...at, reason: 'outsider' }) === 1 &&
        value(f, 'plantpulse_hj212_connections', at) === 1
        ? f
        : undefined;
    });
    expect(value(after, 'plantpulse_hj212_packets_refused_total', { ...at, code: 'HJ212_BAD_CRC' })).toBe(1);
    expect(value(after, 'plantpulse_hj212_packets_refused_total', { ...at, code: 'HJ212_UNKNOWN_MN' })).toBe(
      1,
    );
    expect(
      value(after, 'plantpulse_hj212_packets_refused_total', { ...at, code: 'HJ212_BAD_PASSWORD' }),
    ).toBe(0);
    expect(value(after, 'plantpulse_hj212_connections_total', at)).toBe(2);
    expect(value(after, 'plantpulse_hj212_connections_closed_total', { ...at, reason: 'idle' })).toBe(0);
    expect(value(after, 'plantpulse_hj212_uploads_total', at)).toBe(2);
    expect(value(after, 'plantpulse_hj212_replies_total', at)).toBe(logger.acknowledged);
    expect(logger.acknowledged).toBe(2);
    // the bad-CRC packet is not a framed packet; the stranger's is, and is refused after framing
    expect(value(after, 'plantpulse_hj212_packets_total', at)).toBe(3);
    expect(after.get('plantpulse_hj212_replies_total')?.type).toBe('counter');
    expect(after.get('plantpulse_hj212_connections')?.type).toBe('gauge');
    // the undeclared flue temperature of both uploads, per device; nothing overflowed
    expect(drops(after, 'undeclared')).toBeGreaterThanOrEqual(2);
    expect(drops(after, 'pending')).toBe(0);
  });
});
