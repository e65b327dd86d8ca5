/**
 * Row 5, latency: a value changed in a Modbus simulator → queryable in InfluxDB, through the real `plantpulse agent`
 * (polling every second), Mosquitto and `plantpulse cloud`. Each change is written at a random phase of the poll;
 * the time is taken when a query first returns the new value (queries every 20 ms). p50 and p99.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import { pollUntil } from '../../scripts/services/index.js';
import { startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import type { BenchCase, BenchRow } from '../bench-types.js';
import { percentile } from '../modbus/measure.js';
import { type CliChild, spawnCliChild } from './cli-child.js';
import { writeAgentConfig, writeCloudConfig } from './pipeline-config.js';
import { benchServices, freshBenchDatabase } from './services.js';

const POLL_MS = 1000;

export const latencyCase: BenchCase = {
  title: 'Latency: value change in a simulator → queryable in InfluxDB',
  async run(ctx) {
    const s = await benchServices();
    const changes = ctx.smoke ? 3 : 40;
    const dir = await mkdtemp(join(tmpdir(), 'pp-bench-latency-'));
    const db = await freshBenchDatabase(s.influx.url, 'latency');
    const site = `lat${process.pid}`;
    const sim = await startModbusSimulator({
      host: '127.0.0.1',
      port: 0,
      animate: false,
      profile: {
        name: 'latency',
        points: [{ name: 'r0', table: 'holding', address: 0, type: 'uint16', initial: 0 }],
      },
    });
    const env = {
      BENCH_AGENT_PASSWORD: s.user('agent').password,
      BENCH_INGEST0_PASSWORD: s.user('ingest0').password,
    };
    const cloud = spawnCliChild(
      [
        'cloud',
        '-c',
        await writeCloudConfig(join(dir, 'cloud.yaml'), {
          mqttUrl: s.mosquitto.url,
          username: 'ingest0',
          passwordEnv: 'BENCH_INGEST0_PASSWORD',
          clientId: `${site}-cloud`,
          influxUrl: s.influx.url,
          database: db,
          dir,
        }),
      ],
      env,
    );
    const agentCfg = await writeAgentConfig(join(dir, 'agent.yaml'), {
      site,
      mqttUrl: s.mosquitto.url,
      passwordEnv: 'BENCH_AGENT_PASSWORD',
      outboxPath: join(dir, 'outbox'),
      devices: [{ id: 'lat', url: sim.url, registers: 1, everyMs: POLL_MS }],
    });
    const latencies: number[] = [];
    let agent: CliChild | undefined;
    try {
      // the ingester first, so it sees the agent's births
      await cloud.waitFor((l) => l['msg'] === 'ingester connected to MQTT broker', 60_000);
      agent = spawnCliChild(['agent', '-c', agentCfg], env);
      await agent.waitFor((l) => l['msg'] === 'plantpulse agent running', 60_000);
      const last = async () => {
        const rows = await queryInfluxQL(s.influx.url, {
          db,
          q: `SELECT last(r0) FROM telemetry WHERE device = 'lat'`,
          timeoutMs: 5000,
        });
        return rows[0]?.['last'];
      };
      // the first value (0) through, so the pipeline is up before timing
      await pollUntil(async () => ((await last()) === 0 ? true : undefined), {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: 'the first value in InfluxDB',
      });
      for (let k = 1; k <= changes; k++) {
        // a random phase against the agent's poll
        await new Promise((r) => setTimeout(r, Math.random() * POLL_MS));
        const t0 = performance.now();
        sim.set('r0', k);
        await pollUntil(async () => ((await last()) === k ? true : undefined), {
          timeoutMs: 60_000,
          intervalMs: 20,
          what: `value ${k} in InfluxDB`,
        });
        latencies.push(performance.now() - t0);
      }
    } finally {
      await agent?.stop();
      await cloud.stop();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const bound = POLL_MS + 1500;
    const rows: BenchRow[] = [
      {
        id: 'latency.p50_ms',
        stage: 'latency',
        what: `simulator change → queryable in InfluxDB, p50 of ${changes}, poll ${POLL_MS} ms`,
        value: p50,
        unit: 'ms',
        baseline: { name: 'poll interval', value: POLL_MS, unit: 'ms' },
        ratio: p50 / POLL_MS,
      },
      {
        id: 'latency.p99_ms',
        stage: 'latency',
        what: `simulator change → queryable in InfluxDB, p99 of ${changes}, poll ${POLL_MS} ms`,
        value: p99,
        unit: 'ms',
        baseline: { name: 'poll interval + 1.5 s', value: bound, unit: 'ms' },
        ratio: p99 / bound,
        target: { text: '≤ poll interval + 1.5 s', met: p99 <= bound },
        note: 'includes the ingester batch flush (flushInterval 1 s) and query polling every 20 ms',
      },
    ];
    return rows;
  },
};
