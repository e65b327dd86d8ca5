/**
 * The S7 row, next to Modbus: runs bench/s7 (`node dist/bench/s7/run.js --json`) as a child process. The agent
 * against a raw @st-one-io/nodes7 loop on the same simulated PLC in the same run: values/s, and CPU per 1,000 tags/s.
 */
import { join } from 'node:path';
import type { BenchCase } from '../bench-types.js';
import { ratioRow } from '../bench-types.js';
import type { PhaseResult } from '../modbus/measure.js';
import { runJsonScript } from './child-json.js';

interface S7BenchJson {
  tags: number;
  intervalMs: number;
  pduSize: number;
  demanded: number;
  raw: PhaseResult;
  agent: PhaseResult;
  rawCpuPer1k: number;
  agentCpuPer1k: number;
}

const SCRIPT = join(import.meta.dirname, '..', 's7', 'run.js');

export const s7Case: BenchCase = {
  title: 'Siemens S7 polling: agent vs raw nodes7 loop, one simulated PLC (node-snap7)',
  async run(ctx) {
    const r = await runJsonScript<S7BenchJson>(SCRIPT, ctx.smoke ? ['--smoke', '--json'] : ['--json'], {
      timeoutMs: 180_000,
      progress: ctx.progress,
    });
    const shape = `1 PLC × ${r.tags} REAL @ ${r.intervalMs} ms, PDU ${r.pduSize}`;
    return [
      ratioRow(
        {
          id: 's7.values_per_s',
          stage: 's7',
          what: `values/s, ${shape} (plan → nodes7 → decode → Samples)`,
          value: r.agent.valuesPerSecond,
          unit: 'values/s',
          baseline: { name: 'raw nodes7 readDB loop', value: r.raw.valuesPerSecond, unit: 'values/s' },
          note: `demanded ${r.demanded.toFixed(0)} values/s; agent failures ${r.agent.failures}`,
        },
        { text: '≥ 0.9 × raw loop', atLeast: 0.9 },
      ),
      {
        id: 's7.cpu_per_1k_tags',
        stage: 's7',
        what: `CPU per 1,000 tags/s, ${shape}`,
        value: r.agentCpuPer1k,
        unit: '% core',
        baseline: { name: 'raw nodes7 loop', value: r.rawCpuPer1k, unit: '% core' },
        ratio: r.rawCpuPer1k > 0 ? r.agentCpuPer1k / r.rawCpuPer1k : 0,
      },
    ];
  },
};
