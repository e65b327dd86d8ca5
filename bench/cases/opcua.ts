/**
 * Row 2, OPC UA: runs bench/opcua (the OPC UA engineer's harness) as a child process with `--json`: N monitored items
 * sampled every 100 ms, through the agent's subscribing source, against a bare node-opcua client in the same run.
 */
import { join } from 'node:path';
import type { BenchCase, BenchRow } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import { runJsonScript } from './child-json.js';

interface OpcuaPhase {
  name: string;
  setupMs: number;
  values: number;
  cpuMs: number;
  rssMb: number;
}

interface OpcuaBenchJson {
  items: number;
  updateMs: number;
  durationMs: number;
  raw: OpcuaPhase;
  agent: OpcuaPhase;
}

const SCRIPT = join(import.meta.dirname, '..', 'opcua', 'run.js');

export const opcuaCase: BenchCase = {
  title: 'OPC UA: monitored items at 100 ms sampling, agent vs bare node-opcua client',
  async run(ctx) {
    const args = ctx.smoke
      ? ['--items', '200', '--update', '100', '--duration', '1']
      : ['--items', '2000', '--update', '100', '--duration', '10'];
    const r = await runJsonScript<OpcuaBenchJson>(SCRIPT, [...args, '--json'], {
      timeoutMs: 240_000,
      progress: ctx.progress,
    });
    const s = r.durationMs / 1000;
    const rate = (p: OpcuaPhase) => p.values / s;
    const cpu = (p: OpcuaPhase) => (p.cpuMs / r.durationMs) * 100;
    const demanded = (r.items * 1000) / r.updateMs;
    const shape = `${r.items} items @ ${r.updateMs} ms`;
    const rows: BenchRow[] = [
      ratioRow({
        id: 'opcua.notifications_per_s',
        stage: 'opcua',
        what: `notifications/s handled, ${shape}`,
        value: rate(r.agent),
        unit: 'values/s',
        baseline: { name: 'bare node-opcua client', value: rate(r.raw), unit: 'values/s' },
        note: `demanded ${demanded.toFixed(0)} values/s; setup ${r.agent.setupMs.toFixed(0)} ms (bare ${r.raw.setupMs.toFixed(0)} ms)`,
      }),
      {
        id: 'opcua.cpu_percent',
        stage: 'opcua',
        what: `CPU of the client process, ${shape}`,
        value: cpu(r.agent),
        unit: '% core',
        baseline: { name: 'bare node-opcua client', value: cpu(r.raw), unit: '% core' },
        ratio: cpu(r.raw) > 0 ? cpu(r.agent) / cpu(r.raw) : 0,
      },
      {
        id: 'opcua.rss_mib',
        stage: 'opcua',
        what: `RSS of the client process, ${shape}`,
        value: r.agent.rssMb,
        unit: 'MiB',
        baseline: { name: 'bare node-opcua client', value: r.raw.rssMb, unit: 'MiB' },
        note: 'one process, phases in turn: the agent figure includes what the bare client left',
      },
    ];
    return rows;
  },
};
