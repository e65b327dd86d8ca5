/**
 * Row 3, agent end to end: `plantpulse agent` polling 10,000 Modbus tags every second from simulators in another
 * process, through derive, report-by-exception, the on-disk outbox and Sparkplug publish to Mosquitto. CPU of the
 * agent process per 1,000 tags/s, its RSS, and the outbox's cost (bytes it writes to storage per tag).
 * Neuron's published figure (15,000 tags/s at ≈124 % of a core, bench/README.md#published-baselines) is the
 * peer baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NODE_OPTIONS } from '../../cli/service/node-options.js';
import type { BenchCase, BenchRow } from '../bench-types.js';
import { metricSum, readMetrics } from './agent-metrics.js';
import { spawnCliChild } from './cli-child.js';
import { startHost } from './host-process.js';
import { writeAgentConfig } from './pipeline-config.js';
import { UsageMeter } from './proc-usage.js';
import { benchServices } from './services.js';

const REGISTERS = 250;
/**
 * Neuron 2.2.1: 15,000 tags/s at ≈124 % CPU → ≈8.3 % of a core per 1,000 tags/s
 * (bench/README.md#published-baselines)
 */
const NEURON_CPU_PER_1000 = 124 / 15;

export interface AgentE2eResult {
  tagsPerSecond: number;
  cpuPercent: number;
  peakRssMiB: number;
  steadyRssMiB: number;
  writtenBytesPerTag: number;
  published: number;
  suppressed: number;
}

/** Runs the agent on `devices` × 250 registers @ 1 s for `windowS` after a warm-up; the figures of the window. */
export async function runAgentE2e(devices: number, windowS: number, warmS: number): Promise<AgentE2eResult> {
  const s = await benchServices();
  const dir = await mkdtemp(join(tmpdir(), 'pp-bench-agent-'));
  const sims = await startHost<{ urls: string[] }>(join(import.meta.dirname, '..', 'modbus', 'sim-host.js'), [
    String(devices),
    String(REGISTERS),
  ]);
  const cfg = await writeAgentConfig(join(dir, 'agent.yaml'), {
    site: `e2e${process.pid}`,
    mqttUrl: s.mosquitto.url,
    passwordEnv: 'BENCH_AGENT_PASSWORD',
    outboxPath: join(dir, 'outbox'),
    devices: sims.info.urls.map((url, i) => ({
      id: `dev${i}`,
      url,
      registers: REGISTERS,
      everyMs: 1000,
      derive: true,
    })),
  });
  // the agent runs as its service unit runs it: with the unit's bounded V8 heap
  const agent = spawnCliChild(['agent', '-c', cfg], {
    BENCH_AGENT_PASSWORD: s.user('agent').password,
    NODE_OPTIONS: SERVICE_NODE_OPTIONS.agent ?? '',
  });
  try {
    const running = await agent.waitFor((l) => l['msg'] === 'plantpulse agent running', 120_000);
    const httpUrl = String(running['http']);
    await new Promise((r) => setTimeout(r, warmS * 1000));
    const m0 = await readMetrics(httpUrl);
    const meter = new UsageMeter([agent.pid]);
    meter.start();
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const usage = meter.stop();
    const m1 = await readMetrics(httpUrl);
    const d = (name: string) => metricSum(m1, name) - metricSum(m0, name);
    const tags = d('plantpulse_device_polls_total') * REGISTERS;
    return {
      tagsPerSecond: tags / usage.seconds,
      cpuPercent: usage.cpuPercent,
      peakRssMiB: usage.peakRssMiB,
      steadyRssMiB: usage.steadyRssMiB,
      writtenBytesPerTag: tags > 0 ? usage.writtenBytes / tags : 0,
      published: d('plantpulse_uplink_published_total'),
      suppressed: d('plantpulse_report_suppressed_total'),
    };
  } finally {
    await agent.stop();
    await sims.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const agentE2eCase: BenchCase = {
  title: 'Agent end to end: 10,000 tags @ 1 s through derive, report-by-exception, outbox, publish',
  async run(ctx) {
    const devices = ctx.smoke ? 4 : 40;
    const r = await runAgentE2e(devices, ctx.smoke ? 2 : 30, ctx.smoke ? 1 : 10);
    ctx.progress(`${r.tagsPerSecond.toFixed(0)} tags/s at ${r.cpuPercent.toFixed(1)} % CPU`);
    const per1000 = r.tagsPerSecond > 0 ? r.cpuPercent / (r.tagsPerSecond / 1000) : Number.POSITIVE_INFINITY;
    const shape = `${devices * REGISTERS} tags (${devices} Modbus TCP devices × ${REGISTERS}) @ 1 s`;
    const rows: BenchRow[] = [
      {
        id: 'agent.cpu_per_1000_tags_per_s',
        stage: 'agent e2e',
        what: `CPU per 1,000 tags/s, ${shape}`,
        value: per1000,
        unit: '% core',
        baseline: { name: 'Neuron 2.2.1 (published)', value: NEURON_CPU_PER_1000, unit: '% core' },
        ratio: per1000 / NEURON_CPU_PER_1000,
        target: { text: '≤ 3 % of a core', met: per1000 <= 3 },
        note: `${r.tagsPerSecond.toFixed(0)} tags/s measured at ${r.cpuPercent.toFixed(1)} % of one core; ${r.published} messages acknowledged, ${r.suppressed} samples suppressed by report-by-exception`,
      },
      {
        id: 'agent.cpu_us_per_tag',
        stage: 'agent e2e',
        what: `agent CPU per tag read, ${shape}`,
        // % of a core per 1,000 tags/s → µs of CPU per tag: (pct / 100) × 1e6 µs / 1000 tags
        value: per1000 * 10,
        unit: 'µs/tag',
        baseline: { name: 'Neuron 2.2.1 (published)', value: NEURON_CPU_PER_1000 * 10, unit: 'µs/tag' },
        ratio: per1000 / NEURON_CPU_PER_1000,
        note: 'the same window as the row above, per tag: read, derive, report-by-exception, outbox, publish',
      },
      {
        id: 'agent.rss_mib',
        stage: 'agent e2e',
        what: `steady-state RSS of the agent, ${shape}`,
        value: r.steadyRssMiB,
        unit: 'MiB',
        target: { text: '≤ 150 MB at 10,000 tags', met: r.steadyRssMiB * 1.048576 <= 150 },
        note: `peak ${r.peakRssMiB.toFixed(0)} MiB; steady state = median of the window's second half; NODE_OPTIONS of the service unit: ${SERVICE_NODE_OPTIONS.agent ?? 'none'}`,
      },
      {
        id: 'agent.outbox_bytes_per_tag',
        stage: 'agent e2e',
        what: `outbox cost: bytes written to storage per tag, ${shape}`,
        value: r.writtenBytesPerTag,
        unit: 'B/tag',
        note: 'write_bytes of the agent process (/proc/<pid>/io): the outbox database, its journal and anything else written',
      },
    ];
    return rows;
  },
};
